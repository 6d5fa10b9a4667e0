"""Reads of the schedule, each in a fixed number of queries: the current schedule (the newest done run), the
latest run (maybe still running), projections of jobs and orders, Gantt rows and the load per work center."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet, Subquery
from django.utils import timezone

from jobs.models import Job, WorkCenter
from jobs.selectors import jobs_for_order, top_with_count, top_with_count_queryset
from sales.models import SalesOrder

from .models import PlannedJob, PlannedOperation, ScheduleRun
from .services.calendars import calendars_for, minutes_per_week

R = ScheduleRun.Status


def current_runs() -> QuerySet[ScheduleRun]:
    """As a read (mto.reads): the current run in a list of at most one."""
    return ScheduleRun.objects.filter(status=R.DONE).select_related("requested_by").order_by("-id")[:1]


def current_run() -> ScheduleRun | None:
    """The schedule: the newest run that finished."""
    return current_runs().first()


def planned_in_current_run() -> QuerySet[PlannedJob]:
    """The current run's planned jobs, the run found in the same statement (a page reads them with the run)."""
    return PlannedJob.objects.filter(run_id=Subquery(current_runs().values("id")))


def latest_run() -> ScheduleRun | None:
    return ScheduleRun.objects.select_related("requested_by").order_by("-id").first()


def recent_runs(limit: int = 10) -> list[ScheduleRun]:
    return list(ScheduleRun.objects.select_related("requested_by").order_by("-id")[:limit])


def run_progress(run: ScheduleRun | None) -> int:
    """The run's percent; while solving, the share of the time limit spent so far."""
    if run is None:
        return 0
    if run.status == R.RUNNING and run.progress == 20 and run.started_at:
        from django.conf import settings

        spent = (timezone.now() - run.started_at).total_seconds()
        return min(20 + int(70 * spent / max(settings.PLANNING_SOLVER_SECONDS, 1)), 89)
    return run.progress


@dataclass
class Projection:
    """A job's (or an order's) projected finish in the schedule against its due (and promised) date."""

    finish: datetime.datetime | None
    due: datetime.date | None
    promised: datetime.date | None = None
    planned: bool = True
    jobs: list = field(default_factory=list)

    @property
    def finish_day(self) -> datetime.date | None:
        return timezone.localdate(self.finish) if self.finish else None

    @property
    def late_days(self) -> int:
        target = self.promised or self.due
        if not self.finish_day or not target:
            return 0
        return max((self.finish_day - target).days, 0)

    @property
    def is_late(self) -> bool:
        return self.late_days > 0

    @property
    def at_risk(self) -> bool:
        """Finishing on the day it is due (or promised) or within a day of it: no slack left."""
        target = self.promised or self.due
        return bool(self.finish_day and target and not self.is_late and (target - self.finish_day).days <= 1)


def job_projection(*, job: Job, run: ScheduleRun | None = None) -> Projection | None:
    run = run or current_run()
    if run is None:
        return None
    return job_projection_from(job=job, planned=PlannedJob.objects.filter(run=run, job=job).first())


def job_projection_from(*, job: Job, planned: PlannedJob | None) -> Projection:
    if planned is None:
        return Projection(finish=None, due=job.due_date, planned=False)
    return Projection(finish=planned.finish, due=job.due_date)


def order_projection(*, order: SalesOrder, run: ScheduleRun | None = None) -> Projection | None:
    """The order's projected finish: its last job's; each job's projection beside it."""
    run = run or current_run()
    if run is None:
        return None
    planned = PlannedJob.objects.filter(run=run, job__sales_order=order).values_list("job_id", "finish")
    return order_projection_from(order=order, planned=list(planned))


def order_planned_in_current_run(*, order: SalesOrder) -> QuerySet:
    """As a read (mto.reads): (job id, finish) of the order's jobs in the current run."""
    return planned_in_current_run().filter(job__sales_order=order).values_list("job_id", "finish")


def order_projection_from(*, order: SalesOrder, planned: list[tuple[int, datetime.datetime]]) -> Projection:
    # The order page's jobs (jobs' selector, loaded once for the page's panels), the open ones.
    jobs = sorted((job for job in jobs_for_order(order=order) if job.is_open), key=lambda job: job.pk)
    open_ids = {job.pk for job in jobs}
    finishes = {job_id: finish for job_id, finish in planned if job_id in open_ids}
    rows = [(job, Projection(finish=finishes.get(job.pk), due=job.due_date, planned=job.pk in finishes))
            for job in jobs]  # fmt: skip
    latest = max(finishes.values(), default=None)
    due = max((job.due_date for job in jobs), default=None)
    return Projection(finish=latest, due=due, promised=order.promised_date, planned=bool(finishes), jobs=rows)


