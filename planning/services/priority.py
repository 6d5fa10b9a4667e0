"""Schedules that are asked about, never stored: an order's jobs given priority over the current schedule.

Both capable to promise's second figure (planning.services.promise.promise_moving_work) and "what if this
order gets priority" (order_priority_what_if) start from the shop's open work as the engine sees it
(build_problem) and the current schedule's order of work: every open operation is loaded, by the serial
scheme of the dispatching rule (planning.engine.dispatch.serial: running operations where they are, then
each operation at the earliest minute its calendar, its predecessor and a free machine allow), in the order
of its planned start in the current schedule. Loaded in that order, no job finishes later than the current
schedule has it (each operation's old place is still free when its turn comes); that re-timed schedule is
the **baseline**. The order asked about is a block of work put somewhere in that sequence: at the end, it
takes what the baseline leaves (committed work does not move); at the front, it goes first and everything
else is re-timed around it. The engine's CP-SAT model is not used here: these answers must come in a
page's time, and a serial pass over the shop's work is fast (planning.engine.dispatch: O(n log n)).

"Late" is against each job's date: its order's promised date when the order has one, else the job's own
due date (the end of that day, as the schedule counts it).
"""

import datetime
import math
from bisect import bisect_left
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from jobs.models import Job, WorkCenter
from sales.models import SalesOrder, SalesOrderLine

from ..engine.dispatch import Loader, serial
from ..engine.problem import Job as EngineJob
from ..engine.problem import Problem, Resource, Solution, Task
from ..models import PlannedOperation, ScheduleRun
from .build import DAY, MAX_HORIZON_DAYS, WEIGHTS, Built, build_problem
from .calendars import at_minute, calendars_for, end_of_day, minutes_between, windows
from .promise import PROMISABLE, PROMISE_OUTSIDE_DAYS, routings_of

NEW = "new"  # the first part of the keys of a draft order's jobs and tasks (operation ids are ints)
MIN_DAYS = 365


@dataclass
class Scenario:
    """The shop's open work with the asked-about order's work (`block`, the jobs' keys) in one Problem."""

    built: Built
    problem: Problem
    block: list[Hashable]  # job keys of the order asked about
    rank: dict[Hashable, tuple]  # task key -> its place in the current schedule's sequence
    unrouted: list = field(default_factory=list)  # draft lines without a routing


@dataclass
class Slip:
    """Another order's projected finish before and after the asked-about order gets priority."""

    order: SalesOrder | None
    jobs: list[Job]
    before: datetime.datetime
    after: datetime.datetime
    target: datetime.date | None  # its promised date, else the latest due date of those jobs

    @property
    def minutes(self) -> int:
        return minutes_between(self.before, self.after)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def days(self) -> int:
        return (timezone.localdate(self.after) - timezone.localdate(self.before)).days

    @property
    def was_late(self) -> bool:
        return self.target is not None and self.before > end_of_day(self.target)

    @property
    def becomes_late(self) -> bool:
        return self.target is not None and self.after > end_of_day(self.target) and not self.was_late


def _duration(hours: Decimal, efficiency: int) -> int:
    return math.ceil(hours * 60 * 100 / Decimal(efficiency))


def draft_jobs(lines: list[SalesOrderLine], routings: dict[int, list], centers: dict, calendars: dict):
    """The engine jobs approval would make of a draft order's lines (their routing; outside steps as
    PROMISE_OUTSIDE_DAYS), and the lines without a routing."""
    jobs, unrouted = [], []
    for line in lines:
        steps = routings.get(line.pk) or []
        if not steps:
            unrouted.append(line)
            continue
        tasks = []
        for i, step in enumerate(steps):
            center = centers[step.work_center_id]
            if center.is_outside:
                duration = PROMISE_OUTSIDE_DAYS * DAY
            else:
                hours = Decimal(step.setup_hours) + Decimal(step.run_hours_per_piece) * line.quantity
                duration = _duration(hours, calendars[center.pk].efficiency_percent)
            tasks.append(Task(key=(NEW, line.pk, i), resource=center.pk, duration=duration))
        jobs.append((line, tasks))
    return jobs, unrouted


def _stored_starts(run: ScheduleRun | None, origin: datetime.datetime) -> dict[int, int]:
    if run is None:
        return {}
    rows = PlannedOperation.objects.filter(run=run).values_list("operation_id", "start")
    return {op: minutes_between(origin, start) for op, start in rows}


