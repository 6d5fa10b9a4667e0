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


def test_visible_panels_reads_run_together_and_each_panel_gets_its_own(registry, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mto import reads
    from sales.models import SalesOrder

    first, second = SalesOrderFactory(created_by=office), SalesOrderFactory(created_by=office)
    seen, asked = {}, []

    def shows(tag):
        def context(request, *, rows):
            seen[tag] = rows
            return widget(tag, tag)

        return context

    def hidden_reads(request):
        asked.append("hidden")
        return {"all": SalesOrder.objects.all()}

    registry._registry["home"] = []
    registry.register(page="home", order=1, name="t.one", template=WIDGET, context=shows("one"),
                      reads=lambda request: {"orders": SalesOrder.objects.filter(pk=first.pk)})  # fmt: skip
    registry.register(page="home", order=2, name="t.two", template=WIDGET, context=shows("two"),
                      reads=lambda request: {"orders": reads.count(SalesOrder.objects.all()),
                                             "none": SalesOrder.objects.filter(pk=-1)})  # fmt: skip
    registry.register(page="home", order=3, name="t.plain", template=WIDGET, context=_note("Plain"))
    registry.register(page="home", order=4, name="t.hidden", template=WIDGET, context=shows("hidden"),
                      reads=hidden_reads, visible=panels.can("approve_orders"))  # fmt: skip
    request = RequestFactory().get("/")
    request.user = office
    with CaptureQueriesContext(connection) as ctx:
        html = registry.render(request, page="home")
    assert len(html) == 3 and "Plain" in html[2]
    # Same names in two panels stay apart; a hidden panel's reads are not even declared.
    assert seen == {"one": {"orders": [first]}, "two": {"orders": 2, "none": []}} and asked == []
    assert second.pk not in [o.pk for o in seen["one"]["orders"]]
    ours = [q for q in ctx.captured_queries if "sales_salesorder" in q["sql"]]  # not the templates' bell
    assert len(ours) == (1 if connection.vendor == "postgresql" else 3)


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


def test_a_page_prepares_its_panels_reads_only_when_every_panel_reads_by_key(registry, office):
    """A read by key has one right plan for every key (mto.reads); one panel comparing anything else makes the
    page's statement an ordinary one. The job and order pages' own panels all read by key."""
    from django.db import connection

    from mto import reads
    from sales.models import SalesOrder

    assert all(p.reads_by_key for page in ("job-detail", "order-detail") for p in panels.panels_for(page) if p.reads)
    order = SalesOrderFactory(created_by=office)
    prepared = []

    def watch(execute, sql, params, many, context):
        if "sales_salesorder" in sql:  # not the templates' notification bell
            prepared.append(isinstance(context["cursor"].cursor, reads._preparing_cursor_class()))
        return execute(sql, params, many, context)

    registry._registry["home"] = []
    by_key = {"t.key": lambda request: {"order": SalesOrder.objects.filter(pk=order.pk)},
              "t.count": lambda request: {"n": reads.count(SalesOrder.objects.filter(pk=order.pk))}}  # fmt: skip
    for position, (name, declare) in enumerate(by_key.items(), start=1):
        registry.register(page="home", order=position, name=name, template=WIDGET,
                          context=lambda request, *, rows: None, reads=declare, reads_by_key=True)  # fmt: skip
    request = RequestFactory().get("/")
    request.user = office
    with connection.execute_wrapper(watch):
        registry.render(request, page="home")
        registry.register(
            page="home",
            order=3,
            name="t.dated",
            template=WIDGET,
            context=_note("x"),
            reads=lambda request: {"late": SalesOrder.objects.filter(requested_date__lt="2026-01-01")},
        )
        registry.render(request, page="home")
    if connection.vendor == "postgresql":
        assert prepared == [True, False]
    else:
        assert prepared and not any(prepared)  # SQLite: the reads one by one, nothing prepared