def late_projections(*, run: ScheduleRun | None = None, limit: int = 10) -> tuple[int, list[PlannedJob]]:
    """How many jobs the schedule finishes after their due date, and the latest of them."""
    run = run or current_run()
    if run is None:
        return 0, []
    from django.db.models import F

    late = PlannedJob.objects.filter(run=run, finish__gt=F("due")).select_related("job")
    return top_with_count(late, "due", "job_id", limit=limit)  # one query: the count rides on the rows


def late_in_current_run(*, limit: int = 10) -> QuerySet[PlannedJob]:
    """late_projections of the current run as a read (mto.reads; counted() of its rows), the run found in the
    same statement."""
    from django.db.models import F

    late = planned_in_current_run().filter(finish__gt=F("due")).select_related("job")
    return top_with_count_queryset(late, "due", "job_id", limit=limit)


# --- Gantt --------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    width: float
    lane: int
    label: str
    title: str
    url: str
    late: bool
    fixed: bool


@dataclass
class Row:
    label: str
    url: str
    lanes: int
    bars: list[Bar]
    y: int = 0

    @property
    def height(self) -> int:
        return self.lanes * LANE


LANE, LEFT, WIDTH = 26, 150, 1000


def _lanes(bars: list[tuple]) -> tuple[list[int], int]:
    """A lane per bar so that bars in a lane never overlap (first fit, by start)."""
    ends, lanes = [], []
    for start, finish in bars:
        for i, end in enumerate(ends):
            if end <= start:
                ends[i] = finish
                lanes.append(i)
                break
        else:
            ends.append(finish)
            lanes.append(len(ends) - 1)
    return lanes, max(len(ends), 1)


def _gantt(run, planned: list[PlannedOperation], key, label_of, url_of, bar_label, days: int) -> dict:
    origin = run.origin or run.started_at or timezone.now()
    start_day = timezone.localtime(origin).replace(hour=0, minute=0, second=0, microsecond=0)
    last = max((p.finish for p in planned), default=origin)
    span_days = max(min((last - start_day).days + 1, days), 1)
    scale = WIDTH / (span_days * 24 * 60)
    end_of_view = start_day + datetime.timedelta(days=span_days)
    groups = defaultdict(list)
    for p in planned:
        if p.start < end_of_view:
            groups[key(p)].append(p)
    rows, y = [], 24
    for k in sorted(groups, key=lambda k: label_of(groups[k][0])):
        items = sorted(groups[k], key=lambda p: (p.start, p.pk))
        lanes, count = _lanes([(p.start, p.finish) for p in items])
        bars = []
        for p, lane in zip(items, lanes, strict=True):
            a = max((p.start - start_day).total_seconds() / 60, 0)
            b = min((p.finish - start_day).total_seconds() / 60, span_days * 24 * 60)
            job = p.job
            late = p.finish > timezone.make_aware(datetime.datetime.combine(job.due_date, datetime.time.max))
            when = f"{timezone.localtime(p.start):%a %b %d %H:%M} to {timezone.localtime(p.finish):%a %b %d %H:%M}"
            title = f"{job.number} op {p.operation.sequence} {p.operation.description} at {p.work_center.code}: "
            title += (
                f"{when}, due {job.due_date:%b %d}"
                + (" (late)" if late else "")
                + (" (running)" if p.is_fixed else "")
            )
            bars.append(Bar(x=LEFT + a * scale, width=max((b - a) * scale, 2), lane=lane, label=bar_label(p),
                            title=title, url=job.get_absolute_url(), late=late, fixed=p.is_fixed))  # fmt: skip
        row = Row(label=label_of(items[0]), url=url_of(items[0]), lanes=count, bars=bars, y=y)
        y += row.height + 6
        rows.append(row)
    step = 1 if span_days <= 14 else 7
    ticks = [(LEFT + n * 24 * 60 * scale, (start_day + datetime.timedelta(days=n)).strftime("%b %d"))
             for n in range(0, span_days + 1, step)]  # fmt: skip
    now_x = LEFT + max((timezone.now() - start_day).total_seconds() / 60, 0) * scale
    return {"rows": rows, "ticks": ticks, "width": LEFT + WIDTH + 10, "height": y + 4, "now_x": now_x,
            "left": LEFT, "lane": LANE, "days": span_days, "planned": planned}  # fmt: skip


def _planned(run):
    return PlannedOperation.objects.filter(run=run).select_related("job", "operation", "work_center")


def work_center_gantt(*, run: ScheduleRun, work_center: WorkCenter | None = None, days: int = 28) -> dict:
    """A row per work center (lanes for its machines), a bar per planned operation, over the first `days`."""
    planned = _planned(run)
    if work_center is not None:
        planned = planned.filter(work_center=work_center)
    planned = list(planned.order_by("work_center__code", "start", "id"))
    return _gantt(run, planned, key=lambda p: p.work_center_id, label_of=lambda p: p.work_center.code,
                  url_of=lambda p: f"?work_center={p.work_center.code}", bar_label=lambda p: p.job.number,
                  days=days)  # fmt: skip


