"""Home page figures, built on known data and asserted exactly; query counts that do not grow."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import dashboard as jobs_dash
from jobs import selectors as jobs_sel
from jobs import services as job_services
from jobs.models import Job, TimeEntry
from mto import reads
from sales import selectors as sales_sel
from sales.models import SalesOrderStatusChange
from shipping import selectors as ship_sel
from tests.scenarios import approved_order, produce, ship

TODAY = timezone.localdate()


def test_open_order_book_counts_what_is_left_to_ship(office, manager, lead, clerk):
    order = approved_order(office, manager, lines=2, quantity=10)  # 2 lines x 10 x 12.50 = 250.00
    produce(order, lead, 10)
    first = order.lines.order_by("line_no").first()
    ship(order, clerk, {first.pk: 4})  # 4 x 12.50 = 50.00 shipped
    assert sales_sel.open_order_book_value() == Decimal("200.00")


def test_late_jobs_wip_and_orders_at_risk(office, manager, lead):
    late = approved_order(office, manager, lines=2)
    Job.objects.filter(sales_order=late).update(due_date=TODAY - datetime.timedelta(days=2))
    late.promised_date = TODAY + datetime.timedelta(days=3)
    late.save(update_fields=["promised_date"])
    on_time = approved_order(office, manager)
    job = Job.objects.get(sales_order=on_time)
    job_services.operation_act(operation=job.operations.order_by("sequence").first(), action="start", by=lead)
    assert jobs_sel.late_job_count() == 2
    assert [o.pk for o in jobs_sel.orders_at_risk()] == [late.pk]
    assert dict(jobs_sel.wip_by_status()) == {"Planned": 0, "Released": 2, "In progress": 1, "On hold": 0}


def test_cost_variance_of_jobs_completed_this_month(office, manager, lead):
    order = approved_order(office, manager, quantity=10)  # routing: SAW, CNC, INSP at 60.00/h, 1 h + 0.1 h/pc
    produce(order, lead, 10)
    # Each operation ran exactly 3 hours: 9 h x 60 = 540.00 actual; estimated 3 x (1 + 1) h x 60 = 360.00.
    for entry in TimeEntry.objects.filter(operation__job__sales_order=order):
        entry.stopped_at = entry.started_at + datetime.timedelta(hours=3)
        entry.save()
    variance = jobs_dash.cost_variance_this_month()
    assert (variance.jobs, variance.estimated, variance.actual) == (1, Decimal("360.00"), Decimal("540.00"))
    assert variance.percent == Decimal("50.0")


def test_work_center_load_counts_remaining_hours(office, manager, lead):
    order = approved_order(office, manager, quantity=10)
    job = Job.objects.get(sales_order=order)
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    job_services.operation_report_pieces(operation=first, good=4, by=lead)
    # SAW: 1 + 0.1 x 6 left = 1.6 h; CNC and INSP: 1 + 0.1 x 10 = 2.0 h each.
    assert dict(jobs_sel.work_center_load()) == {"CNC": Decimal("2.0"), "INSP": Decimal("2.0"), "SAW": Decimal("1.6")}
    # The job is due in 14 days: its hours fall in week 2.
    headers, rows = jobs_sel.work_center_load_by_week()
    assert len(headers) == 4
    assert rows == [
        ["CNC", 0, Decimal("2.0"), 0, 0],
        ["INSP", 0, Decimal("2.0"), 0, 0],
        ["SAW", 0, Decimal("1.6"), 0, 0],
    ]


def test_on_time_delivery_by_week(office, manager, lead, clerk):
    for promised_offset in (5, -5):
        order = approved_order(office, manager, quantity=2)
        order.promised_date = TODAY + datetime.timedelta(days=promised_offset)
        order.save(update_fields=["promised_date"])
        produce(order, lead, 2)
        ship(order, clerk, {order.lines.get().pk: 2})
    week = TODAY - datetime.timedelta(days=TODAY.weekday())
    assert ship_sel.on_time_by_week() == [(week, 2, 1)]
    assert SalesOrderStatusChange.objects.filter(to_status="shipped").count() == 2


def test_on_time_counts_an_order_when_it_first_shipped(office, manager, lead, clerk):
    """An order shipped again (a change order reopened it) counts in the period it first shipped, not again."""
    order = approved_order(office, manager, quantity=2)
    produce(order, lead, 2)
    ship(order, clerk, {order.lines.get().pk: 2})
    first = SalesOrderStatusChange.objects.get(order=order, to_status="shipped")
    long_ago = first.changed_at - datetime.timedelta(weeks=20)
    SalesOrderStatusChange.objects.filter(pk=first.pk).update(changed_at=long_ago)
    SalesOrderStatusChange.objects.create(order=order, from_status="in_production", to_status="shipped")
    assert ship_sel.on_time_by_week() == []
    since = timezone.localdate(long_ago)
    report = ship_sel.on_time_delivery(group="month", start=since, end=TODAY)
    assert report == [[f"{since:%Y-%m}", Decimal(100), 1, 1]]
    assert ship_sel.on_time_delivery(group="month", start=since + datetime.timedelta(days=1), end=TODAY) == []


def _home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_home_page_query_counts_do_not_grow(client, office, manager, lead, clerk, buyer, inspector):
    approved_order(office, manager)
    counts = {}
    roles = (manager, office, clerk, lead, buyer, inspector)
    for user in roles:
        client.force_login(user)
        client.get("/jobs/floor/", {"wc": "SAW"}) if user == lead else None
        counts[user.username] = _home_queries(client)
    for _ in range(6):
        order = approved_order(office, manager, lines=3)
        Job.objects.filter(sales_order=order).update(due_date=TODAY - datetime.timedelta(days=1))
    for user in roles:
        client.force_login(user)
        client.get("/jobs/floor/", {"wc": "SAW"}) if user == lead else None
        assert _home_queries(client) == counts[user.username], user.username
    # Issue #22's budget, on PostgreSQL (elsewhere the widgets' reads run one by one): the session, the user with
    # roles and bell, every widget's declared reads in one statement (mto.reads), the cost variance's costs besides
    # labor (purchasing's answer, once a job completed this month), the floor's queue and holds for a lead.
    # Measured here: manager 4, the others 2-4.
    if connection.vendor == "postgresql":
        assert all(count <= 8 for count in counts.values()), counts


def test_reports_show_exact_figures_and_export_csv(client, office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=10)
    produce(order, lead, 10)
    for entry in TimeEntry.objects.filter(operation__job__sales_order=order):
        entry.stopped_at = entry.started_at + datetime.timedelta(hours=3)
        entry.save()
    ship(order, clerk, {order.lines.get().pk: 4})
    client.force_login(manager)
    cost = client.get("/jobs/reports/job-cost/", {"group": "work_center"})
    assert cost.status_code == 200
    assert cost.context["rows"][0] == ["CNC", Decimal("2.00"), Decimal("3.00"), Decimal("120.00"), Decimal("180.00"),
                                       Decimal("60.00"), Decimal("0.0")]  # fmt: skip
    csv = client.get("/jobs/reports/job-cost/", {"group": "customer", "format": "csv"}).content.decode()
    assert csv.splitlines()[0] == "Customer,Est. hours,Actual hours,Est. cost,Actual cost,Variance,Scrap rate (%)"
    assert csv.splitlines()[1].endswith(",6.00,9.00,360.00,540.00,180.00,0.0")
    book = client.get("/sales/reports/order-book/", {"format": "csv"}).content.decode().splitlines()
    assert book[1] == f"{order.customer.name},75.00,6,1"
    bad = client.get("/shipping/reports/on-time/", {"from": "not-a-date"})
    assert bad.status_code == 200 and "Dates must look like" in bad.content.decode()
    assert client.get("/shipping/reports/on-time/").context["rows"] == []
    client.force_login(office)
    assert client.get("/jobs/reports/job-cost/").status_code == 403


def test_on_time_report_and_order_book_by_group(client, office, manager, lead, clerk):
    shipped = []
    for promised_offset in (5, -5):
        order = approved_order(office, manager, quantity=2)
        order.promised_date = TODAY + datetime.timedelta(days=promised_offset)
        order.save(update_fields=["promised_date"])
        produce(order, lead, 2)
        ship(order, clerk, {order.lines.get().pk: 2})
        shipped.append(order)
    still_open = approved_order(office, manager, quantity=4)  # 4 x 12.50 = 50.00 to ship
    client.force_login(manager)
    by_customer = client.get("/shipping/reports/on-time/", {"group": "customer"}).context["rows"]
    assert sorted(by_customer) == sorted([[o.customer.name, Decimal(100) if o is shipped[0] else Decimal(0), 1,
                                           1 if o is shipped[0] else 0] for o in shipped])  # fmt: skip
    by_month = client.get("/shipping/reports/on-time/", {"group": "month"}).context["rows"]
    assert by_month == [[f"{TODAY:%Y-%m}", Decimal(50), 2, 1]]
    book = client.get("/sales/reports/order-book/", {"group": "customer"}).context["rows"]
    assert book == [[still_open.customer.name, Decimal("50.00"), 4, 1]]


def test_a_rate_change_leaves_the_cost_of_work_done_alone(client, office, manager, lead):
    """Actual cost is priced at the rate in force when the work ran, not at the work center's rate of today."""
    from jobs import selectors as job_selectors
    from jobs.models import WorkCenter

    order = approved_order(office, manager, quantity=10)  # SAW, CNC, INSP at 60.00/h
    produce(order, lead, 10)
    for entry in TimeEntry.objects.filter(operation__job__sales_order=order):
        entry.stopped_at = entry.started_at + datetime.timedelta(hours=3)
        entry.save()
    job = Job.objects.get(sales_order=order)
    cnc = WorkCenter.objects.get(code="CNC")
    job_services.work_center_save(by=manager, work_center=cnc, hourly_rate=Decimal("100.00"))

    assert job_selectors.job_detail(pk=job.pk).cost_total.actual_cost == Decimal("540.00")  # 9 h x 60.00
    assert jobs_dash.cost_variance_this_month().actual == Decimal("540.00")
    client.force_login(manager)
    rows = {r[0]: r for r in client.get("/jobs/reports/job-cost/", {"group": "work_center"}).context["rows"]}
    assert rows["CNC"][4] == Decimal("180.00")  # actual cost: 3 h x 60.00, the rate when it ran
    page = client.get(f"/jobs/{job.pk}/")
    assert page.context["job"].cost_total.actual_cost == Decimal("540.00")

    # New work is priced at the new rate.
    later = approved_order(office, manager, quantity=10)
    produce(later, lead, 10)
    for entry in TimeEntry.objects.filter(operation__job__sales_order=later):
        entry.stopped_at = entry.started_at + datetime.timedelta(hours=3)
        entry.save()
    new_job = Job.objects.get(sales_order=later)
    by_center = {c.operation.work_center.code: c for c in job_selectors.job_detail(pk=new_job.pk).cost_lines}
    assert by_center["CNC"].actual_cost == Decimal("300.00") and by_center["SAW"].actual_cost == Decimal("180.00")
    rows = {r[0]: r for r in client.get("/jobs/reports/job-cost/", {"group": "work_center"}).context["rows"]}
    assert rows["CNC"][4] == Decimal("480.00")  # 180.00 then + 300.00


