from django.template.loader import render_to_string


def widget(request, key: str, title: str, **context) -> str:
    """One home-page widget: a title, optionally a figure, a list of links and a chart."""
    context.setdefault("number", None)
    return render_to_string("partials/widget.html", {"key": key, "title": title, **context}, request=request)
