"""Capable to promise's second figure (committed work may move where no other order becomes late) and "what if
this order gets priority": both read the schedule and store nothing."""

import datetime

import pytest
from django.utils import timezone

from jobs.models import Job, Operation
from planning.models import PlannedJob, PlannedOperation, ScheduleRun
from planning.selectors import current_run
from planning.services import schedule_now
from planning.services.calendars import end_of_day
from planning.services.priority import order_priority_what_if
from planning.services.promise import capable_to_promise, promise_figures, promise_moving_work
from sales.models import SalesOrder, SalesOrderLine
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _draft(office, *, lines=1, quantity=40, due_in=3):
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for n in range(1, lines + 1):
        SalesOrderLineFactory(order=order, line_no=n, item=item, quantity=quantity,
                              due_date=TODAY() + datetime.timedelta(days=due_in))  # fmt: skip
    return order


def _committed(office, manager, *, n=3, due_in=60, promised_in=None, quantity=40):
    """n approved orders (SAW -> CNC -> INSP, 5 h a work center each) due in `due_in` days."""
    orders = []
    for _ in range(n):
        order = approved_order(office, manager, quantity=quantity)
        due = TODAY() + datetime.timedelta(days=due_in)
        SalesOrderLine.objects.filter(order=order).update(due_date=due)
        Job.objects.filter(sales_order=order).update(due_date=due)
        if promised_in is not None:
            SalesOrder.objects.filter(pk=order.pk).update(promised_date=TODAY() + datetime.timedelta(days=promised_in))
        orders.append(order)
    return orders


def _stored():
    return (
        list(PlannedOperation.objects.order_by("id").values_list("run_id", "operation_id", "start", "finish")),
        list(PlannedJob.objects.order_by("id").values_list("run_id", "job_id", "finish")),
        list(Operation.objects.order_by("id").values_list("pk", "planned_start", "planned_finish")),
        list(ScheduleRun.objects.order_by("id").values_list("pk", "status")),
    )


def _others_keep_their_dates(figure):
    """No other job's projected finish in the figure's schedule passes its date (its order's promised date, else
    its due date) unless the schedule with nothing moved has it late already; then not later than that."""
    assert figure.projected, "the figure says where the other jobs end up"
    jobs = {j.pk: j for j in Job.objects.filter(pk__in=figure.projected).select_related("sales_order")}
    for pk, finish in figure.projected.items():
        job = jobs[pk]
        target = end_of_day(job.sales_order.promised_date or job.due_date)
        if figure.baseline[pk] <= target:
            assert finish <= target, f"{job.number} would finish {finish}, after its date {target}"
        else:
            assert finish <= figure.baseline[pk], f"{job.number}, late already, would be later still"


def test_committed_work_with_slack_moves_and_the_second_figure_is_earlier(office, manager):
    _committed(office, manager, due_in=60)
    schedule_now(by=manager, seconds=1)
    order = _draft(office, due_in=3)
    before = _stored()
    first, second = promise_figures(order=order, run=current_run())
    assert second.finish < first.finish  # it goes ahead of work that is due in two months
    assert second.ship_date <= first.ship_date and second.moves_work
    assert {slip.order.number for slip in second.moved} <= {o.number for o in SalesOrder.objects.exclude(pk=order.pk)}
    assert all(not slip.becomes_late for slip in second.moved)
    _others_keep_their_dates(second)
    assert [line.line_no for line, _ in second.lines] == [1]
    assert _stored() == before  # nothing stored, nothing moved for real


def test_no_other_order_becomes_late_in_the_second_figure_when_dates_are_tight(office, manager):
    # Promised today: any move past the end of today makes them late; the schedule has them late already
    # (5 h x 3 at one machine a day), so they may not get later than they are.
    _committed(office, manager, n=3, due_in=0, promised_in=0)
    schedule_now(by=manager, seconds=1)
    order = _draft(office, due_in=1)
    first, second = promise_figures(order=order, run=current_run())
    _others_keep_their_dates(second)
    raw = promise_moving_work(order=order, run=current_run())
    _others_keep_their_dates(raw)
    assert second.finish <= first.finish
    assert second.finish == first.finish or second.moves_work


def test_the_promised_date_counts_not_only_the_due_date(office, manager):
    # Due in 60 days but promised for tomorrow: the promise is the date that must hold.
    _committed(office, manager, n=3, due_in=60, promised_in=1)
    schedule_now(by=manager, seconds=1)
    order = _draft(office, due_in=3)
    second = promise_moving_work(order=order, run=current_run())
    _others_keep_their_dates(second)
    loose = _committed(office, manager, n=0)
    assert loose == []
    for pk, deadline in second.deadlines.items():
        job = Job.objects.select_related("sales_order").get(pk=pk)
        assert deadline >= end_of_day(job.sales_order.promised_date)
        assert deadline <= max(end_of_day(job.sales_order.promised_date), second.baseline[pk])


