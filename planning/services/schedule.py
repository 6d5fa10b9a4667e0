"""Schedule runs: a request (on demand, nightly, after an event), its execution one at a time with the newest
request winning, and the storage of its result in one transaction at the end.

A run is `queued` when asked for; a newer request supersedes every queued one (the newest wins, and events
in a burst end up as one run: each event's request waits PLANNING_DEBOUNCE_SECONDS first). Execution takes
a PostgreSQL advisory lock (session level: a worker that dies lets it go with its connection); a request
that finds it taken waits for the running one (the task retries). The result is validated, then the
planned operations, the jobs' projected finishes, the operations' planned start and finish (through the
jobs service) and the run's `done` go in one transaction: a run that fails or is killed leaves the
previous schedule (the newest `done` run) in place, and the next run marks it failed ("interrupted").
"""

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from jobs.services import operations_set_planned
from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import PlannedJob, PlannedOperation, ScheduleRun
from .build import Built, build_problem
from .calendars import at_minute
from .validate import InvalidSchedule, validate

log = logging.getLogger(__name__)
R = ScheduleRun.Status
INTERRUPTED = "Interrupted (the worker stopped); the schedule before it stays."
LOCK_KEY = 0x504C414E  # "PLAN": one schedule run at a time in the whole installation


class Busy(Exception):
    """Another run holds the lock; try again when it is done."""


def _solve(problem, seconds: int):
    """THE call site of the engine: CP-SAT warm-started from the earliest-due-date dispatch. Returns (solution,
    first): first is the dispatch schedule, kept in case the solver's answer does not validate."""
    from ..engine import cpsat
    from ..engine.dispatch import dispatch

    first = dispatch(problem)
    solution = cpsat.solve(problem, seconds=seconds, workers=settings.PLANNING_SOLVER_WORKERS,
                           objective="tardiness", hint=first)  # fmt: skip
    # At shop scale the full model finds no schedule in its time: a rolling window of CP-SAT improves the
    # best schedule so far (never worse; small problems are left to the full model).
    extra = settings.PLANNING_WINDOW_SECONDS
    if solution.status != "infeasible" and extra > 0:
        from ..engine import window

        solution = window.improve(problem, solution, seconds=extra, workers=settings.PLANNING_SOLVER_WORKERS)
    return solution, first


# --- requests ---------------------------------------------------------------------------------------------


def _enqueue(run_id: int, countdown: int) -> None:
    from ..tasks import run_schedule

    try:
        run_schedule.apply_async(args=[run_id], countdown=countdown or None, retry=False)
    except Exception:  # noqa: BLE001 - the broker may be down: the run stays queued; the nightly run or the next request
        log.warning("could not enqueue schedule run %s", run_id, exc_info=True)


@atomic_with_retry
def schedule_request(*, trigger: str, by: User | None = None, reason: str = "", countdown: int = 0) -> ScheduleRun:
    """Ask for a new schedule: the newest request wins, so every queued older one is superseded.
    A person needs plan_jobs (Plan now); by None is the system (nightly, after an event)."""
    if by is not None and not by.has_perm("mto.plan_jobs"):
        raise PermissionDenied("Your role does not allow this.")
    now = timezone.now()
    queued = list(ScheduleRun.objects.select_for_update().filter(status=R.QUEUED).values_list("pk", flat=True))
    ScheduleRun.objects.filter(pk__in=queued).update(status=R.SUPERSEDED, finished_at=now, stage="A newer request")
    run = ScheduleRun.objects.create(trigger=trigger, requested_by=by, requested_at=now, reason=reason[:200],
                                     stage="Waiting to start")  # fmt: skip
    transaction.on_commit(lambda: _enqueue(run.pk, countdown))
    return run


