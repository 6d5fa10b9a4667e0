"""Labor on kiosk tablets (issue 21): several operators on one operation, each with their own entry; machine time
apart from labor time; attendance and indirect time; costs at the rates in force when the work was done."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jobs import selectors, services
from jobs.models import Attendance, IndirectTime, LaborEntry, Operation, OperationStatusChange, TimeEntry
from tests.jobs.kiosk_helpers import first_job, machinist, make_operator
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db

O = Operation.Status  # noqa: E741


@pytest.fixture
def setup(office, manager):
    order = approved_order(office, manager, quantity=10)
    job = first_job(order)
    op = job.operations.order_by("sequence").first()
    klass = machinist(manager)
    ann = make_operator(manager, "Ann", "Able", labor_class=klass).user  # 30.00 from the class
    bob = make_operator(manager, "Bob", "Baker", rate=Decimal("40.00")).user  # his own rate
    return job, op, ann, bob


def _back(entry_model, hours, **filters):
    """Move open or closed entries back in time (as if they had run `hours`)."""
    for e in entry_model.objects.filter(**filters):
        e.started_at = e.started_at - timedelta(hours=hours)
        e.save(update_fields=["started_at"])


def test_two_operators_on_one_operation_each_with_their_own_entry(setup):
    job, op, ann, bob = setup
    services.operator_join(operation=op, operator=ann)
    op.refresh_from_db()
    assert op.status == O.RUNNING
    services.operator_join(operation=op, operator=bob)
    assert LaborEntry.objects.filter(operation=op, stopped_at=None).count() == 2
    # One machine clock runs, started by the first one on.
    machine = TimeEntry.objects.get(operation=op)
    assert machine.by == ann and machine.stopped_at is None
    services.operator_report_pieces(operation=op, operator=ann, good=3)
    services.operator_report_pieces(operation=op, operator=bob, good=2, scrap=1, scrap_reason="Setup piece")
    entries = {e.operator_id: e for e in LaborEntry.objects.filter(operation=op)}
    assert (entries[ann.pk].good_qty, entries[ann.pk].scrap_qty) == (3, 0)
    assert (entries[bob.pk].good_qty, entries[bob.pk].scrap_qty) == (2, 1)
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty) == (5, 1)
    # Ann leaves: the operation runs on while Bob is on it.
    services.operator_leave(operation=op, operator=ann)
    op.refresh_from_db()
    assert op.status == O.RUNNING and TimeEntry.objects.get(operation=op).stopped_at is None
    # Bob, the last one off, pauses it: machine time stops.
    services.operator_leave(operation=op, operator=bob)
    op.refresh_from_db()
    assert op.status == O.PAUSED and TimeEntry.objects.get(operation=op).stopped_at is not None
    # History names who moved it.
    moves = list(OperationStatusChange.objects.filter(operation=op).values_list("to_status", "changed_by"))
    assert (O.RUNNING, ann.pk) in moves and (O.PAUSED, bob.pk) in moves


def test_joining_clocks_in_and_ends_indirect_time(setup):
    job, op, ann, _bob = setup
    services.operator_clock_in(operator=ann)
    services.operator_indirect_start(operator=ann, kind="meeting")
    services.operator_join(operation=op, operator=ann)
    assert IndirectTime.objects.get(operator=ann).stopped_at is not None
    assert Attendance.objects.filter(operator=ann, clock_out=None).count() == 1


def test_join_without_clock_in_clocks_in(setup):
    _job, op, ann, _bob = setup
    services.operator_join(operation=op, operator=ann)
    assert Attendance.objects.filter(operator=ann, clock_out=None).exists()


def test_an_operator_is_on_one_operation_at_a_time(setup, office, manager):
    job, op, ann, _bob = setup
    services.operator_join(operation=op, operator=ann)
    with pytest.raises(ValidationError, match="already"):
        services.operator_join(operation=op, operator=ann)
    other = first_job(approved_order(office, manager)).operations.order_by("sequence").first()
    with pytest.raises(ValidationError, match=f"op {op.sequence} of {job.number}"):
        services.operator_join(operation=other, operator=ann)
    assert LaborEntry.objects.filter(operator=ann).count() == 1


def test_report_needs_the_operator_on_the_operation(setup):
    _job, op, ann, bob = setup
    services.operator_join(operation=op, operator=ann)
    with pytest.raises(ValidationError, match="not on op"):
        services.operator_report_pieces(operation=op, operator=bob, good=1)
    op.refresh_from_db()
    assert op.good_qty == 0


def test_finish_closes_everyones_labor_and_the_machine_time(setup):
    _job, op, ann, bob = setup
    services.operator_join(operation=op, operator=ann)
    services.operator_join(operation=op, operator=bob)
    services.operator_report_pieces(operation=op, operator=ann, good=4)
    with pytest.raises(ValidationError, match="not reported yet"):
        services.operator_finish(operation=op, operator=ann)
    _op, rest = services.operator_finish(operation=op, operator=bob, report_rest=True)
    assert rest == 6
    op.refresh_from_db()
    assert op.status == O.DONE and op.good_qty == 10
    assert not LaborEntry.objects.filter(operation=op, stopped_at=None).exists()
    assert not TimeEntry.objects.filter(operation=op, stopped_at=None).exists()
    assert LaborEntry.objects.get(operation=op, operator=bob).good_qty == 6  # the rest is Bob's, who finished


def test_a_leads_pause_takes_everyone_off(setup, lead):
    _job, op, ann, bob = setup
    services.operator_join(operation=op, operator=ann)
    services.operator_join(operation=op, operator=bob)
    services.operation_act(operation=op, action="pause", by=lead)
    assert not LaborEntry.objects.filter(operation=op, stopped_at=None).exists()


def test_clock_out_leaves_the_operation_and_ends_indirect(setup):
    _job, op, ann, _bob = setup
    services.operator_join(operation=op, operator=ann)
    services.operator_clock_out(operator=ann)
    op.refresh_from_db()
    assert op.status == O.PAUSED
    assert Attendance.objects.get(operator=ann).clock_out is not None
    with pytest.raises(ValidationError, match="not clocked in"):
        services.operator_clock_out(operator=ann)


def test_indirect_time_rules(setup):
    _job, op, ann, _bob = setup
    with pytest.raises(ValidationError, match="clock in first"):
        services.operator_indirect_start(operator=ann, kind="cleaning")
    services.operator_clock_in(operator=ann)
    with pytest.raises(ValidationError, match="clocked in already"):
        services.operator_clock_in(operator=ann)
    with pytest.raises(ValidationError):
        services.operator_indirect_start(operator=ann, kind="napping")
    services.operator_indirect_start(operator=ann, kind="cleaning")
    services.operator_indirect_start(operator=ann, kind="training")  # ends the cleaning
    assert list(IndirectTime.objects.filter(operator=ann, stopped_at=None).values_list("kind", flat=True)) == [
        "training"
    ]
    services.operator_join(operation=op, operator=ann)
    with pytest.raises(ValidationError, match="stop there first"):
        services.operator_indirect_start(operator=ann, kind="meeting")
    with pytest.raises(ValidationError, match="no indirect"):
        services.operator_indirect_stop(operator=ann)


def test_only_operators_do_labor(setup, lead):
    _job, op, _ann, _bob = setup
    with pytest.raises(PermissionDenied):
        services.operator_join(operation=op, operator=lead)


def test_an_inactive_operator_cannot_join(setup, manager):
    _job, op, ann, _bob = setup
    profile = ann.operator_profile
    services.operator_update(profile=profile, by=manager, first_name="Ann", last_name="Able", labor_class=None,
                             hourly_rate=None, is_active=False)  # fmt: skip
    ann.refresh_from_db()
    with pytest.raises((PermissionDenied, ValidationError)):  # an inactive user holds no rights at all
        services.operator_join(operation=op, operator=ann)
    assert not LaborEntry.objects.filter(operator=ann).exists()


def test_the_job_cost_prices_each_operator_and_the_machine_at_the_rates_then(setup, manager):
    job, op, ann, bob = setup
    services.operator_join(operation=op, operator=ann)
    services.operator_join(operation=op, operator=bob)
    # Two hours on it each, the machine two hours too (both joined at once).
    _back(LaborEntry, 2, operation=op)
    _back(TimeEntry, 2, operation=op)
    services.operator_finish(operation=op, operator=ann, short=True)
    machine_rate = TimeEntry.objects.get(operation=op).hourly_rate
    # Rates change afterwards: what the work cost does not.
    services.work_center_save(by=manager, work_center=op.work_center, hourly_rate=Decimal("999.00"))
    klass = ann.operator_profile.labor_class
    services.labor_class_save(by=manager, labor_class=klass, name=klass.name, hourly_rate=Decimal("500.00"))
    services.operator_update(profile=bob.operator_profile, by=manager, first_name="Bob", last_name="Baker",
                             labor_class=None, hourly_rate=Decimal("600.00"))  # fmt: skip
    detail = selectors.job_detail(pk=job.pk)
    labor = {r.name: r for r in detail.labor_by_operator}
    cents = Decimal("0.10")  # the seconds the test itself took
    assert labor["Ann Able"].cost == pytest.approx(Decimal("60.00"), abs=cents)
    assert labor["Ann Able"].rates == [Decimal("30.00")]
    assert labor["Ann Able"].labor_class == "Machinist"
    assert labor["Bob Baker"].cost == pytest.approx(Decimal("80.00"), abs=cents)
    assert labor["Bob Baker"].hours == pytest.approx(Decimal("2"), abs=Decimal("0.002"))
    line = next(c for c in detail.cost_lines if c.operation.pk == op.pk)
    assert line.labor_cost == pytest.approx(Decimal("140.00"), abs=Decimal("0.10"))  # the seconds the test took
    assert line.machine_cost == pytest.approx(2 * machine_rate, abs=cents)
    assert line.actual_cost == line.labor_cost + line.machine_cost
    assert line.actual_hours == pytest.approx(Decimal("2"), abs=Decimal("0.002"))
    assert line.labor_hours == pytest.approx(Decimal("4"), abs=Decimal("0.004"))


def test_a_lead_alone_costs_as_before(office, manager, lead):
    job = first_job(approved_order(office, manager, quantity=2))
    op = job.operations.order_by("sequence").first()
    services.operation_act(operation=op, action="start", by=lead)
    _back(TimeEntry, 1, operation=op)
    services.operation_act(operation=op, action="finish", by=lead, short=True)
    detail = selectors.job_detail(pk=job.pk)
    line = next(c for c in detail.cost_lines if c.operation.pk == op.pk)
    assert line.labor_cost == 0 and line.actual_cost == line.machine_cost == op.work_center.hourly_rate
    assert detail.labor_by_operator == []


def test_operator_day_keeps_attendance_job_and_indirect_apart(setup):
    _job, op, ann, _bob = setup
    services.operator_clock_in(operator=ann)
    services.operator_indirect_start(operator=ann, kind="meeting")
    services.operator_indirect_stop(operator=ann)
    services.operator_join(operation=op, operator=ann)
    services.operator_leave(operation=op, operator=ann)
    now = timezone.now()
    Attendance.objects.filter(operator=ann).update(clock_in=now - timedelta(hours=3))
    IndirectTime.objects.filter(operator=ann).update(started_at=now - timedelta(hours=3),
                                                     stopped_at=now - timedelta(hours=2, minutes=30))  # fmt: skip
    LaborEntry.objects.filter(operator=ann).update(
        started_at=now - timedelta(hours=2), stopped_at=now - timedelta(hours=1)
    )
    day = selectors.operator_days(operator=ann, since=now - timedelta(days=1))
    assert day.clocked_hours == pytest.approx(Decimal("3"), abs=Decimal("0.01"))
    assert day.job_hours == Decimal("1.000") and day.indirect_hours == Decimal("0.500")
    assert day.unaccounted_hours == pytest.approx(Decimal("1.5"), abs=Decimal("0.01"))


def test_badges_and_pins(manager):
    profile = make_operator(manager, "Cy", pin="4711")
    assert profile.pin_hash.startswith(("pbkdf2", "md5", "argon2", "bcrypt")) and "4711" not in profile.pin_hash
    for bad in ("12", "1234567", "abcd", "1111", "1234"):
        with pytest.raises(ValidationError):
            services.operator_set_pin(profile=profile, pin=bad, by=manager)
    old = profile.badge_key
    services.operator_rotate_badge(profile=profile, by=manager)
    profile.refresh_from_db()
    assert profile.badge_key != old and len(profile.badge_key) >= 20
    assert not profile.user.has_usable_password()


def test_only_managers_manage_operators_and_kiosks(lead, manager):
    with pytest.raises(PermissionDenied):
        services.operator_create(first_name="X", last_name="", by=lead)
    profile = make_operator(manager, "Dee")
    with pytest.raises(PermissionDenied):
        services.operator_rotate_badge(profile=profile, by=lead)
    wc = Operation.objects.none().model.work_center.field.related_model.objects.create(
        code="K1", name="K", hourly_rate=1
    )
    with pytest.raises(PermissionDenied):
        services.kiosk_enroll(work_center=wc, name="t", by=lead)


def test_the_job_cost_report_counts_operators_labor(setup, manager):
    from jobs.reports import job_cost

    job, _op, ann, _bob = setup
    for op in job.operations.order_by("sequence"):
        services.operator_join(operation=op, operator=ann)
        _back(LaborEntry, 1, operation=op)
        _back(TimeEntry, 1, operation=op)
        services.operator_finish(operation=op, operator=ann, report_rest=True)
    machine = sum((e.hourly_rate for e in TimeEntry.objects.filter(operation__job=job)), Decimal(0))
    today = timezone.localdate()
    row = next(r for r in job_cost(group="job", start=today, end=today) if r[0] == job.number)
    # Three hours of Ann at 30 (give or take the seconds the test took).
    assert row[4] == pytest.approx(machine + 3 * Decimal("30.00"), abs=Decimal("0.20"))