def test_without_a_schedule_the_second_figure_is_still_made(office):
    order = _draft(office)
    first, second = promise_figures(order=order, run=None)
    assert first.finish is not None and second.finish is not None and second.finish <= first.finish
    assert second.moved == []


def test_what_if_lists_who_slips_by_how_much_and_stores_nothing(office, manager):
    committed = _committed(office, manager, n=3, due_in=2)
    schedule_now(by=manager, seconds=1)
    last = max(committed, key=lambda o: PlannedJob.objects.get(job__sales_order=o).finish)
    before = _stored()
    answer = order_priority_what_if(order=last, run=current_run())
    assert answer.after < answer.before and answer.gained_days >= 0
    numbers = {slip.order.number for slip in answer.slips}
    assert numbers and last.number not in numbers and numbers <= {o.number for o in committed}
    for slip in answer.slips:
        assert slip.after > slip.before and slip.minutes > 0 and slip.hours > 0
        assert slip.target == (slip.order.promised_date or slip.order.lines.first().due_date)
    assert _stored() == before


def test_what_if_for_a_draft_puts_its_lines_first(office, manager):
    _committed(office, manager, n=2, due_in=30)
    schedule_now(by=manager, seconds=1)
    order = _draft(office)
    answer = order_priority_what_if(order=order, run=current_run())
    assert answer.after <= answer.before and answer.slips
    first = capable_to_promise(order=order, run=current_run())
    assert answer.after <= first.finish


def test_what_if_for_an_order_without_open_work(office, manager):
    order = _draft(office)
    SalesOrderLine.objects.filter(order=order).update(item=None, description="Custom", drawing_number="D-1")
    answer = order_priority_what_if(order=order, run=None)
    assert answer.nothing_to_plan and answer.slips == [] and [ln.line_no for ln in answer.unrouted] == [1]


# --- pages and the API -------------------------------------------------------------------------------------


def test_the_promise_page_shows_both_figures_with_set_as_promised_date(client, office, manager):
    from django.urls import reverse

    _committed(office, manager, due_in=60)
    schedule_now(by=manager, seconds=1)
    order = _draft(office, due_in=3)
    first, second = promise_figures(order=order, run=current_run())
    client.force_login(manager)
    url = reverse("planning:order-promise", args=[order.pk])
    page = client.get(url).content.decode()
    assert f'data-figure="ship-date">{first.ship_date:%Y-%m-%d}<' in page
    assert f'data-figure="ship-date-moving">{second.ship_date:%Y-%m-%d}<' in page
    assert 'data-action="promise-first"' in page and 'data-action="promise-second"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("{#") is False and 'id="promise-figures"' in partial and "<html" not in partial
    # The order page's panel loads it.
    detail = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert f'hx-get="{url}"' in detail
    # One click: the second figure becomes the promised date (sales' service), with its audit row.
    answer = client.post(reverse("planning:order-promise-set", args=[order.pk]),
                         {"promised_date": f"{second.ship_date:%Y-%m-%d}"})  # fmt: skip
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.promised_date == second.ship_date
    from mto.models import AuditEntry

    assert AuditEntry.objects.filter(object_id=order.pk, field="promised_date").exists()


def test_setting_the_promised_date_refuses_an_approved_order_and_bad_input(client, office, manager):
    from django.urls import reverse

    approved = approved_order(office, manager)
    promised = approved.promised_date
    client.force_login(office)  # Office edits orders: it may set a promise
    answer = client.post(reverse("planning:order-promise-set", args=[approved.pk]), {"promised_date": "2030-01-02"},
                         follow=True)  # fmt: skip
    assert "change order" in answer.content.decode()
    approved.refresh_from_db()
    assert approved.promised_date == promised
    draft = _draft(office)
    answer = client.post(reverse("planning:order-promise-set", args=[draft.pk]), {"promised_date": "tomorrow"})
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.promised_date is None or draft.promised_date != "tomorrow"