def order_gantt(*, run: ScheduleRun, order: SalesOrder, days: int = 120) -> dict:
    """A row per job of the order, a bar per operation labelled with its work center."""
    planned = list(_planned(run).filter(job__sales_order=order).order_by("job_id", "start", "id"))
    return _gantt(run, planned, key=lambda p: p.job_id, label_of=lambda p: p.job.number,
                  url_of=lambda p: p.job.get_absolute_url(), bar_label=lambda p: p.work_center.code,
                  days=days)  # fmt: skip


# --- load ---------------------------------------------------------------------------------------------------


def load_by_week(*, run: ScheduleRun, weeks: int = 6) -> list[dict]:
    """Planned working hours per work center per week (by each operation's start week) beside the hours
    its calendar offers that week (machines x shift hours, less holidays): the chart's capacity line."""
    origin = timezone.localdate(run.origin or run.started_at or timezone.now())
    monday = origin - datetime.timedelta(days=origin.weekday())
    centers = list(WorkCenter.objects.filter(is_outside=False, is_active=True).order_by("code"))
    calendars = calendars_for(centers)
    hours = defaultdict(lambda: [0.0] * weeks)
    for wc_id, start, minutes in PlannedOperation.objects.filter(run=run).values_list(
        "work_center_id", "start", "work_minutes"
    ):
        week = (timezone.localdate(start) - monday).days // 7
        if 0 <= week < weeks:
            hours[wc_id][week] += minutes / 60
    rows = []
    top = 1.0
    for center in centers:
        calendar = calendars[center.pk]
        per_day = defaultdict(float)
        for weekday, start, end in calendar.shifts:
            a, b = start.hour * 60 + start.minute, end.hour * 60 + end.minute
            per_day[weekday] += (b - a if b > a else b + 1440 - a) / 60
        capacity = []
        for w in range(weeks):
            week_start = monday + datetime.timedelta(weeks=w)
            off = sum(per_day[d.weekday()] for d in calendar.holidays if 0 <= (d - week_start).days < 7)
            capacity.append((minutes_per_week(calendar) / 60 - off) * calendar.capacity)
        row = {"center": center, "hours": hours[center.pk], "capacity": capacity}
        top = max(top, *row["hours"], *capacity)
        rows.append(row)
    labels = [f"{monday + datetime.timedelta(weeks=w):%b %d}" for w in range(weeks)]
    chart_w, chart_h, bar_w = 60 * weeks, 120, 36
    for row in rows:
        row["bars"] = []
        for w in range(weeks):
            h, cap = row["hours"][w], row["capacity"][w]
            row["bars"].append({"x": 30 + w * 60, "h": h / top * chart_h, "y": 10 + chart_h - h / top * chart_h,
                                "cap_y": 10 + chart_h - cap / top * chart_h, "over": h > cap, "hours": h,
                                "capacity": cap, "label": labels[w]})  # fmt: skip
    return {"rows": rows, "labels": labels, "width": chart_w + 40, "height": chart_h + 30, "bar_w": bar_w,
            "base": 10 + chart_h, "top": top}  # fmt: skip


# --- calendars ----------------------------------------------------------------------------------------------


def calendar_rows() -> list[dict]:
    """Every work center of the shop floor with its calendar as the planner uses it (four queries)."""
    centers = list(WorkCenter.objects.filter(is_outside=False).order_by("code"))
    calendars = calendars_for(centers)
    entered = set(WorkCenter.objects.filter(shifts__isnull=False).values_list("pk", flat=True).distinct())
    return [{"center": c, "calendar": calendars[c.pk], "entered": c.pk in entered,
             "hours_per_week": minutes_per_week(calendars[c.pk]) / 60} for c in centers]  # fmt: skip


def upcoming_holidays(limit: int = 100):
    from .models import Holiday

    today = timezone.localdate()
    return list(Holiday.objects.filter(date__gte=today).select_related("work_center").order_by("date")[:limit])


# --- what if ------------------------------------------------------------------------------------------------


def slip_chart(slips, *, limit: int = 25) -> dict:
    """A horizontal bar per order that would slip (hours later), the largest first, for the what-if page."""
    rows = slips[:limit]
    top = max((s.hours for s in rows), default=0) or 1
    left, width, bar = 130, 420, 22
    bars = [{"slip": s, "y": 8 + i * (bar + 6), "w": max(s.hours / top * width, 2), "x": left,
             "label": s.order.number if s.order else s.jobs[0].number} for i, s in enumerate(rows)]  # fmt: skip
    return {"bars": bars, "width": left + width + 90, "height": 16 + len(rows) * (bar + 6), "bar": bar,
            "left": left, "shown": len(rows), "total": len(slips)}  # fmt: skip
