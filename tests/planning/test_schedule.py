"""Schedule runs: storage in one transaction, a failed or interrupted run leaves the previous schedule, the
newest request wins, one run at a time (PostgreSQL advisory lock), debounced requests after events."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job, Operation, WorkCenter
from planning.models import Holiday, PlannedJob, PlannedOperation, ScheduleRun
from planning.services import Busy, build_problem, schedule_execute, schedule_request, validate
from planning.services.schedule import LOCK_KEY, _solve
from planning.tasks import plan_nightly, run_schedule
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db
R = ScheduleRun.Status


def _jobs(office, manager, n=2):
    return [Job.objects.get(sales_order=approved_order(office, manager)) for _ in range(n)]


def _run(**kw) -> ScheduleRun:
    kw.setdefault("trigger", ScheduleRun.Trigger.ON_DEMAND)
    return ScheduleRun.objects.create(requested_at=timezone.now(), **kw)


def test_a_run_stores_the_schedule_and_the_operations_planned_times(office, manager, lead):
    jobs = _jobs(office, manager)
    first = jobs[0].operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    run = _run()
    assert schedule_execute(run_id=run.pk, seconds=1) == "done"
    run.refresh_from_db()
    assert (run.status, run.progress, run.jobs_count, run.operations_count) == (R.DONE, 100, 2, 6)
    assert run.solver_status and run.method and run.objective is not None
    planned = {p.operation_id: p for p in PlannedOperation.objects.filter(run=run)}
    ops = Operation.objects.filter(job__in=jobs)
    assert set(planned) == {op.pk for op in ops}
    for op in ops:
        assert (op.planned_start, op.planned_finish) == (planned[op.pk].start, planned[op.pk].finish)
    # The running operation stays where it is: at the plan's origin.
    assert planned[first.pk].is_fixed and planned[first.pk].start == run.origin
    # Each job's projected finish is its last operation's planned finish.
    for job in jobs:
        last = job.operations.order_by("sequence").last()
        assert PlannedJob.objects.get(run=run, job=job).finish == planned[last.pk].finish


def test_the_stored_schedule_holds_the_invariants(office, manager):
    _jobs(office, manager, n=4)
    built = build_problem()
    solution, _first = _solve(built.problem, 1)
    validate(built.problem, solution)  # raises InvalidSchedule otherwise
    # Capacity 1 everywhere: no two operations of a work center overlap.
    by_center = {}
    for op_id, info in built.tasks.items():
        by_center.setdefault(info.work_center_id, []).append((solution.starts[op_id], solution.ends[op_id]))
    for spans in by_center.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_a_failed_run_leaves_the_previous_schedule(office, manager):
    jobs = _jobs(office, manager)
    good = _run()
    assert schedule_execute(run_id=good.pk, seconds=1) == "done"
    before = dict(Operation.objects.filter(job__in=jobs).values_list("pk", "planned_start"))
    # The saw closes for good: no working minute left for its operations in any horizon.
    saw = WorkCenter.objects.get(code="SAW")
    today = timezone.localdate()
    Holiday.objects.bulk_create(
        [Holiday(date=today + datetime.timedelta(days=n), work_center=saw) for n in range(-1, 3800)]
    )
    bad = _run()
    assert schedule_execute(run_id=bad.pk, seconds=1) == "failed"
    bad.refresh_from_db()
    assert bad.status == R.FAILED and bad.message
    assert ScheduleRun.objects.filter(status=R.DONE).order_by("-id").first() == good
    assert PlannedOperation.objects.filter(run=good).count() == 6
    assert not PlannedOperation.objects.filter(run=bad).exists()
    assert dict(Operation.objects.filter(job__in=jobs).values_list("pk", "planned_start")) == before


def test_an_interrupted_run_is_marked_failed_by_the_next_one(office, manager):
    _jobs(office, manager, n=1)
    good = _run()
    schedule_execute(run_id=good.pk, seconds=1)
    killed = _run(status=R.RUNNING, started_at=timezone.now())  # its worker died holding nothing
    assert ScheduleRun.objects.filter(status=R.DONE).order_by("-id").first() == good
    nxt = _run()
    assert schedule_execute(run_id=nxt.pk, seconds=1) == "done"
    killed.refresh_from_db()
    assert killed.status == R.FAILED and "Interrupted" in killed.message
    assert not PlannedOperation.objects.filter(run=good).exists()  # only the schedule in force keeps rows
    assert PlannedOperation.objects.filter(run=nxt).count() == 3


def test_a_redelivered_message_of_a_dead_run_marks_it_failed(office, manager):
    _jobs(office, manager, n=1)
    good = _run()
    schedule_execute(run_id=good.pk, seconds=1)
    dead = _run(status=R.RUNNING, started_at=timezone.now())
    assert schedule_execute(run_id=dead.pk, seconds=1) == "skipped"
    dead.refresh_from_db()
    assert dead.status == R.FAILED and "Interrupted" in dead.message
    assert ScheduleRun.objects.filter(status=R.DONE).order_by("-id").first() == good
    assert PlannedOperation.objects.filter(run=good).count() == 3


def test_held_job_loses_its_planned_times_at_the_next_run(office, manager):
    held, kept = _jobs(office, manager)
    schedule_execute(run_id=_run().pk, seconds=1)
    assert not Operation.objects.filter(job=held, planned_start__isnull=True).exists()
    job_services.job_act(job=held, action="hold", reason="Drawing query", by=manager)
    schedule_execute(run_id=_run().pk, seconds=1)
    assert not Operation.objects.filter(job=held, planned_start__isnull=False).exists()
    assert not Operation.objects.filter(job=kept, planned_start__isnull=True).exists()


def test_the_newest_request_wins(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        older = schedule_request(trigger=ScheduleRun.Trigger.EVENT, reason="J-1 held")
        newer = schedule_request(trigger=ScheduleRun.Trigger.ON_DEMAND, by=manager)
    older.refresh_from_db()
    assert (older.status, newer.status) == (R.SUPERSEDED, R.QUEUED)
    assert schedule_execute(run_id=older.pk, seconds=1) == "skipped"
    assert schedule_execute(run_id=newer.pk, seconds=1) == "done"
    assert schedule_execute(run_id=newer.pk, seconds=1) == "skipped"  # a repeated message runs nothing twice


def test_an_older_queued_run_found_at_start_gives_way(django_capture_on_commit_callbacks):
    older, newer = _run(), _run()  # made directly: both queued (a request would have superseded the first)
    assert schedule_execute(run_id=older.pk, seconds=1) == "skipped"
    older.refresh_from_db()
    assert older.status == R.SUPERSEDED
    newer.refresh_from_db()
    assert newer.status == R.QUEUED


def test_plan_now_needs_plan_jobs(office):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        schedule_request(trigger=ScheduleRun.Trigger.ON_DEMAND, by=office)
    assert not ScheduleRun.objects.exists()


def test_the_task_runs_a_request_and_nightly_asks_for_one(office, manager):
    _jobs(office, manager, n=1)
    run = _run()
    assert run_schedule.apply(args=[run.pk]).get() == "done"
    nightly = ScheduleRun.objects.get(pk=plan_nightly.apply().get())
    assert nightly.trigger == ScheduleRun.Trigger.NIGHTLY


def test_events_ask_for_a_debounced_run(settings, office, manager, django_capture_on_commit_callbacks):
    """Each event asks (after its commit) for a run that waits PLANNING_DEBOUNCE_SECONDS: a burst of events
    makes one queued run (the later events ride on it, adding their reasons) and one task."""
    settings.PLANNING_AFTER_EVENTS = True
    first, second = _jobs(office, manager)
    ScheduleRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as asked:
        job_services.job_act(job=first, action="hold", reason="Customer query", by=manager)
        job_services.job_act(job=second, action="hold", reason="Drawing query", by=manager)
    assert not ScheduleRun.objects.exists()  # nothing inside the holds' transactions
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        for callback in asked:
            callback()
    runs = list(ScheduleRun.objects.order_by("id"))
    assert [(r.trigger, r.status, r.reason) for r in runs] == [
        ("event", R.QUEUED, f"{first.number} held; {second.number} held"),
    ]  # fmt: skip
    assert len(enqueued) == 1  # one task for the burst
    assert schedule_execute(run_id=runs[0].pk, seconds=1) == "done"


def test_an_event_after_the_run_started_asks_for_another(
    settings, office, manager, django_capture_on_commit_callbacks
):
    settings.PLANNING_AFTER_EVENTS = True
    first, second = _jobs(office, manager)
    ScheduleRun.objects.all().delete()

    def event(action):
        with django_capture_on_commit_callbacks(execute=False) as asked:
            action()
        with django_capture_on_commit_callbacks(execute=False):  # the requests, not their tasks
            for callback in asked:
                callback()

    event(lambda: job_services.job_act(job=first, action="hold", reason="Customer query", by=manager))
    started = ScheduleRun.objects.get()
    ScheduleRun.objects.filter(pk=started.pk).update(status=R.RUNNING)  # its worker took it: it read the data
    event(lambda: job_services.job_act(job=second, action="hold", reason="Drawing query", by=manager))
    assert ScheduleRun.objects.count() == 2
    assert ScheduleRun.objects.order_by("-id").first().reason == f"{second.number} held"
    # A queued run older than the debounce window is not relied on (its message may be lost): superseded.
    ScheduleRun.objects.all().delete()
    stale = _run(trigger=ScheduleRun.Trigger.EVENT)
    ScheduleRun.objects.filter(pk=stale.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    event(lambda: job_services.job_act(job=second, action="resume", by=manager))
    stale.refresh_from_db()
    assert stale.status == R.SUPERSEDED
    assert ScheduleRun.objects.get(status=R.QUEUED).reason == f"{second.number} resumed"


def test_no_event_runs_when_turned_off(settings, office, manager, django_capture_on_commit_callbacks):
    settings.PLANNING_AFTER_EVENTS = False
    job = _jobs(office, manager, n=1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_act(job=job, action="hold", reason="Customer query", by=manager)
    assert not ScheduleRun.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_run_at_a_time(postgres_only, office, manager):
    """Another session holds the schedule lock (a run is on): a request waits (Busy, still queued), then runs."""
    _jobs(office, manager, n=1)
    run = _run()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    other = psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")},
                            autocommit=True)  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with pytest.raises(Busy):
            schedule_execute(run_id=run.pk, seconds=1)
        run.refresh_from_db()
        assert run.status == R.QUEUED
        other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    finally:
        other.close()
    assert schedule_execute(run_id=run.pk, seconds=1) == "done"
