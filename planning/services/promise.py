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
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from jobs.models import Job, RoutingStep, WorkCenter
from jobs.signals import routing_for_lines
from sales.models import SalesOrder, SalesOrderLine

from ..models import PlannedOperation, ScheduleRun
from .build import DAY, plan_origin
from .calendars import at_minute, calendars_for, minutes_between, windows, work_span

PROMISE_OUTSIDE_DAYS = 7
HORIZON_DAYS = 365


@dataclass
class Promise:
    run: ScheduleRun | None
    ship_date: datetime.date | None = None
    finish: datetime.datetime | None = None
    lines: list = field(default_factory=list)  # (line, finish datetime)
    unrouted: list = field(default_factory=list)  # lines without a routing
    too_far: bool = False  # the calendars leave no room within HORIZON_DAYS


def _routings(lines: list[SalesOrderLine]) -> dict[int, list]:
    quoted = {}
    for _receiver, answer in routing_for_lines.send(sender=Job, lines=lines):
        quoted.update(answer or {})
    steps: dict[int, list] = {}
    for step in RoutingStep.objects.filter(item_id__in={ln.item_id for ln in lines if ln.item_id}).order_by(
        "item_id", "sequence"
    ):
        steps.setdefault(step.item_id, []).append(step)
    return {ln.pk: quoted.get(ln.pk) or (steps.get(ln.item_id) if ln.item_id else None) or [] for ln in lines}


def _place(busy: list[tuple[int, int]], capacity: int, spans, earliest: int, duration: int) -> tuple[int, int]:
    """The first (start, end) at or after `earliest` where fewer than `capacity` busy spans overlap at any
    minute of it."""
    start = earliest
    while True:
        s, e = work_span(start, duration, spans)
        overlapping = sorted((a, b) for a, b in busy if a < e and b > s)
        events = sorted([(max(a, s), 1) for a, _ in overlapping] + [(min(b, e), -1) for _, b in overlapping],
                        key=lambda x: (x[0], x[1]))  # fmt: skip
        load = peak = 0
        for _minute, delta in events:
            load += delta
            peak = max(peak, load)
        if peak < capacity:
            return s, e
        start = min(b for _a, b in overlapping if b > s)  # try again when the first of them frees a machine


def capable_to_promise(*, order: SalesOrder, run: ScheduleRun | None, now: datetime.datetime | None = None) -> Promise:
    """The order's earliest ship date against `run` (the current schedule); a fixed number of queries."""
    origin = plan_origin(now)
    promise = Promise(run=run)
    lines = list(SalesOrderLine.objects.filter(order=order, is_cancelled=False).select_related("item")
                 .order_by("due_date", "line_no"))  # fmt: skip
    if not lines:
        return promise
    routings = _routings(lines)
    centers = {c.pk: c for c in WorkCenter.objects.all()}
    calendars = calendars_for(list(centers.values()))
    horizon = HORIZON_DAYS * DAY
    busy: dict[int, list[tuple[int, int]]] = {}
    if run is not None:
        for wc_id, start, finish in PlannedOperation.objects.filter(run=run, finish__gt=origin).values_list(
            "work_center_id", "start", "finish"
        ):
            busy.setdefault(wc_id, []).append(
                (max(minutes_between(origin, start), 0), minutes_between(origin, finish))
            )
    spans_of: dict[int, tuple] = {}
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
            if center.pk not in spans_of:
                spans_of[center.pk] = windows(calendar, origin=origin, horizon=horizon)
            try:
                s, e = _place(busy.setdefault(center.pk, []), calendar.capacity, spans_of[center.pk], t, duration)
            except ValueError:
                promise.too_far = True
                return promise
            busy[center.pk].append((s, e))
            t = e
        promise.lines.append((line, at_minute(origin, t)))
        latest = max(latest, t)
    if promise.lines:
        promise.finish = at_minute(origin, latest)
        promise.ship_date = timezone.localdate(promise.finish)
    promise.lines.sort(key=lambda pair: pair[0].line_no)
    return promise