def schedule_request_after_event(reason) -> None:
    """After a change that moves the plan (approval, hold, resume, release, scrap, remake, change order, a
    receipt, a vendor's date): a debounced request, made once the change commits (so the request's row is not in
    the change's transaction, and the run reads the change). `reason` may be a callable, called only when
    events ask for runs (PLANNING_AFTER_EVENTS), so a reason that needs a query costs nothing otherwise."""
    if not settings.PLANNING_AFTER_EVENTS:
        return
    if callable(reason):
        reason = reason()
    transaction.on_commit(lambda: schedule_request_event(reason=reason))


EVENT_REASONS = 200


@atomic_with_retry
def schedule_request_event(*, reason: str) -> ScheduleRun:
    """One run per burst of events: a run still queued (not started, so it will read this event's data) and
    asked for within the debounce window covers the event, which only adds its reason; else a new request that
    waits PLANNING_DEBOUNCE_SECONDS (the events that follow within it ride on it). A queued run older than the
    window (its message lost with the broker, say) is superseded by the new request, not relied on."""
    window = datetime.timedelta(seconds=settings.PLANNING_DEBOUNCE_SECONDS + 60)
    recent = timezone.now() - window
    pending = ScheduleRun.objects.select_for_update().filter(status=R.QUEUED, requested_at__gte=recent).order_by("-id")
    pending = pending.first()
    if pending is None:
        return schedule_request(trigger=ScheduleRun.Trigger.EVENT, reason=reason,
                                countdown=settings.PLANNING_DEBOUNCE_SECONDS)  # fmt: skip
    reasons = [r for r in pending.reason.split("; ") if r]
    if reason not in reasons:
        joined = "; ".join([*reasons, reason])
        short = pending.reason[: EVENT_REASONS - 10] + "; and more"
        pending.reason = joined if len(joined) <= EVENT_REASONS else short
        pending.save(update_fields=["reason"])
    return pending


def schedule_now(*, by: User | None = None, reason: str = "", seconds: int | None = None) -> ScheduleRun:
    """Make a schedule in this process, now (the demo, management commands): a request not sent to a
    worker, then its execution (which still waits for nobody: Busy if a run is on)."""
    if by is not None and not by.has_perm("mto.plan_jobs"):
        raise PermissionDenied("Your role does not allow this.")
    with transaction.atomic():
        now = timezone.now()
        ScheduleRun.objects.select_for_update().filter(status=R.QUEUED).update(
            status=R.SUPERSEDED, finished_at=now, stage="A newer request"
        )
        run = ScheduleRun.objects.create(trigger=ScheduleRun.Trigger.ON_DEMAND, requested_by=by, requested_at=now,
                                         reason=reason[:200])  # fmt: skip
    schedule_execute(run_id=run.pk, seconds=seconds)
    run.refresh_from_db()
    return run


