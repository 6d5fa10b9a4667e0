"""Job cost: hours from the time entries, priced at the rate each entry ran at, against the estimate."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    F,
    QuerySet,
    Sum,
)
from django.utils import timezone

from mto import reads
from mto.audit import audit_queryset

from .. import signals
from ..models import Job, JobNote, JobStatusChange, Operation, OperationStatusChange, TimeEntry
from .common import CENT
from .labor import entry_cost, labor_by_operator, labor_entries


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
    return actual_by_from(list(actual_by_queryset(entries, key)), key)


def actual_by_queryset(entries: QuerySet, key: str) -> QuerySet:
    """actual_by's read (mto.reads); actual_by_from() of its rows is what actual_by answers."""
    return (
        entries.filter(stopped_at__isnull=False)
        .values(key, "hourly_rate")
        .annotate(duration=Sum(F("stopped_at") - F("started_at")))
        .order_by()
    )


def actual_by_from(rows: list[dict], key: str) -> dict:
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
    # Operators' labor on a kiosk (issue 21), part of actual_cost: the rest of it is the machine time (the time
    # entries at the work center's rate); a lead's floor makes machine time only.
    labor_hours: Decimal = Decimal(0)
    labor_cost: Decimal = Decimal(0)

    @property
    def machine_cost(self) -> Decimal:
        return self.actual_cost - self.labor_cost

    @property
    def variance_cost(self) -> Decimal:
        return cost_variance(actual=self.actual_cost, baseline=self.earned_cost)[0]

    @property
    def variance_pct(self) -> Decimal | None:
        return cost_variance(actual=self.actual_cost, baseline=self.earned_cost)[1]

    @property
    def over(self) -> bool:
        return self.variance_pct is not None and self.variance_pct > 10


@dataclass(frozen=True)
class OtherCost:
    """What a job cost besides labor, as an app that knows it answers jobs.signals.other_costs_for_jobs:
    a category ("material", "outside"), its label for people, the estimate and the actual so far."""

    category: str
    label: str
    estimated: Decimal
    actual: Decimal


def other_costs(jobs: list[Job] | QuerySet[Job]) -> dict[int, list[OtherCost]]:
    """Each job's costs besides labor ({job_id: [OtherCost, ...]}), from the apps that answer the signal (each
    answers in a fixed number of queries whatever the number of jobs). `jobs`: a list, or a queryset that the
    answers read as a subquery (many jobs: a report's or a month's); then only jobs with costs are keys."""
    if isinstance(jobs, QuerySet):
        result: dict[int, list[OtherCost]] = {}
    else:
        jobs = list(jobs)
        result = {job.pk: [] for job in jobs}
        if not jobs:
            return result
    for _receiver, answer in signals.other_costs_for_jobs.send(sender=Job, jobs=jobs):
        for job_id, costs in (answer or {}).items():
            result.setdefault(job_id, []).extend(costs)
    return result


def other_cost_totals_of(jobs: QuerySet[Job]) -> tuple[Decimal, Decimal]:
    """(estimated, actual) of many jobs' costs besides labor, in total: the apps' answers to the totals signal
    (a statement each), equal to other_costs(jobs) summed."""
    estimated, actual = Decimal(0), Decimal(0)
    for _receiver, answer in signals.other_cost_totals_for_jobs.send(sender=Job, jobs=jobs):
        if answer:
            estimated, actual = estimated + answer[0], actual + answer[1]
    return estimated, actual


def other_cost_totals(costs: list[OtherCost]) -> tuple[Decimal, Decimal]:
    """(estimated, actual) of a job's other costs."""
    return (sum((c.estimated for c in costs), Decimal(0)), sum((c.actual for c in costs), Decimal(0)))


