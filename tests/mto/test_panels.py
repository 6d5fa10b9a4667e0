"""The page panel registry: pages show what apps registered, in order, to those who may see it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from mto import panels
from mto.widgets import WIDGET, widget
from tests.factories import CustomerFactory, SalesOrderFactory, ensure_role_groups


@pytest.fixture
def registry():
    """Panels registered in a test are gone after it."""
    saved = {page: list(entries) for page, entries in panels._registry.items()}
    yield panels
    panels._registry.clear()
    panels._registry.update(saved)
    panels._kept.clear()  # reads compiled for the test's panels


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


def _compare_html(html: list[str]) -> list[str]:
    """A page's panels without what differs between two renders of the same data (each render's CSRF token)."""
    return [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part) for part in html]


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_every_panel_with_reads_on_a_keyed_page_says_what_its_reads_branch_on():
    for page in panels.PAGE_KEYS:
        assert all(p.reads_shape for p in panels.panels_for(page) if p.reads), page


def test_reads_shape_is_only_for_reads_by_key_on_a_keyed_page(registry):
    declare = {"reads": lambda request: {}, "reads_by_key": True, "reads_shape": panels.keys_only}
    with pytest.raises(ValueError, match="reads_shape is for reads by key"):
        registry.register(page="home", order=999, name="t.home", template=WIDGET, context=_note("x"), **declare)
    with pytest.raises(ValueError, match="reads_shape is for reads by key"):
        registry.register(page="job-detail", order=999, name="t.job", template=WIDGET, context=_note("x"),
                          reads=lambda request, *, job: {}, reads_shape=panels.keys_only)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_job_and_order_pages_panels_compiled_once_show_what_reading_them_each_time_shows(
    office, manager, lead, buyer, clerk
):
    """The job page's seven panels and the order page's four, compiled once per shape from a stand-in (mto.panels,
    reads_shape), show for each job and order what reading them afresh shows: an open job of an order, one
    with material and a PO, one with an outside operation, a completed one, a manual one (no order line: the
    shipping panel's other shape), before and after a schedule; a draft, a pending and an approved order."""
    from django.db import connection

    from jobs.models import Job
    from jobs.selectors import job_detail
    from jobs.services import job_create_manual
    from mto import reads
    from planning.services import schedule_now
    from sales import services as sales_services
    from sales.selectors import order_detail
    from tests.scenarios import approved_order, job_with_material, plating_job, run_job, sent_purchase_order, ship

    ensure_role_groups()
    SalesOrderFactory(created_by=office, lines=5)  # order lines ahead of jobs: a job's id is not its line's
    plain_order = approved_order(office, manager, lines=2, quantity=4)
    done = Job.objects.filter(sales_order=plain_order).order_by("id").first()
    run_job(done, lead, 4)
    ship(plain_order, clerk, {done.sales_order_line_id: 3})
    assert done.pk != done.sales_order_line_id
    material_job, requirement = job_with_material(office, manager, buyer)
    sent_purchase_order(buyer, requirement)
    outside_job, _ = plating_job(office, manager)
    manual = job_create_manual(origin=Job.Origin.REWORK, part_number="R-1", description="Rework", quantity=2,
                               due_date=done.due_date, by=manager)  # fmt: skip
    draft = SalesOrderFactory(customer=CustomerFactory(), created_by=office)
    pending = sales_services.sales_order_submit(order=SalesOrderFactory(created_by=office), by=office)
    jobs = [*Job.objects.filter(sales_order=plain_order), material_job, outside_job, manual]
    orders = [plain_order, draft, pending, material_job.sales_order]
    panels._kept.clear()

    def both(page, name, objects):
        shown_for = objects()
        with CaptureQueriesContext(connection) as compiled_queries:
            compiled = panels.render(_request(manager), page=page, **{name: shown_for})
        with reads.one_by_one():  # the panels' reads, each run on its own as on SQLite: never compiled
            plain = panels.render(_request(manager), page=page, **{name: objects()})
        assert _compare_html(compiled) == _compare_html(plain), (page, objects().pk)
        return compiled, compiled_queries

    for scheduled in (False, True):
        if scheduled:
            schedule_now(by=manager, seconds=1)
        for job in jobs:
            html, queries = both("job-detail", "job", lambda job=job: job_detail(pk=job.pk))
            if connection.vendor == "postgresql":
                assert len([q for q in queries.captured_queries if "json_agg" in q["sql"]]) == 1
        for order in orders:
            both("order-detail", "order", lambda order=order: order_detail(pk=order.pk))
    shown = " ".join(panels.render(_request(manager), page="job-detail", job=job_detail(pk=material_job.pk)))
    assert "6061-T6 bar 50 mm" in shown  # the material panel, read through the kept statement
    shipped = " ".join(panels.render(_request(manager), page="job-detail", job=job_detail(pk=done.pk)))
    assert "SH-" in shipped  # the shipped panel, by the job's line
    if connection.vendor == "postgresql":
        shapes = {shape for shape in panels._kept}
        assert all(panels._kept[shape] is not None for shape in shapes)
        # open or not x schedule read with the page or not, line or none: a handful, not one per job
        assert 2 <= len([s for s in shapes if s[0] == "job-detail"]) <= 6
    else:
        assert not panels._kept  # other databases read as before


@pytest.mark.parametrize("kind", ["sliced by the id", "by the order's id, not a key", "through the order row"])
def test_panel_reads_that_are_not_by_the_keys_alone_are_not_kept(registry, office, manager, caplog, kind):
    """A read whose SQL follows the job (a slice by its id) or that takes another of its columns as a value (its
    order's id: the stand-ins' other integer columns differ) is found out when compiled for two stand-ins: the
    page reads as before, right for every job, and says so in the log."""
    from django.db import connection

    from jobs.models import Job
    from tests.scenarios import approved_order

    def sliced(job):
        if kind == "sliced by the id":
            return Job.objects.filter(pk__gte=job.pk).order_by("id")[: job.pk % 7 + 1]  # the stand-ins' differ
        if kind == "through the order row":  # the stand-in's order id names no row: it raises, the page does not
            return Job.objects.filter(sales_order__customer=job.sales_order.customer).exclude(pk=job.pk).order_by("id")
        return (
            Job.objects.filter(sales_order_id=job.sales_order_id).exclude(pk=job.pk).order_by("id")
        )  # its order's others

    def shown(request, *, job, rows):
        return widget("t", ",".join(j.number for j in rows["jobs"]))

    first, second = (Job.objects.filter(sales_order=approved_order(office, manager, lines=n)).order_by("id").first()
                     for n in (2, 3))  # fmt: skip
    registry._registry["job-detail"] = []
    registry.register(page="job-detail", order=1, name="t.sliced", template=WIDGET, context=shown,
                      reads=lambda request, *, job: {"jobs": sliced(job)}, reads_by_key=True,
                      reads_shape=panels.keys_only)  # fmt: skip
    with caplog.at_level("WARNING", logger="mto.panels"):
        html_first = " ".join(registry.render(_request(office), page="job-detail", job=first))
        html_second = " ".join(registry.render(_request(office), page="job-detail", job=second))
    assert f">{','.join(j.number for j in sliced(first))}<" in html_first
    assert f">{','.join(j.number for j in sliced(second))}<" in html_second
    if connection.vendor == "postgresql":
        assert list(panels._kept.values()) == [None]
        assert "not kept" in caplog.text