# --- execution --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def run_lock():
    """The installation's one schedule lock (a session-level PostgreSQL advisory lock); raises Busy."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise Busy
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _progress(run_id: int, percent: int, stage: str, **fields) -> None:
    ScheduleRun.objects.filter(pk=run_id).update(progress=percent, stage=stage, **fields)


def _claim(run_id: int) -> ScheduleRun | None:
    """queued -> running, unless it was superseded or already taken; an older run still marked running
    (its worker was killed: we hold the lock now) becomes failed."""
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().filter(pk=run_id).first()
        now = timezone.now()
        if run is not None and run.status == R.RUNNING:
            # Its message came again (acks_late: the worker that ran it died) and we hold the lock: it is dead.
            run.status, run.finished_at, run.message = R.FAILED, now, INTERRUPTED
            run.save(update_fields=["status", "finished_at", "message"])
            return None
        if run is None or run.status != R.QUEUED:
            return None
        ScheduleRun.objects.filter(status=R.RUNNING).update(status=R.FAILED, finished_at=now, message=INTERRUPTED)
        if ScheduleRun.objects.filter(status=R.QUEUED, pk__gt=run.pk).exists():
            run.status, run.finished_at, run.stage = R.SUPERSEDED, now, "A newer request"
            run.save(update_fields=["status", "finished_at", "stage"])
            return None
        run.status, run.started_at, run.progress, run.stage = R.RUNNING, now, 5, "Reading the open work"
        run.save(update_fields=["status", "started_at", "progress", "stage"])
        return run


def schedule_execute(*, run_id: int, seconds: int | None = None) -> str:
    """Run one requested schedule (the task's body). Returns what happened: "done", "failed", "skipped";
    raises Busy when another run holds the lock (the run stays queued)."""
    seconds = settings.PLANNING_SOLVER_SECONDS if seconds is None else seconds
    with run_lock():
        run = _claim(run_id)
        if run is None:
            return "skipped"
        began = time.monotonic()
        try:
            built = build_problem()
            count = sum(len(job.tasks) for job in built.problem.jobs)
            _progress(run_id, 20, f"Solving (up to {seconds} s)", origin=built.origin,
                      jobs_count=len(built.problem.jobs), operations_count=count)  # fmt: skip
            solution, first = _solve(built.problem, seconds)
            _progress(run_id, 90, "Checking and storing")
            solution = _checked(built, solution, first)
            schedule_store(run_id=run_id, built=built, solution=solution, seconds=time.monotonic() - began)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the previous schedule; the run says why
            log.exception("schedule run %s failed", run_id)
            message = f"{type(exc).__name__}: {exc}"[:500]
            ScheduleRun.objects.filter(pk=run_id, status=R.RUNNING).update(
                status=R.FAILED, finished_at=timezone.now(), message=message, seconds=time.monotonic() - began
            )
            return "failed"
    return "done"


def _checked(built: Built, solution, first):
    """The solver's answer if it holds every invariant, else the dispatch schedule if that does."""
    try:
        if solution.status == "infeasible":
            raise InvalidSchedule("the solver found no schedule")
        validate(built.problem, solution)
        return solution
    except InvalidSchedule:
        if solution is first:
            raise
        log.warning("the solver's schedule did not validate; storing the dispatch schedule", exc_info=True)
        validate(built.problem, first)
        return first


@atomic_with_retry
def schedule_store(*, run_id: int, built: Built, solution, seconds: float) -> ScheduleRun:
    """Store a validated solution as the schedule, all at once: planned operations and jobs, the operations'
    planned times (jobs service), the run done; older runs' rows go (their header rows stay as history)."""
    run = ScheduleRun.objects.select_for_update().get(pk=run_id)
    if run.status != R.RUNNING:
        raise InvalidSchedule(f"run {run_id} is {run.status}, not running")
    origin = built.origin
    planned_ops, times = [], {}
    for op_id, info in built.tasks.items():
        start, finish = at_minute(origin, solution.starts[op_id]), at_minute(origin, solution.ends[op_id])
        times[op_id] = (start, finish)
        planned_ops.append(PlannedOperation(run_id=run_id, operation_id=op_id, job_id=info.job_id,
                                            work_center_id=info.work_center_id, start=start, finish=finish,
                                            work_minutes=info.work_minutes, is_fixed=info.fixed))  # fmt: skip
    planned_jobs, late = [], 0
    for job in built.problem.jobs:
        if not job.tasks:
            continue
        finish = at_minute(origin, solution.job_finish(job))
        due = built.due[job.key]
        late += finish > due
        planned_jobs.append(PlannedJob(run_id=run_id, job_id=job.key, finish=finish, due=due,
                                       weight=built.weights[job.key]))  # fmt: skip
    PlannedOperation.objects.exclude(run_id=run_id).delete()
    PlannedJob.objects.exclude(run_id=run_id).delete()
    PlannedOperation.objects.bulk_create(planned_ops, batch_size=2000)
    PlannedJob.objects.bulk_create(planned_jobs, batch_size=2000)
    operations_set_planned(planned=times, by=None)
    run.status, run.finished_at, run.progress, run.stage = R.DONE, timezone.now(), 100, "Done"
    run.method, run.solver_status = solution.method[:20], solution.status[:20]
    run.objective, run.bound, run.seconds, run.late_jobs = solution.objective, solution.bound, seconds, late
    run.save()
    return run
