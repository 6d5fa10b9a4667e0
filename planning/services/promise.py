"""Capable to promise: the earliest ship date of a draft or pending order, its jobs planned into the current
schedule without moving committed work (every planned operation stays where it is and keeps its machine).

Each line becomes the job approval would make (the quoted routing through jobs.signals.routing_for_lines,
else the item's routing), its operations placed one after another, each at the first time its work center
has a machine free for the whole span within its calendar; lines are placed in due-date order. A line
without a routing yet (a custom part before engineering) cannot be promised and is listed as such.
Outside work centers count PROMISE_OUTSIDE_DAYS of calendar time (no vendor is chosen before approval).
"""

import datetime
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from jobs.models import Job, RoutingStep, WorkCenter
from jobs.signals import routing_for_lines
from sales.models import SalesOrder, SalesOrderLine

from ..engine.calendar import Calendar as EngineCalendar
from ..models import PlannedOperation, ScheduleRun
from .build import DAY, plan_origin
from .calendars import at_minute, calendars_for, end_of_day, minutes_between, windows

PROMISE_OUTSIDE_DAYS = 7
PROMISABLE = (SalesOrder.Status.DRAFT, SalesOrder.Status.PENDING_APPROVAL)


@dataclass
class Promise:
    run: ScheduleRun | None
    ship_date: datetime.date | None = None
    finish: datetime.datetime | None = None
    lines: list = field(default_factory=list)  # (line, finish datetime)
    unrouted: list = field(default_factory=list)  # lines without a routing
    too_far: bool = False  # the calendars leave no room within the plan's horizon (promise_horizon)


def routings_of(lines: list[SalesOrderLine]) -> dict[int, list]:
    quoted = {}
    for _receiver, answer in routing_for_lines.send(sender=Job, lines=lines):
        quoted.update(answer or {})
    steps: dict[int, list] = {}
    for step in RoutingStep.objects.filter(item_id__in={ln.item_id for ln in lines if ln.item_id}).order_by(
        "item_id", "sequence"
    ):
        steps.setdefault(step.item_id, []).append(step)
    return {ln.pk: quoted.get(ln.pk) or (steps.get(ln.item_id) if ln.item_id else None) or [] for ln in lines}


class _Load:
    """One work center's planned load as a step function of its working minutes (W-space, see
    planning.engine.calendar): breakpoints and the number of operations planned on each step. An operation
    fits at W-minute w when every step of [w, w + its minutes) has fewer than `capacity` operations; the
    search walks steps, not minutes, and the steps are as many as the planned operations' ends."""

    def __init__(self, calendar: EngineCalendar, capacity: int, busy: list[tuple[int, int]]):
        self.calendar, self.capacity = calendar, capacity
        delta: dict[int, int] = {}
        for start, end in busy:
            a, b = calendar.worked_before(start), calendar.worked_before(end)
            if b > a:
                delta[a] = delta.get(a, 0) + 1
                delta[b] = delta.get(b, 0) - 1
        self.points, self.load = [0], [0]  # load[i] on [points[i], points[i + 1]); the last step is open
        level = 0
        for w in sorted(delta):
            level += delta[w]
            if w == self.points[-1]:
                self.load[-1] = level
            else:
                self.points.append(w)
                self.load.append(level)

    def place(self, earliest: int, duration: int) -> tuple[int, int] | None:
        """The first (start, end) in minutes at or after `earliest` with room for `duration` working minutes
        (None when the calendar runs out), taken."""
        cal, points, load = self.calendar, self.points, self.load
        if self.capacity < 1:
            return None
        w0 = cal.worked_before(earliest)
        i = bisect_right(points, w0) - 1
        run = None
        while True:
            if load[i] < self.capacity:
                if run is None:
                    run = max(points[i], w0)
                if i + 1 == len(points) or points[i + 1] - run >= duration:
                    break
            else:
                run = None
            i += 1
        if run + duration > cal.total:
            return None
        self._take(run, run + duration)
        return cal.minute_of_work(run), cal.minute_of_work(run + duration - 1) + 1

    def _take(self, a: int, b: int) -> None:
        for w in (a, b):
            i = bisect_right(self.points, w) - 1
            if self.points[i] != w:
                self.points.insert(i + 1, w)
                self.load.insert(i + 1, self.load[i])
        i, j = bisect_left(self.points, a), bisect_left(self.points, b)
        for k in range(i, j):
            self.load[k] += 1


