"""Reads of the jobs app, each with what its page needs in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from sales.models import SalesOrder
from sales.workflow import OPEN_STATUSES as OPEN_ORDER_STATUSES

from .models import Job, JobNote, JobStatusChange, Operation, TimeEntry, WorkCenter
from .workflow import OPEN, J, O

CENT = Decimal("0.01")
HOURS = DecimalField(max_digits=14, decimal_places=3)


@dataclass
class LineProduction:
    produced: int = 0
    on_hold: bool = False
    job_numbers: list[str] = field(default_factory=list)


def line_production(line_ids: list[int], *, lock: bool = False) -> dict[int, LineProduction]:
    """Good pieces off each order line's jobs (their last operation), and whether a job of it is on hold.

    With lock=True the job rows are locked (call it inside a transaction): shipping uses this so that a
    shipment and a piece report on the same job cannot interleave.
    """
    jobs = Job.objects.filter(sales_order_line_id__in=line_ids).exclude(status=J.CANCELLED).order_by("id")
    if lock:
        jobs = jobs.select_for_update()
    result = {line_id: LineProduction() for line_id in line_ids}
    for job in jobs.only("id", "number", "status", "quantity_completed", "sales_order_line_id"):
        entry = result[job.sales_order_line_id]
        entry.produced += job.quantity_completed
        entry.on_hold = entry.on_hold or job.status == J.ON_HOLD
        entry.job_numbers.append(job.number)
    return result


def _count_operations(**filters):
    """Operations of the row's job, counted by a correlated subquery: with LIMIT and an index that gives
    the order, PostgreSQL counts for the page's rows only (a JOIN + GROUP BY would count every job first)."""
    counted = Operation.objects.filter(job=OuterRef("pk"), **filters).order_by().values("job").annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def _with_progress(qs: QuerySet[Job]) -> QuerySet[Job]:
    return qs.annotate(ops_total=_count_operations(), ops_done=_count_operations(status=O.DONE))


def jobs_for_order(*, order: SalesOrder) -> list[Job]:
    operations = Operation.objects.select_related("work_center").order_by("sequence")
    jobs = list(
        Job.objects.filter(sales_order=order)
        .select_related("sales_order_line")
        .prefetch_related(Prefetch("operations", queryset=operations))
        .order_by("sales_order_line__line_no", "id")
    )
    for job in jobs:
        ops = list(job.operations.all())
        job.current_operation = next((op for op in ops if op.status != O.DONE), None)
        job.ops_done = sum(op.status == O.DONE for op in ops)
        job.ops_total = len(ops)
    return jobs


def job_list_queryset() -> QuerySet[Job]:
    return _with_progress(Job.objects.select_related("sales_order__customer"))


def work_center_queue(*, work_center: WorkCenter) -> list[Operation]:
    """Operations waiting or running at a work center, most urgent job first, each marked ready or not."""
    operations = list(work_center_queue_queryset(work_center=work_center))
    for op in operations:
        first = op.previous_status is None
        op.ready = first or op.previous_status == O.DONE or (op.previous_good or 0) > 0
    return operations


def work_center_queue_queryset(*, work_center: WorkCenter) -> QuerySet[Operation]:
    earlier = Operation.objects.filter(job=OuterRef("job"), sequence__lt=OuterRef("sequence")).order_by("-sequence")
    urgency = ("job__due_date", "job__priority", "job__id", "sequence")
    # The 200 most urgent first (operations and jobs only), then their orders, customers and the operation
    # before each: joined for 200 rows, not for every waiting operation of the work center (thousands).
    first = (
        Operation.objects.filter(
            work_center=work_center,
            status__in=[O.PENDING, O.RUNNING, O.PAUSED],
            job__status__in=[J.RELEASED, J.IN_PROGRESS, J.ON_HOLD],
        )
        .order_by(*urgency)
        .values("pk")[:200]
    )
    qs = (
        Operation.objects.filter(pk__in=first)
        .select_related("job__sales_order__customer", "updated_by")
        .annotate(
            previous_status=Subquery(earlier.values("status")[:1]),
            previous_good=Subquery(earlier.values("good_qty")[:1]),
        )
        .order_by(*urgency)
    )
    return qs


def jobs_on_hold(*, work_center: WorkCenter | None = None) -> list[Job]:
    qs = Job.objects.filter(status=J.ON_HOLD).select_related("sales_order__customer").order_by("due_date", "id")
    if work_center:
        qs = qs.filter(operations__work_center=work_center).distinct()
    return list(qs[:50])


def _hours(entries: list[TimeEntry], now) -> Decimal:
    seconds = sum(((e.stopped_at or now) - e.started_at).total_seconds() for e in entries)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def _entries_cost(entries: list[TimeEntry], now) -> Decimal:
    """What the entries cost, each at the rate it started with (not the work center's rate of today)."""
    cost = sum(
        (
            Decimal(((e.stopped_at or now) - e.started_at).total_seconds()) / Decimal(3600) * e.hourly_rate
            for e in entries
        ),
        Decimal(0),
    )
    return cost.quantize(CENT, ROUND_HALF_UP)