def scenario(*, order: SalesOrder, run: ScheduleRun | None, now: datetime.datetime | None = None) -> Scenario:
    """The Problem of the open work with `order`'s work in it: a draft or pending order's lines as the jobs
    approval would make, or an approved order's open jobs as they are. A fixed number of queries."""
    built = build_problem(now=now)
    origin = built.origin
    centers = {c.pk: c for c in WorkCenter.objects.all()}
    calendars = calendars_for(list(centers.values()))
    jobs = list(built.problem.jobs)
    unrouted, block = [], []
    if order.status in PROMISABLE:
        lines = list(SalesOrderLine.objects.filter(order=order, is_cancelled=False).select_related("item")
                     .order_by("due_date", "line_no"))  # fmt: skip
        made, unrouted = draft_jobs(lines, routings_of(lines), centers, calendars)
        for line, tasks in made:
            key = (NEW, line.pk)
            due = minutes_between(origin, end_of_day(line.due_date))
            jobs.append(EngineJob(key=key, tasks=tuple(tasks), due=due, weight=WEIGHTS[3]))
            built.due[key] = end_of_day(line.due_date)
            block.append(key)
    else:
        mine = set(Job.objects.filter(sales_order=order).values_list("pk", flat=True))
        block = [job.key for job in jobs if job.key in mine]
    # Room for the extra work: the horizon grows by all of it done one after another, and at least a year.
    extra = sum(t.duration for job in jobs if job.key in set(block) for t in job.tasks)
    horizon = min(max(built.problem.horizon, MIN_DAYS * DAY) + extra * 2 + 28 * DAY, (MAX_HORIZON_DAYS + 365) * DAY)
    used = {t.resource for job in jobs for t in job.tasks}
    known = {r.key: r.windows for r in built.problem.resources if r.windows and built.problem.horizon <= horizon}
    resources = []
    for pk in sorted(used):
        center, calendar = centers[pk], calendars[pk]
        if center.is_outside:
            resources.append(Resource(key=pk, capacity=1, windows=None, unlimited=True))
            continue
        fixed = sum(1 for job in jobs for t in job.tasks if t.resource == pk and t.fixed_start is not None)
        # The problem's windows reach its horizon already: only the days beyond it are made.
        if pk in known:
            spans = windows(calendar, origin=origin, horizon=horizon, since=built.problem.horizon, known=known[pk])
        else:
            spans = windows(calendar, origin=origin, horizon=horizon)
        resources.append(Resource(key=pk, capacity=max(calendar.capacity, fixed), windows=spans))
    problem = Problem(resources=tuple(resources), jobs=tuple(jobs), horizon=horizon)
    stored = _stored_starts(run, origin)
    # The current schedule's sequence: by planned start; work it does not hold yet (released since, or the
    # draft's) after it by due date. A job's operations keep their routing order whatever the stored times.
    rank: dict[Hashable, tuple] = {}
    never = float("inf")
    for job in sorted(jobs, key=lambda j: (j.due, -j.weight)):
        last = (-never,)
        for i, task in enumerate(job.tasks):
            key = (stored.get(task.key, never), job.due, str(job.key), i)
            key = max(key, last)
            rank[task.key] = key
            last = key
    return Scenario(built=built, problem=problem, block=block, rank=rank, unrouted=unrouted)


def sequence(sc: Scenario, *, cut: float | None) -> list[tuple[Task, Task | None]]:
    """Every (task, predecessor) in the current schedule's order with the block's jobs put in where the rest
    reaches minute `cut` of its sequence (0: the block first; None: the block last)."""
    block = set(sc.block)
    rest, mine = [], []
    for job in sc.problem.jobs:
        target = mine if job.key in block else rest
        for i, task in enumerate(job.tasks):
            target.append((task, job.tasks[i - 1] if i else None))
    rest.sort(key=lambda pair: sc.rank[pair[0].key])
    if cut is None:
        return rest + mine
    head = [pair for pair in rest if sc.rank[pair[0].key][0] < cut]
    tail = [pair for pair in rest if sc.rank[pair[0].key][0] >= cut]
    return head + mine + tail


def plan(sc: Scenario, *, cut: float | None) -> Solution:
    return serial(sc.problem, sequence(sc, cut=cut), method="what-if")