@dataclass(frozen=True)
class CostSummary:
    """A job's whole cost, labor plus the other costs, each against its estimate (the job page)."""

    labor: CostLine
    others: list[OtherCost]

    @property
    def estimated(self) -> Decimal:
        return self.labor.estimated_cost + other_cost_totals(self.others)[0]

    @property
    def actual(self) -> Decimal:
        return self.labor.actual_cost + other_cost_totals(self.others)[1]

    @property
    def variance(self) -> Decimal:
        return cost_variance(actual=self.actual, baseline=self.estimated)[0]

    @property
    def variance_pct(self) -> Decimal | None:
        return cost_variance(actual=self.actual, baseline=self.estimated)[1]


def _job_page_reads(pk: int) -> dict:
    """The job page's reads of job pk: its order, operations with their time entries, labor and reopens, notes,
    history and audit trail (by the key only: mto.reads.CompiledReads keeps their SQL)."""
    return {
        "job": Job.objects.select_related("sales_order__customer", "sales_order_line").filter(pk=pk),
        "operations": Operation.objects.filter(job_id=pk).select_related("work_center", "updated_by")
        .order_by("sequence"),
        "time_entries": TimeEntry.objects.filter(operation__job_id=pk).select_related("by").order_by("id"),
        "notes": JobNote.objects.filter(job_id=pk).select_related("by"),
        "labor": labor_entries(job_id=pk),
        "status_changes": JobStatusChange.objects.filter(job_id=pk).select_related("changed_by").order_by("id"),
        # Reopened operations keep who, when and why (the job page lists them).
        "reopens": OperationStatusChange.objects.filter(operation__job_id=pk, from_status=Operation.Status.DONE)
        .select_related("changed_by")
        .order_by("id"),
        "audit": audit_queryset(Job, pk),
    }  # fmt: skip


_JOB_PAGE = reads.CompiledReads(_job_page_reads)


def job_detail(*, pk: int) -> Job:
    """The job page's job with everything its page shows, read together: one prepared statement on PostgreSQL,
    compiled once per process (mto.reads.CompiledReads). Raises Job.DoesNotExist."""
    rows = _JOB_PAGE.fetch(pk)
    if not rows["job"]:
        raise Job.DoesNotExist(f"No job {pk}")
    job = rows["job"][0]
    job.ops = rows["operations"]
    reads.attach([job], job.ops, key="job_id", cache_name="operations")
    reads.attach(job.ops, rows["time_entries"], key="operation_id", cache_name="time_entries")
    reads.attach(job.ops, rows["labor"], key="operation_id", cache_name="labor_entries", to_attr="labor")
    reads.attach(job.ops, rows["reopens"], key="operation_id", cache_name="status_changes", to_attr="reopens")
    reads.attach([job], rows["notes"], key="job_id", cache_name="notes")
    reads.attach([job], rows["status_changes"], key="job_id", cache_name="status_changes")
    job.audit_trail = rows["audit"]
    job.reopens = [(op, change) for op in job.ops for change in op.reopens]
    now = timezone.now()
    attach_costs(job, job.ops, now)
    job.labor_by_operator = labor_by_operator([e for op in job.ops for e in op.labor], now)
    job.cost_summary = CostSummary(job.cost_total, other_costs([job])[job.pk])
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
        labor = getattr(op, "labor", [])  # job_detail's labor_entries(): operators' entries
        labor_cost = sum((entry_cost(e, now) for e in labor), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
        actual_cost = _entries_cost(entries, now) + labor_cost
        lines.append(
            CostLine(op, estimated, actual, (estimated * rate).quantize(CENT), actual_cost,
                     earned, (earned * rate).quantize(CENT), _hours(labor, now), labor_cost)
        )  # fmt: skip
    job.cost_lines = lines
    total = {
        name: sum((getattr(c, name) for c in lines), Decimal(0))
        for name in (
            "estimated_hours",
            "actual_hours",
            "estimated_cost",
            "actual_cost",
            "earned_hours",
            "earned_cost",
            "labor_hours",
            "labor_cost",
        )
    }
    job.cost_total = CostLine(None, **total)