def promise_horizon(plan_end: int, lines, routings: dict, centers: dict, calendars: dict) -> int:
    """Minutes ahead the first figure looks: the stored schedule's end, then the order's own work done one
    operation after another at each work center's weekly hours, its outside days, and four weeks' room."""
    from .calendars import minutes_per_week

    days = 28 + max(plan_end, 0) // DAY
    for line in lines:
        for step in routings.get(line.pk) or ():
            center = centers[step.work_center_id]
            if center.is_outside:
                days += PROMISE_OUTSIDE_DAYS
                continue
            calendar = calendars[center.pk]
            hours = Decimal(step.setup_hours) + Decimal(step.run_hours_per_piece) * line.quantity
            minutes = hours * 60 * 100 / Decimal(calendar.efficiency_percent)
            days += math.ceil(minutes / max(minutes_per_week(calendar), 60)) * 7 + 7 * (
                1 + len(calendar.holidays) // 5
            )
    return days * DAY


def capable_to_promise(*, order: SalesOrder, run: ScheduleRun | None, now: datetime.datetime | None = None) -> Promise:
    """The order's earliest ship date against `run` (the current schedule); a fixed number of queries. It
    looks as far ahead as the plan reaches (the stored schedule's end) plus the order's own work."""
    origin = plan_origin(now)
    promise = Promise(run=run)
    lines = list(SalesOrderLine.objects.filter(order=order, is_cancelled=False).select_related("item")
                 .order_by("due_date", "line_no"))  # fmt: skip
    if not lines:
        return promise
    routings = routings_of(lines)
    centers = {c.pk: c for c in WorkCenter.objects.all()}
    calendars = calendars_for(list(centers.values()))
    busy: dict[int, list[tuple[int, int]]] = {}
    plan_end = 0
    if run is not None:
        for wc_id, start, finish in PlannedOperation.objects.filter(run=run, finish__gt=origin).values_list(
            "work_center_id", "start", "finish"
        ):
            end = minutes_between(origin, finish)
            busy.setdefault(wc_id, []).append((max(minutes_between(origin, start), 0), end))
            plan_end = max(plan_end, end)
    horizon = promise_horizon(plan_end, lines, routings, centers, calendars)
    loads: dict[int, _Load] = {}
    latest = 0
    for line in lines:
        steps = routings[line.pk]
        if not steps:
            promise.unrouted.append(line)
            continue
        t = 0
        for step in steps:
            center = centers[step.work_center_id]
            if center.is_outside:
                t += PROMISE_OUTSIDE_DAYS * DAY
                continue
            calendar = calendars[center.pk]
            hours = Decimal(step.setup_hours) + Decimal(step.run_hours_per_piece) * line.quantity
            duration = math.ceil(hours * 60 * 100 / Decimal(calendar.efficiency_percent))
            if center.pk not in loads:
                spans = EngineCalendar(windows(calendar, origin=origin, horizon=horizon))
                loads[center.pk] = _Load(spans, calendar.capacity, busy.get(center.pk, []))
            if duration <= 0:
                continue
            placed = loads[center.pk].place(t, duration)
            if placed is None:
                promise.too_far = True
                return promise
            t = placed[1]
        promise.lines.append((line, at_minute(origin, t)))
        latest = max(latest, t)
    if promise.lines:
        promise.finish = at_minute(origin, latest)
        promise.ship_date = timezone.localdate(promise.finish)
    promise.lines.sort(key=lambda pair: pair[0].line_no)
    return promise


# --- the second figure: committed work may move, as long as no other order becomes late -------------------


@dataclass
class SecondFigure:
    """The earliest ship date when committed work may move where no other order becomes late (nor later than
    the current schedule has it, where it is late already): the order's jobs put in as early in the current
    schedule's sequence as that rule allows (planning.services.priority)."""

    run: ScheduleRun | None
    ship_date: datetime.date | None = None
    finish: datetime.datetime | None = None
    lines: list = field(default_factory=list)  # (line, finish datetime)
    unrouted: list = field(default_factory=list)
    moved: list = field(default_factory=list)  # priority.Slip of every other order that finishes later
    too_far: bool = False
    tries: int = 0  # schedules made in the search
    # Every other scheduled job's projected finish in this figure's schedule, and its deadline (job id ->).
    projected: dict = field(default_factory=dict)
    deadlines: dict = field(default_factory=dict)
    baseline: dict = field(default_factory=dict)  # with nothing moved

    @property
    def moves_work(self) -> bool:
        return bool(self.moved)


