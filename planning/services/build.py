"""The shop's open work as the engine's Problem (planning.engine.problem), and what is needed to store the
answer: which job and work center each task is, and the plan's origin.

Open work: every operation not done of the released and in-progress jobs (jobs on hold are left out, and so
are planned jobs, not released to the floor yet). Per operation, in exact integer minutes:
- remaining work = (setup hours if not started yet + run hours per piece x pieces still to make) x 60
  x 100 / efficiency %, rounded up; pieces still to make = the job's quantity less the good pieces reported;
- a running operation is fixed where it is (time 0), and the one after it may overlap it (pieces pass on);
- an operation at an outside work center is its vendor lead time in calendar minutes (purchasing's
  OutsideOperation.lead_days, else the vendor's lead days), on an unlimited resource with no calendar;
- an operation whose material is not ready (material_ready False) starts no earlier than the start of the
  latest due date of the open PO lines of the material it waits on (or, for material not on a PO yet,
  today plus the preferred vendor's lead days, or NOT_BOUGHT_DAYS);
- the job is due at the end of its due date; its weight is WEIGHTS[priority] (1, urgent, weighs most).
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from jobs.models import Job, Operation, WorkCenter
from jobs.workflow import J, O
from purchasing.models import MaterialRequirement, OutsideOperation, PurchaseOrderLine

from ..engine.problem import Job as EngineJob
from ..engine.problem import Problem, Resource, Task
from .calendars import Calendar, calendars_for, end_of_day, minutes_between, start_of_day, windows

WEIGHTS = {1: 16, 2: 8, 3: 4, 4: 2, 5: 1}
NOT_BOUGHT_DAYS = 7
DAY = 24 * 60
MIN_HORIZON_DAYS = 28
# A backlog longer than this gets no schedule (the run fails and says so). Three years was too short for the
# 100,000-order benchmark set, whose open work needs five years of its busiest work center at the default
# calendar (docs/performance.md); the horizon costs the engine only its windows, a few thousand per work center.
MAX_HORIZON_DAYS = 10 * 365
PLANNED_JOBS = (J.RELEASED, J.IN_PROGRESS)


@dataclass(frozen=True)
class TaskInfo:
    operation_id: int
    job_id: int
    work_center_id: int
    work_minutes: int
    fixed: bool


@dataclass
class Built:
    problem: Problem
    origin: datetime.datetime
    tasks: dict[int, TaskInfo] = field(default_factory=dict)  # operation id -> what it is
    due: dict[int, datetime.datetime] = field(default_factory=dict)  # job id -> end of its due date
    weights: dict[int, int] = field(default_factory=dict)


class _JobRow:
    __slots__ = ("pk", "quantity", "due_date", "priority")

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


class _OpRow:
    """The fields of an Operation that planning reads (work_minutes takes either)."""

    __slots__ = ("pk", "job_id", "sequence", "work_center_id", "status", "setup_hours", "run_hours_per_piece",
                 "good_qty", "scrap_qty", "started_at", "material_ready")  # fmt: skip

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def plan_origin(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    return now.replace(second=0, microsecond=0)


def work_minutes(op: Operation, quantity: int, calendar: Calendar) -> int:
    """The operation's remaining work in whole minutes at the work center's efficiency."""
    to_make = max(quantity - op.good_qty, 0)
    hours = op.run_hours_per_piece * to_make
    if op.started_at is None and op.status == O.PENDING:
        hours += op.setup_hours
    standard = hours * 60 * 100 / Decimal(calendar.efficiency_percent)
    return math.ceil(standard)


def _material_waits(op_ids_waiting: set[int], first_of_job: dict[int, int], today: datetime.date,
                    jobs_waiting: set[int] | None = None):  # fmt: skip
    """Operation id -> the day its material is expected (the latest of what it waits on)."""
    if not op_ids_waiting:
        return {}
    open_lines = PurchaseOrderLine.objects.filter(is_cancelled=False).only("id", "requirement_id", "due_date")
    requirements = (
        # Only the jobs with an operation waiting for material (a requirement is its own job's).
        MaterialRequirement.objects.filter(job_id__in=set(first_of_job) if jobs_waiting is None else jobs_waiting)
        .select_related("vendor")
        .prefetch_related(Prefetch("po_lines", queryset=open_lines, to_attr="open_lines"))
    )
    expected: dict[int, datetime.date] = {}
    for requirement in requirements:
        if requirement.is_fulfilled:
            continue
        consumer = requirement.operation_id or first_of_job.get(requirement.job_id)
        if consumer not in op_ids_waiting:
            continue
        if requirement.open_lines:
            day = max(line.due_date for line in requirement.open_lines)
        else:
            lead = requirement.vendor.lead_days if requirement.vendor else NOT_BOUGHT_DAYS
            day = today + datetime.timedelta(days=lead)
        expected[consumer] = max(expected.get(consumer, day), day)
    return expected


def _outside_lead_days(op_ids: list[int]) -> dict[int, int]:
    rows = OutsideOperation.objects.filter(operation_id__in=op_ids).select_related("vendor")
    return {row.operation_id: row.lead_days or (row.vendor.lead_days if row.vendor else 0) for row in rows}


def build_problem(*, now: datetime.datetime | None = None) -> Built:
    """The Problem of the shop's open work (a fixed number of queries whatever its size)."""
    origin = plan_origin(now)
    today = timezone.localdate(origin)
    # Rows, not model instances: at 100,000 orders building thousands of instances was most of the time.
    jobs = [_JobRow(*row) for row in Job.objects.filter(status__in=PLANNED_JOBS).order_by("id")
            .values_list("id", "quantity", "due_date", "priority")]  # fmt: skip
    ops_of: dict[int, list[_OpRow]] = defaultdict(list)
    for row in (
        Operation.objects.filter(job__status__in=PLANNED_JOBS)
        .order_by("job_id", "sequence", "id")
        .values_list(*_OpRow.__slots__)
    ):
        ops_of[row[1]].append(_OpRow(*row))
    centers = {c.pk: c for c in WorkCenter.objects.all()}
    calendars = calendars_for(list(centers.values()))

    open_ops: list[tuple[Job, list[Operation]]] = []
    first_of_job, waiting, outside_ids, jobs_waiting = {}, set(), [], set()
    for job in jobs:
        ops = ops_of.get(job.pk, [])
        if ops:
            first_of_job[job.pk] = ops[0].pk
        remaining = [op for op in ops if op.status != O.DONE]
        if not remaining:
            continue
        open_ops.append((job, ops))
        for op in remaining:
            if centers[op.work_center_id].is_outside:
                outside_ids.append(op.pk)
            elif not op.material_ready:
                waiting.add(op.pk)
                jobs_waiting.add(job.pk)
    expected = _material_waits(waiting, first_of_job, today, jobs_waiting)
    lead_days = _outside_lead_days(outside_ids)

    built = Built(problem=None, origin=origin)  # type: ignore[arg-type]
    engine_jobs, fixed_count, used = [], defaultdict(int), set()
    latest_due, total_by_center = 0, defaultdict(int)
    for job, ops in open_ops:
        tasks, previous = [], None
        for op in ops:
            if op.status == O.DONE:
                previous = op
                continue
            center = centers[op.work_center_id]
            calendar = calendars[center.pk]
            running = op.status == O.RUNNING
            if center.is_outside:
                duration = lead_days.get(op.pk, 0) * DAY
            else:
                duration = work_minutes(op, job.quantity, calendar)
                total_by_center[center.pk] += duration
            earliest = 0
            if op.pk in expected and not running:
                earliest = max(minutes_between(origin, start_of_day(expected[op.pk])), 0)
            # Pieces already passed on (or both running): this one may overlap the one before it.
            overlap = 0 if previous is not None and (running or previous.good_qty > 0) else None
            if previous is not None and previous.status == O.DONE:
                overlap = None
            tasks.append(Task(key=op.pk, resource=center.pk, duration=duration, earliest_start=earliest,
                              fixed_start=0 if running else None, overlap_minutes=overlap))  # fmt: skip
            built.tasks[op.pk] = TaskInfo(op.pk, job.pk, center.pk, duration, running)
            if running and not center.is_outside:
                fixed_count[center.pk] += 1
            used.add(center.pk)
            previous = op
        due = end_of_day(job.due_date)
        built.due[job.pk] = due
        built.weights[job.pk] = WEIGHTS.get(job.priority, 1)
        due_minute = minutes_between(origin, due)
        latest_due = max(latest_due, due_minute)
        engine_jobs.append(EngineJob(key=job.pk, tasks=tuple(tasks), due=due_minute, weight=built.weights[job.pk]))

    horizon = _horizon(latest_due, total_by_center, calendars, expected, lead_days, today)
    resources = []
    for pk in sorted(used):
        center, calendar = centers[pk], calendars[pk]
        if center.is_outside:
            resources.append(Resource(key=pk, capacity=1, windows=None, unlimited=True))
            continue
        # More operations running at once than the calendar says (two people on one machine): they stay.
        capacity = max(calendar.capacity, fixed_count[pk])
        resources.append(Resource(key=pk, capacity=capacity, windows=windows(calendar, origin=origin,
                                                                             horizon=horizon)))  # fmt: skip
    built.problem = Problem(resources=tuple(resources), jobs=tuple(engine_jobs), horizon=horizon)
    return built


def _horizon(latest_due, total_by_center, calendars, expected, lead_days, today) -> int:
    """Long enough for all the work done one after another at each work center, after the last due date,
    the latest material and the longest lead time; at least MIN_HORIZON_DAYS."""
    from .calendars import minutes_per_week

    days = MIN_HORIZON_DAYS + max(latest_due, 0) // DAY
    for pk, minutes in total_by_center.items():
        calendar = calendars[pk]
        per_week = max(minutes_per_week(calendar) * calendar.capacity, 60)
        days += math.ceil(minutes / per_week) * 7 + 7 * (1 + len(calendar.holidays) // 5)
    if expected:
        days += max((day - today).days for day in expected.values())
    days += sum(lead_days.values()) if lead_days else 0
    return min(days, MAX_HORIZON_DAYS) * DAY