def test_the_widgets_made_in_fewer_queries_show_what_the_selectors_say(rf, office, manager, lead):
    """Issue #22 folded queries together: the load chart sums the weekly table, the late and short jobs carry
    their count, the order page's jobs panel reads progress by subqueries. Each still shows the plain figures."""
    from mto.charts import bar_chart
    from tests.scenarios import run_job

    late = approved_order(office, manager, lines=2, quantity=10)
    Job.objects.filter(sales_order=late).update(due_date=TODAY - datetime.timedelta(days=3))
    short = approved_order(office, manager, quantity=10)
    run_job(Job.objects.get(sales_order=short), lead, 4)  # completed with 4 of 10
    started = approved_order(office, manager, quantity=10)
    job = Job.objects.get(sales_order=started)
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    job_services.operation_report_pieces(operation=first, good=10, by=lead)
    job_services.operation_act(operation=first, action="finish", by=lead)
    request = rf.get("/")
    request.user = manager

    def shown(name):  # a widget alone: its reads, then its context from their rows
        reads_of = getattr(jobs_dash, f"{name}_reads")
        return getattr(jobs_dash, f"{name}_widget")(request, rows=reads.fetch(**reads_of(request)))

    load = shown("work_center_load")
    assert load["chart"] == bar_chart(jobs_sel.work_center_load(), title="Remaining hours by work center", unit=" h")
    late_widget = shown("late_jobs")
    assert late_widget["number"] == jobs_sel.late_job_count() == 2
    assert [item[1] for item in late_widget["items"]] == [j.number for j in jobs_sel.late_jobs()]
    short_widget = shown("short_jobs")
    assert short_widget["number"] == 1 and short_widget["items"][0][1] == Job.objects.get(sales_order=short).number

    (panel_job,) = jobs_sel.jobs_for_order(order=started)
    ops = list(job.operations.order_by("sequence"))
    assert (panel_job.ops_done, panel_job.ops_total) == (1, len(ops))
    now_at = panel_job.current_operation
    assert (now_at.work_center.code, now_at.description) == (ops[1].work_center.code, ops[1].description)
    (done,) = jobs_sel.jobs_for_order(order=short)
    assert done.current_operation is None and (done.ops_done, done.ops_total) == (3, 3)