def promise_moving_work(*, order: SalesOrder, run: ScheduleRun | None,
                        now: datetime.datetime | None = None) -> SecondFigure:  # fmt: skip
    """Capable to promise's second figure (see SecondFigure). Nothing is stored; a fixed number of queries.

    The search: the order's work goes in at a cut of the current schedule's sequence (everything planned to
    start before the cut keeps its turn, everything after it waits for the order); the cuts tried are the
    days of the schedule, earliest first by bisection, and the earliest cut whose schedule keeps every other
    job by its deadline wins, where a job's deadline is the later of its date (its order's promised date,
    else its due date) and its finish with the order's work put in last (the baseline: nothing moved)."""
    from . import priority

    sc = priority.scenario(order=order, run=run, now=now)
    figure = SecondFigure(run=run, unrouted=sc.unrouted)
    if not sc.block:
        return figure
    origin = sc.built.origin
    cuts = priority.Cuts(sc)
    base = cuts.baseline
    before = priority.finishes(sc, base)
    figure.tries = 1
    if priority.block_finish(sc, base) is None:
        figure.too_far = True
        return figure
    dates = priority.job_dates(k for k in before if isinstance(k, int))
    deadline = {k: max(minutes_between(origin, end_of_day(dates.target[k])), before[k])
                for k in before if isinstance(k, int) and k in dates.target}  # fmt: skip
    last_task = {job.key: job.tasks[-1].key for job in sc.problem.jobs if job.tasks}
    limits = {last_task[k]: limit for k, limit in deadline.items()}

    days = sorted({int(rank[0]) // DAY * DAY for rank in sc.rank.values() if rank[0] != float("inf")} | {0})
    best, lo, hi = base, 0, len(days)  # days[hi] is "no cut": the baseline, which keeps every date
    while lo < hi:
        mid = (lo + hi) // 2
        trial = cuts.trial(days[mid], limits)
        figure.tries += 1
        if trial is not None and priority.block_finish(sc, trial) is not None:
            best, hi = trial, mid
        else:
            lo = mid + 1
    finish = priority.block_finish(sc, best)
    figure.finish = at_minute(origin, finish)
    figure.ship_date = timezone.localdate(figure.finish)
    ends = priority.finishes(sc, best)
    lines = {line.pk: line for line in SalesOrderLine.objects.filter(order=order)}
    figure.lines = sorted(((lines[key[1]], at_minute(origin, ends[key])) for key in sc.block),
                          key=lambda pair: pair[0].line_no)  # fmt: skip
    figure.moved = priority.slips(sc, before, ends, dates, skip_order=order.pk)
    figure.projected = {k: at_minute(origin, v) for k, v in ends.items() if isinstance(k, int)}
    figure.deadlines = {k: at_minute(origin, v) for k, v in deadline.items()}
    figure.baseline = {k: at_minute(origin, v) for k, v in before.items() if isinstance(k, int)}
    return figure


def promise_figures(*, order: SalesOrder, run: ScheduleRun | None, now: datetime.datetime | None = None):
    """Both figures of capable to promise: (first, second). Leaving committed work where it is is one way of
    moving it, so the second is never later than the first: where the search finds no earlier ship date, the
    second is the first (nothing moved)."""
    first = capable_to_promise(order=order, run=run, now=now)
    second = promise_moving_work(order=order, run=run, now=now)
    # A move that gains no day is not worth making: the ship date is what is promised.
    if first.finish is not None and (second.finish is None or second.ship_date >= first.ship_date):
        second = SecondFigure(run=run, ship_date=first.ship_date, finish=first.finish, lines=list(first.lines),
                              unrouted=list(first.unrouted), tries=second.tries, projected=second.baseline,
                              deadlines=second.deadlines, baseline=second.baseline)  # fmt: skip
    return first, second