def actual_by(entries: QuerySet, key: str) -> dict:
    """Actual hours and cost of stopped time entries, summed per value of `key`: {value: (hours, cost)}.

    Durations are summed in the database per key and rate, then priced at the rate each entry carries, so
    the cost of work already done never changes when a work center's rate does.
    """
    rows = (
        entries.filter(stopped_at__isnull=False)
        .values(key, "hourly_rate")
        .annotate(duration=Sum(F("stopped_at") - F("started_at")))
        .order_by()
    )
    hours: dict = defaultdict(Decimal)
    cost: dict = defaultdict(Decimal)
    for row in rows:
        spent = Decimal(row["duration"].total_seconds()) / Decimal(3600)
        hours[row[key]] += spent
        cost[row[key]] += spent * row["hourly_rate"]
    return {value: (hours[value], cost[value]) for value in hours}


def cost_variance(*, actual: Decimal, baseline: Decimal) -> tuple[Decimal, Decimal | None]:
    """The one cost variance (job pages, the home page's figure): actual less baseline, and that in percent."""
    difference = actual - baseline
    if not baseline:
        return difference, None
    return difference, (difference * 100 / baseline).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class CostLine:
    """Estimated against actual for an operation (or a job's total).

    `earned` is the estimate of the work done so far: nothing for an operation not started, the setup plus
    the run time of the pieces reported for one under way, the whole estimate once done. The variance
    compares the actual with it, so a job half made does not read as far under its estimate.
    """

    operation: Operation | None
    estimated_hours: Decimal
    actual_hours: Decimal
    estimated_cost: Decimal
    actual_cost: Decimal
    earned_hours: Decimal
    earned_cost: Decimal

    @property
    def variance_cost(self) -> Decimal:
        return cost_variance(actual=self.actual_cost, baseline=self.earned_cost)[0]

    @property
    def variance_pct(self) -> Decimal | None:
        return cost_variance(actual=self.actual_cost, baseline=self.earned_cost)[1]

    @property
    def over(self) -> bool:
        return self.variance_pct is not None and self.variance_pct > 10


def job_detail(*, pk: int) -> Job:
    operations = Operation.objects.select_related("work_center", "updated_by").order_by("sequence")
    job = (
        Job.objects.select_related("sales_order__customer", "sales_order_line")
        .prefetch_related(
            Prefetch("operations", queryset=operations),
            Prefetch("operations__time_entries", queryset=TimeEntry.objects.select_related("by").order_by("id")),
            Prefetch("notes", queryset=JobNote.objects.select_related("by")),
            Prefetch("status_changes", queryset=JobStatusChange.objects.select_related("changed_by").order_by("id")),
        )
        .get(pk=pk)
    )
    job.ops = list(job.operations.all())
    attach_costs(job, job.ops, timezone.now())
    return job


def attach_costs(job: Job, ops: list[Operation], now) -> None:
    """Set job.cost_lines and job.cost_total from its operations (their time entries prefetched)."""
    lines = []
    for op in ops:
        rate = op.work_center.hourly_rate
        estimated = op.setup_hours + op.run_hours_per_piece * job.quantity
        if op.status == Operation.Status.DONE:
            earned = estimated
        elif op.status == Operation.Status.PENDING:
            earned = Decimal(0)
        else:
            earned = op.setup_hours + op.run_hours_per_piece * (op.good_qty + op.scrap_qty)
        entries = list(op.time_entries.all())
        actual = _hours(entries, now)
        lines.append(
            CostLine(op, estimated, actual, (estimated * rate).quantize(CENT), _entries_cost(entries, now),
                     earned, (earned * rate).quantize(CENT))
        )  # fmt: skip
    job.cost_lines = lines
    total = {
        name: sum((getattr(c, name) for c in lines), Decimal(0))
        for name in ("estimated_hours", "actual_hours", "estimated_cost", "actual_cost", "earned_hours", "earned_cost")
    }
    job.cost_total = CostLine(None, **total)


def floor_job(*, pk: int) -> Job:
    """The tablet's job screen: the job with its routing, each operation's availability worked out."""
    operations = Operation.objects.select_related("work_center", "updated_by").order_by("sequence")
    job = (
        Job.objects.select_related("sales_order__customer", "sales_order_line")
        .prefetch_related(
            Prefetch("operations", queryset=operations),
            Prefetch("sales_order_line__drawings"),
            Prefetch("notes", queryset=JobNote.objects.select_related("by")),
        )
        .get(pk=pk)
    )
    job.ops = list(job.operations.all())
    previous = None
    for op in job.ops:
        reached = job.quantity if previous is None else previous.good_qty
        op.available = max(reached - op.good_qty - op.scrap_qty, 0)
        op.ready = previous is None or previous.status == O.DONE or previous.good_qty > 0
        previous = op
    job.recent_notes = list(job.notes.all())[:5]
    job.token = f"{job.version}.{sum(op.version for op in job.ops)}.{len(job.ops)}"
    return job