class Cuts:
    """The sequences of the second figure's search, loaded sharing their common part: every cut's sequence
    starts with a prefix of the rest (the work the current schedule starts before the cut), loaded in the
    same order as in the baseline, so those placements are the baseline's. The rest is loaded once, with a
    copy of the loader kept every CHECKPOINTS-th of the way, and a cut's schedule goes on from the last copy
    before its prefix ends; a trial that must keep other jobs' dates stops at the first job that misses one."""

    CHECKPOINTS = 24

    def __init__(self, sc: Scenario):
        self.sc = sc
        block = set(sc.block)
        rest, self.mine = [], []
        for job in sc.problem.jobs:
            target = self.mine if job.key in block else rest
            for i, task in enumerate(job.tasks):
                target.append((task, job.tasks[i - 1] if i else None))
        rest.sort(key=lambda pair: sc.rank[pair[0].key])
        self.rest = rest
        self.firsts = [sc.rank[pair[0].key][0] for pair in rest]
        loader = Loader(sc.problem)
        step = max(1, len(rest) // self.CHECKPOINTS)
        self.marks: list[tuple[int, Loader]] = []
        for at in range(0, len(rest), step):
            self.marks.append((at, loader.copy()))
            loader.load(rest[at : at + step])
        loader.load(self.mine)
        self.baseline = loader.solution("what-if")

    def trial(self, cut: float, limits: dict) -> Solution | None:
        """The schedule with the block put in at `cut` (priority.sequence), or None when a task in `limits`
        (task key -> minute) would end after its limit."""
        k = bisect_left(self.firsts, cut)  # the rest's tasks the schedule starts before the cut
        at, mark = (0, None)
        for pos, loader in self.marks:
            if pos <= k:
                at, mark = pos, loader
        loader = mark.copy() if mark is not None else Loader(self.sc.problem)
        loader.load(self.rest[at:k])
        if not loader.load(self.mine) or not loader.load(self.rest[k:], limits=limits):
            return None
        return loader.solution("what-if")


def finishes(sc: Scenario, solution: Solution) -> dict[Hashable, int]:
    return {job.key: solution.ends[job.tasks[-1].key] for job in sc.problem.jobs
            if job.tasks and job.tasks[-1].key in solution.ends}  # fmt: skip


def block_finish(sc: Scenario, solution: Solution) -> int | None:
    ends = finishes(sc, solution)
    values = [ends[key] for key in sc.block if key in ends]
    if len(values) < len(sc.block) or not values:
        return None
    return max(values)


@dataclass
class JobDates:
    """Each scheduled job's order and date (its order's promised date, else its own due date): plain values
    for every job (one query), the jobs and orders themselves only where a slip names them (slips)."""

    order_of: dict[int, int | None]
    target: dict[int, datetime.date]
    promised: dict[int, datetime.date | None]  # order id -> its promised date


def job_dates(job_ids) -> JobDates:
    order_of, target, promised = {}, {}, {}
    rows = Job.objects.filter(pk__in=list(job_ids)).values_list("pk", "due_date", "sales_order_id",
                                                                 "sales_order__promised_date")  # fmt: skip
    for pk, due, order_id, promised_date in rows:
        order_of[pk] = order_id
        if order_id:
            promised[order_id] = promised_date
        target[pk] = promised_date or due
    return JobDates(order_of=order_of, target=target, promised=promised)


def slips(sc: Scenario, before: dict, after: dict, dates: JobDates, *, skip_order: int | None) -> list[Slip]:
    """Other orders (and jobs without an order, each on its own) that finish later `after` than `before`,
    latest slip first. One query (the slipping jobs with their orders), whatever slips."""
    origin = sc.built.origin
    groups: dict[Hashable, list[int]] = {}
    for key in before:
        if not isinstance(key, int) or key not in after or key not in dates.target:
            continue
        order_id = dates.order_of.get(key)
        if order_id is not None and order_id == skip_order:
            continue
        groups.setdefault(("order", order_id) if order_id else ("job", key), []).append(key)
    slipping = [(group, keys) for group, keys in groups.items()
                if max(after[k] for k in keys) > max(before[k] for k in keys)]  # fmt: skip
    wanted = [k for _group, keys in slipping for k in keys]
    # pk__in=[] would skip the query: ask for an id that is never there instead, so the count stays fixed.
    jobs = {j.pk: j for j in Job.objects.filter(pk__in=wanted or [0]).select_related("sales_order__customer")}
    result = []
    for (kind, _ident), keys in slipping:
        b, a = max(before[k] for k in keys), max(after[k] for k in keys)
        order = jobs[keys[0]].sales_order if kind == "order" else None
        target = order.promised_date if order and order.promised_date else max(dates.target[k] for k in keys)
        result.append(Slip(order=order, jobs=sorted((jobs[k] for k in keys), key=lambda j: j.pk),
                           before=at_minute(origin, b), after=at_minute(origin, a), target=target))  # fmt: skip
    result.sort(key=lambda s: (-s.minutes, s.order.number if s.order else s.jobs[0].number))
    return result


@dataclass
class WhatIf:
    order: SalesOrder
    run: ScheduleRun | None
    before: datetime.datetime | None = None  # the order's finish in the baseline (its work where it is)
    after: datetime.datetime | None = None  # its finish with priority
    slips: list[Slip] = field(default_factory=list)
    unrouted: list = field(default_factory=list)
    nothing_to_plan: bool = False

    @property
    def gained_days(self) -> int:
        if not self.before or not self.after:
            return 0
        return (timezone.localdate(self.before) - timezone.localdate(self.after)).days

    @property
    def late_slips(self) -> list[Slip]:
        return [s for s in self.slips if s.becomes_late]


def order_priority_what_if(*, order: SalesOrder, run: ScheduleRun | None,
                           now: datetime.datetime | None = None) -> WhatIf:  # fmt: skip
    """What if `order` gets priority: its work first, the rest of the current schedule re-timed around it.
    Which other orders would finish later, and by how much. Reads only: nothing is stored."""
    sc = scenario(order=order, run=run, now=now)
    answer = WhatIf(order=order, run=run, unrouted=sc.unrouted)
    if not sc.block:
        answer.nothing_to_plan = True
        return answer
    base, first = plan(sc, cut=None), plan(sc, cut=0)
    b, a = block_finish(sc, base), block_finish(sc, first)
    origin = sc.built.origin
    answer.before = at_minute(origin, b) if b is not None else None
    answer.after = at_minute(origin, a) if a is not None else None
    before, after = finishes(sc, base), finishes(sc, first)
    dates = job_dates(k for k in before if isinstance(k, int))
    answer.slips = slips(sc, before, after, dates, skip_order=order.pk)
    return answer