def test_promise_and_what_if_pages_take_fixed_queries(client, office, manager):
    from django.urls import reverse

    from tests.scenarios import page_queries

    _committed(office, manager, n=1, due_in=30)
    schedule_now(by=manager, seconds=1)
    small, large = _draft(office, lines=1), _draft(office, lines=4)
    client.force_login(manager)
    promise = [page_queries(client, reverse("planning:order-promise", args=[o.pk])) for o in (small, large)]
    what_if = [page_queries(client, reverse("planning:order-what-if", args=[o.pk])) for o in (small, large)]
    _committed(office, manager, n=3, due_in=5)
    schedule_now(by=manager, seconds=1)
    assert page_queries(client, reverse("planning:order-promise", args=[small.pk])) == promise[0] == promise[1]
    assert page_queries(client, reverse("planning:order-what-if", args=[small.pk])) == what_if[0] == what_if[1]


def test_the_what_if_page_lists_the_slips_and_changes_nothing(client, office, manager):
    from django.urls import reverse

    committed = _committed(office, manager, n=3, due_in=2)
    schedule_now(by=manager, seconds=1)
    last = max(committed, key=lambda o: PlannedJob.objects.get(job__sales_order=o).finish)
    before = _stored()
    client.force_login(manager)
    page = client.get(reverse("planning:order-what-if", args=[last.pk])).content.decode()
    answer = order_priority_what_if(order=last, run=current_run())
    assert f'data-figure="slips">{len(answer.slips)}' in page and "<svg" in page
    for slip in answer.slips:
        assert slip.order.number in page and f'data-slip-hours="{slip.hours}"' in page
    assert _stored() == before
    client.force_login(office)
    assert client.get(reverse("planning:order-what-if", args=[last.pk])).status_code == 403


def test_the_api_gives_both_figures_and_the_what_if(office, manager):
    from tests.scenarios import client_for

    committed = _committed(office, manager, due_in=60)
    schedule_now(by=manager, seconds=1)
    draft = _draft(office, due_in=3)
    body = client_for(manager).get(f"/api/v1/schedule/orders/{draft.pk}/promise/").json()
    first, second = promise_figures(order=draft, run=current_run())
    assert body["earliest_ship_date"] == f"{first.ship_date:%Y-%m-%d}"
    assert body["earliest_ship_date_moving_work"] == f"{second.ship_date:%Y-%m-%d}"
    assert body["orders_moved"] and set(body["orders_moved"]) <= {o.number for o in committed}
    before = _stored()
    answer = client_for(manager).get(f"/api/v1/schedule/orders/{committed[-1].pk}/what-if/")
    assert answer.status_code == 200 and answer.json()["stored"] is False
    assert all(s["hours_later"] > 0 for s in answer.json()["slips"])
    assert _stored() == before
    assert client_for(office).get(f"/api/v1/schedule/orders/{committed[-1].pk}/what-if/").status_code == 403
    SalesOrder.objects.filter(pk=committed[0].pk).update(status="closed")
    refused = client_for(manager).get(f"/api/v1/schedule/orders/{committed[0].pk}/what-if/")
    assert refused.status_code == 400 and "nothing of it" in refused.json()["detail"]
    schema = client_for(manager).get("/api/v1/schema/").content.decode()
    assert "/api/v1/schedule/orders/{order_pk}/what-if/" in schema
    assert "earliest_ship_date_moving_work" in schema


def test_the_search_loads_each_cut_exactly_as_the_whole_sequence_would(office, manager, monkeypatch):
    # Cuts shares the loaded prefix between trials (copies of the loader); every cut's schedule must be the one
    # loading its whole sequence from scratch gives, and a trial stops where a limit is passed.
    from planning.services import priority

    _committed(office, manager, n=4, due_in=20)
    schedule_now(by=manager, seconds=1)
    order = _draft(office, lines=2, due_in=2)
    sc = priority.scenario(order=order, run=current_run())
    monkeypatch.setattr(priority.Cuts, "CHECKPOINTS", 3)  # trials go on from a copy, then load up to the cut
    cuts = priority.Cuts(sc)
    assert len(cuts.marks) > 1
    assert cuts.baseline.ends == priority.plan(sc, cut=None).ends
    days = sorted({int(rank[0]) // (24 * 60) * 24 * 60 for rank in sc.rank.values() if rank[0] != float("inf")})
    assert len(days) > 1
    for day in [0, *days]:
        whole = priority.plan(sc, cut=day)
        assert cuts.trial(day, {}).ends == whole.ends
    first = priority.plan(sc, cut=0)
    later = [job for job in sc.problem.jobs if job.key not in sc.block and first.job_finish(job) > 0]
    tight = {later[0].tasks[-1].key: first.job_finish(later[0]) - 1}
    assert cuts.trial(0, tight) is None
    assert cuts.trial(0, {later[0].tasks[-1].key: first.job_finish(later[0])}) is not None
