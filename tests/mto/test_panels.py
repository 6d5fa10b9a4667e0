"""The page panel registry: pages show what apps registered, in order, to those who may see it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from mto import panels
from mto.widgets import WIDGET, widget
from tests.factories import CustomerFactory, SalesOrderFactory


@pytest.fixture
def registry():
    """Panels registered in a test are gone after it."""
    saved = {page: list(entries) for page, entries in panels._registry.items()}
    yield panels
    panels._registry.clear()
    panels._registry.update(saved)


def _note(text):
    return lambda request, **objects: widget("test", text)


def test_the_apps_register_their_panels_in_order():
    assert [p.name for p in panels.panels_for("order-detail")] == [
        "quotes.order-quote", "jobs.order-jobs", "planning.order-projection", "shipping.order-shipments"]  # fmt: skip
    assert [p.name for p in panels.panels_for("job-detail")] == [
        "planning.job-projection", "shipping.job-shipped", "purchasing.job-material", "purchasing.job-outside",
        "quality.job-first-article", "quality.job-remake", "quality.job-quality"]  # fmt: skip
    home = panels.panels_for("home")
    assert [p.order for p in home] == sorted(p.order for p in home)
    assert {p.name.split(".")[0] for p in home} == {"sales", "jobs", "shipping", "quality", "planning"}


def test_show_panels_lists_each_panel_with_its_source():
    out = StringIO()
    call_command("show_panels", page="order-detail", stdout=out)
    text = out.getvalue()
    assert "jobs.panels.order_jobs" in text and "shipping/partials/order_panel.html" in text
    assert text.index("jobs.order-jobs") < text.index("shipping.order-shipments")
    assert "home:" not in text


def test_register_refuses_an_unknown_page_and_a_taken_place(registry):
    with pytest.raises(ValueError, match="Unknown page"):
        registry.register(page="nowhere", order=1, name="t.x", template=WIDGET, context=_note("x"))
    with pytest.raises(ValueError, match="jobs.order-jobs already has"):
        registry.register(page="order-detail", order=20, name="t.x", template=WIDGET, context=_note("x"))
    registry.register(page="job-detail", order=1, name="t.x", template=WIDGET, context=_note("first"))
    registry.register(page="job-detail", order=2, name="t.x", template=WIDGET, context=_note("again"))
    assert [p.name for p in registry.panels_for("job-detail")][:3] == [
        "t.x", "planning.job-projection", "shipping.job-shipped"]  # fmt: skip
    assert registry.panels_for("job-detail")[0].order == 2


def test_render_keeps_order_and_skips_hidden_and_empty_panels(registry, office):
    built = []

    def counted(request, **objects):
        built.append("hidden")
        return widget("hidden", "Hidden")

    registry._registry["home"] = []
    registry.register(page="home", order=3, name="t.third", template=WIDGET, context=_note("Third"))
    registry.register(page="home", order=1, name="t.first", template=WIDGET, context=_note("First"))
    registry.register(page="home", order=2, name="t.empty", template=WIDGET, context=lambda request: None)
    registry.register(page="home", order=4, name="t.hidden", template=WIDGET, context=counted,
                      visible=panels.can("approve_orders"))  # fmt: skip
    request = RequestFactory().get("/")
    request.user = office
    html = registry.render(request, page="home")
    assert len(html) == 2
    assert "First" in html[0] and "Third" in html[1]
    assert built == []  # a panel the user may not see is not even built


def test_the_order_page_shows_a_registered_panel_in_its_place(registry, client, office):
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office)
    registry.register(page="order-detail", order=25, name="t.between", template=WIDGET,
                      context=lambda request, *, order: widget("between", f"About {order.number}"))  # fmt: skip
    client.force_login(office)
    html = client.get(order.get_absolute_url()).content.decode()
    assert f"About {order.number}" in html
    registry.register(page="order-detail", order=25, name="t.between", template=WIDGET, context=_note("x"),
                      visible=panels.can("approve_orders"))  # fmt: skip
    assert f"About {order.number}" not in client.get(order.get_absolute_url()).content.decode()
