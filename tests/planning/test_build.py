"""The Problem of the shop's open work (planning.services.build) and the calendars as working windows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job, Operation, WorkCenter
from planning.models import Holiday, Shift, WorkCenterCalendar
from planning.services import build_problem
from planning.services.calendars import calendars_for, windows
from purchasing.models import OutsideOperation
from tests.scenarios import approved_order, job_with_material, sent_purchase_order, vendor

pytestmark = pytest.mark.django_db

# Next week's Monday 06:00 in the shop's time zone: the default shift (07:00-15:00) starts an hour later.
# In the future, since calendars read holidays from yesterday on (a fixed date turned into a time bomb).
_TODAY = timezone.localdate()
MONDAY_DATE = _TODAY + datetime.timedelta(days=7 - _TODAY.weekday())
MONDAY = timezone.make_aware(datetime.datetime.combine(MONDAY_DATE, datetime.time(6, 0)))


def _job(office, manager, **kw):
    order = approved_order(office, manager, **kw)
    return Job.objects.get(sales_order=order)


def _tasks(built, job):
    return next(j for j in built.problem.jobs if j.key == job.pk).tasks


def test_open_operations_in_routing_order_with_remaining_hours(office, manager, lead):
    job = _job(office, manager, quantity=10)
    ops = list(job.operations.order_by("sequence"))
    built = build_problem(now=MONDAY)
    tasks = _tasks(built, job)
    # Setup 1 h + 0.1 h x 10 pieces = 120 minutes each, in the routing's order.
    assert [(t.key, t.resource, t.duration) for t in tasks] == [(op.pk, op.work_center_id, 120) for op in ops]
    assert all(t.fixed_start is None and t.overlap_minutes is None and t.earliest_start == 0 for t in tasks)

    # The first one done, the second started and 4 pieces reported, then paused: no setup left, 6 pieces.
    for action in ("start",):
        job_services.operation_act(operation=ops[0], action=action, by=lead)
    job_services.operation_report_pieces(operation=ops[0], good=10, by=lead)
    job_services.operation_act(operation=ops[0], action="finish", by=lead)
    job_services.operation_act(operation=ops[1], action="start", by=lead)
    job_services.operation_report_pieces(operation=ops[1], good=4, by=lead)
    job_services.operation_act(operation=ops[1], action="pause", by=lead)
    tasks = _tasks(build_problem(now=MONDAY), job)
    assert [(t.key, t.duration, t.fixed_start) for t in tasks] == [(ops[1].pk, 36, None), (ops[2].pk, 120, None)]
    # The third may overlap the second: pieces have passed on.
    assert tasks[1].overlap_minutes == 0


def test_a_running_operation_is_fixed_now(office, manager, lead):
    job = _job(office, manager)
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    built = build_problem(now=MONDAY)
    task = _tasks(built, job)[0]
    assert (task.key, task.fixed_start) == (first.pk, 0)
    assert built.tasks[first.pk].fixed


def test_efficiency_divides_the_hours(office, manager):
    job = _job(office, manager)
    cnc = WorkCenter.objects.get(code="CNC")
    WorkCenterCalendar.objects.create(work_center=cnc, efficiency_percent=80)
    durations = {t.resource: t.duration for t in _tasks(build_problem(now=MONDAY), job)}
    assert durations[cnc.pk] == 150  # 120 standard minutes at 80 %


def test_jobs_on_hold_and_not_released_are_left_out(office, manager):
    held, planned = _job(office, manager), _job(office, manager)
    kept = _job(office, manager)
    job_services.job_act(job=held, action="hold", reason="Customer query", by=manager)
    Job.objects.filter(pk=planned.pk).update(status=Job.Status.PLANNED)
    keys = {j.key for j in build_problem(now=MONDAY).problem.jobs}
    assert keys == {kept.pk}


def test_due_at_end_of_day_and_priority_as_weight(office, manager):
    job = _job(office, manager)
    Job.objects.filter(pk=job.pk).update(due_date=MONDAY_DATE + datetime.timedelta(days=2), priority=1)
    other = _job(office, manager)
    Job.objects.filter(pk=other.pk).update(priority=5)
    jobs = {j.key: j for j in build_problem(now=MONDAY).problem.jobs}
    # Wednesday 24:00 is two days and 18 hours after Monday 06:00.
    assert jobs[job.pk].due == (2 * 24 + 18) * 60
    assert jobs[job.pk].weight > jobs[other.pk].weight


def test_outside_operation_is_its_vendor_lead_time(office, manager):
    job = _job(office, manager)
    plate = WorkCenter.objects.create(code="PLATE", name="Plating", hourly_rate=0, is_outside=True)
    op = Operation.objects.create(job=job, sequence=40, work_center=plate, description="Zinc plate",
                                  setup_hours=Decimal("0"), run_hours_per_piece=Decimal("0"))  # fmt: skip
    OutsideOperation.objects.create(operation=op, vendor=vendor("PLATER", lead_days=9), lead_days=4)
    built = build_problem(now=MONDAY)
    task = _tasks(built, job)[-1]
    assert (task.key, task.duration) == (op.pk, 4 * 24 * 60)
    resource = next(r for r in built.problem.resources if r.key == plate.pk)
    assert resource.unlimited and resource.windows is None


def test_material_not_received_starts_no_earlier_than_its_po_line(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    sent_purchase_order(buyer, requirement)  # due in 5 days
    first = job.operations.order_by("sequence").first()
    first.refresh_from_db()
    assert first.material_ready is False
    now = timezone.now().replace(second=0, microsecond=0)
    task = _tasks(build_problem(now=now), job)[0]
    expected = timezone.make_aware(datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=5),
                                                             datetime.time()))  # fmt: skip
    assert task.earliest_start == int((expected - now).total_seconds() // 60)
    assert _tasks(build_problem(now=now), job)[1].earliest_start == 0


def test_material_not_on_a_po_waits_for_the_vendor_lead_days(office, manager, buyer):
    job, _requirement = job_with_material(office, manager, buyer, preferred=vendor("BAR", lead_days=3))
    now = timezone.now().replace(second=0, microsecond=0)
    expected = timezone.make_aware(datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=3),
                                                             datetime.time()))  # fmt: skip
    assert _tasks(build_problem(now=now), job)[0].earliest_start == int((expected - now).total_seconds() // 60)


def test_default_calendar_and_holidays(office, manager):
    _job(office, manager)
    saw = WorkCenter.objects.get(code="SAW")
    calendar = calendars_for([saw])[saw.pk]
    assert (calendar.capacity, calendar.efficiency_percent) == (1, 100)
    week = windows(calendar, origin=MONDAY, horizon=7 * 24 * 60)
    # Monday to Friday 07:00-15:00, from Monday 06:00.
    assert week == tuple((d * 1440 + 60, d * 1440 + 540) for d in range(5))
    Holiday.objects.create(date=MONDAY_DATE + datetime.timedelta(days=1), name="Shop day off")  # Tuesday
    Holiday.objects.create(date=MONDAY_DATE + datetime.timedelta(days=3), work_center=saw)  # Thursday, the saw only
    WorkCenterCalendar.objects.create(work_center=saw, capacity=2)
    Shift.objects.create(work_center=saw, weekday=0, start=datetime.time(22, 0), end=datetime.time(6, 0))
    for day in (1, 2, 3, 4):
        Shift.objects.create(work_center=saw, weekday=day, start=datetime.time(7, 0), end=datetime.time(15, 0))
    calendar = calendars_for([saw])[saw.pk]
    assert calendar.capacity == 2
    # Monday's night shift runs into Tuesday 06:00 (a holiday's morning: the shift belongs to Monday).
    assert windows(calendar, origin=MONDAY, horizon=7 * 24 * 60) == (
        (16 * 60, 24 * 60), (2 * 1440 + 60, 2 * 1440 + 540), (4 * 1440 + 60, 4 * 1440 + 540),
    )  # fmt: skip
