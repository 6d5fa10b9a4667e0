WIDGET = "partials/widget.html"


def widget(key: str, title: str, **context) -> dict:
    """The context of one home-page widget (template WIDGET): a title, optionally a figure, links, a chart."""
    return {"key": key, "title": title, "number": None, **context}