def floor_job_token(*, pk: int) -> str:
    """What changes whenever the job or one of its operations changes (the tablets poll it)."""
    row = (
        Job.objects.filter(pk=pk)
        .annotate(ops_version=Sum("operations__version"), ops=Count("operations"))
        .values("version", "ops_version", "ops")
    )
    found = row.first()
    return "" if found is None else f"{found['version']}.{found['ops_version'] or 0}.{found['ops']}"


def work_centers() -> list[WorkCenter]:
    return list(WorkCenter.objects.filter(is_active=True).order_by("code"))


def work_centers_of(*, jobs) -> list[WorkCenter]:
    """The work centers the jobs' operations pass through, with their leads (two queries)."""
    return list(WorkCenter.objects.filter(operations__job__in=jobs).distinct().prefetch_related("leads"))


def work_centers_with_leads() -> list:
    """Every work center with its leads and the count of open operations waiting there (two queries)."""
    open_ops = Q(operations__status__in=["pending", "running", "paused"],
                 operations__job__status__in=["released", "in_progress", "on_hold"])  # fmt: skip
    return list(
        WorkCenter.objects.annotate(open_operations=Count("operations", filter=open_ops))
        .prefetch_related("leads")
        .order_by("code")
    )


def work_center_by_code(*, code: str | None) -> WorkCenter | None:
    """The work center with this code (a tablet's remembered choice), or None."""
    return WorkCenter.objects.filter(code=code).first() if code else None


# --- home page figures and the morning digest ---------------------------------------------------------


def late_jobs(*, today: datetime.date | None = None, limit: int = 10) -> list[Job]:
    today = today or timezone.localdate()
    return list(Job.objects.filter(status__in=OPEN, due_date__lt=today).order_by("due_date", "id")[:limit])


def late_job_count(*, today: datetime.date | None = None) -> int:
    return Job.objects.filter(status__in=OPEN, due_date__lt=today or timezone.localdate()).count()


def orders_at_risk(*, today: datetime.date | None = None, limit: int = 10) -> list[SalesOrder]:
    """Open orders promised within a week with a job late or on hold."""
    today = today or timezone.localdate()
    troubled = Job.objects.filter(sales_order=OuterRef("pk")).filter(
        Q(status=J.ON_HOLD) | Q(status__in=OPEN, due_date__lt=today)
    )
    return list(
        SalesOrder.objects.filter(
            status__in=OPEN_ORDER_STATUSES, promised_date__lte=today + datetime.timedelta(days=7)
        )
        .filter(Exists(troubled))
        .select_related("customer")
        .order_by("promised_date", "id")[:limit]
    )


def wip_by_status() -> list[tuple[str, int]]:
    counts = dict(Job.objects.filter(status__in=OPEN).values_list("status").annotate(n=Count("id")))
    return [(label, counts.get(value, 0)) for value, label in Job.Status.choices if value in OPEN]


def _remaining_hours():
    return ExpressionWrapper(
        F("setup_hours") + F("run_hours_per_piece") * (F("job__quantity") - F("good_qty") - F("scrap_qty")),
        output_field=HOURS,
    )


def _open_operations(today, weeks):
    return Operation.objects.filter(
        status__in=[O.PENDING, O.RUNNING, O.PAUSED],
        job__status__in=OPEN,
        job__due_date__lte=today + datetime.timedelta(weeks=weeks),
    )


def work_center_load(*, today: datetime.date | None = None, weeks: int = 4) -> list[tuple[str, Decimal]]:
    """Estimated hours still to do per work center on open jobs due within the next weeks."""
    today = today or timezone.localdate()
    rows = (
        _open_operations(today, weeks)
        .values("work_center__code")
        .annotate(hours=Sum(_remaining_hours()))
        .order_by("work_center__code")
    )
    return [(row["work_center__code"], row["hours"] or Decimal(0)) for row in rows]


def work_center_load_by_week(*, today: datetime.date | None = None, weeks: int = 4) -> tuple[list[str], list[list]]:
    """The same hours split by the week the job is due in (week 1 includes everything already late)."""
    today = today or timezone.localdate()
    week = Case(
        *[When(job__due_date__lte=today + datetime.timedelta(weeks=n), then=Value(n)) for n in range(1, weeks + 1)],
        output_field=IntegerField(),
    )
    cells = (
        _open_operations(today, weeks)
        .annotate(week=week)
        .values("work_center__code", "week")
        .annotate(hours=Sum(_remaining_hours()))
        .order_by("work_center__code", "week")
    )
    table: dict[str, list] = {}
    for cell in cells:
        row = table.setdefault(cell["work_center__code"], [Decimal(0)] * weeks)
        row[cell["week"] - 1] = cell["hours"] or Decimal(0)
    headers = [f"Week {n} (to {today + datetime.timedelta(weeks=n):%b %d})" for n in range(1, weeks + 1)]
    return headers, [[code, *hours] for code, hours in table.items()]
