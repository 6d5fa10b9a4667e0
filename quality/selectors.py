"""Reads of the quality app, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from jobs.models import Operation, ScrapRecord
from mto import reads
from sales.models import Item

from .models import InspectionResult, JobCharacteristic, NonConformance, NonConformanceStatusChange, PlanCharacteristic

UNSETTLED = Q(results__passed=False) & (Q(results__ncr__isnull=True) | Q(results__ncr__status="open"))


def item_plan(*, item: Item) -> list[PlanCharacteristic]:
    return list(PlanCharacteristic.objects.filter(item=item).order_by("operation_sequence", "position", "id"))


def items_with_plans() -> QuerySet[Item]:
    return (
        Item.objects.annotate(characteristics=Count("inspection_plan"))
        .filter(characteristics__gt=0)
        .order_by("part_number", "revision")
    )


@dataclass
class JobQuality:
    characteristics: list[JobCharacteristic] = field(default_factory=list)
    ncrs: list[NonConformance] = field(default_factory=list)
    scrap_without_ncr: list[ScrapRecord] = field(default_factory=list)
    # Failed results not on an NCR yet, by operation id: the floor opens an NCR for them in two taps.
    failed_without_ncr: dict[int, list[InspectionResult]] = field(default_factory=dict)


def job_quality_reads(*, job) -> dict:
    """The reads behind job_quality (mto.reads), for a page that runs them with its other panels'."""
    return {
        "characteristics": JobCharacteristic.objects.filter(job=job)
        .select_related("operation")
        .annotate(measured=Count("results"), failed=Count("results", filter=UNSETTLED))
        .order_by("operation_sequence", "position", "id"),
        "ncrs": NonConformance.objects.filter(job=job).select_related(
            "operation", "work_center", "remake_job", "opened_by"
        ),
        "scrap": ScrapRecord.objects.filter(operation__job=job, ncr__isnull=True)
        .select_related("operation", "by")
        .order_by("-at", "-id"),
        "failed": InspectionResult.objects.filter(characteristic__job=job, passed=False, ncr__isnull=True)
        .select_related("characteristic")
        .order_by("characteristic__operation_sequence", "sample_no", "id"),
    }


def job_quality_from(rows: dict, *, job) -> JobQuality:
    chars = rows["characteristics"]
    for char in chars:
        char.required = char.samples_for(job.quantity)
    failed: dict[int, list[InspectionResult]] = {}
    for result in rows["failed"]:
        failed.setdefault(result.characteristic.operation_id, []).append(result)
    return JobQuality(chars, rows["ncrs"], rows["scrap"], failed)


def job_quality(*, job) -> JobQuality:
    """The job's characteristics with their counts, its NCRs, scrap and failures without an NCR (one statement
    on PostgreSQL, four reads)."""
    return job_quality_from(reads.fetch(**job_quality_reads(job=job)), job=job)


@dataclass
class SampleRow:
    sample_no: int
    cells: list  # per characteristic: the InspectionResult, None (to measure) or "" (not sampled)
    complete: bool


def inspection_sheet(*, pk: int):
    """An operation with its job, its characteristics, their results as a sample grid and the failures without
    an NCR (3 queries). Raises Operation.DoesNotExist."""
    op = Operation.objects.select_related("job", "work_center").get(pk=pk)
    chars = list(
        JobCharacteristic.objects.filter(operation=op)
        .prefetch_related(
            Prefetch("results", queryset=InspectionResult.objects.select_related("by", "ncr").order_by("sample_no"))
        )
        .order_by("position", "id")
    )
    quantity = op.job.quantity
    samples = max((c.samples_for(quantity) for c in chars), default=0)
    by_char = {c.pk: {r.sample_no: r for r in c.results.all()} for c in chars}
    rows = []
    for n in range(1, samples + 1):
        cells = [by_char[c.pk].get(n) if n <= c.samples_for(quantity) else "" for c in chars]
        rows.append(SampleRow(n, cells, all(cell != None for cell in cells)))  # noqa: E711 - "" is not None
    next_sample = next((row.sample_no for row in rows if not row.complete), None)
    failed = [r for c in chars for r in c.results.all() if not r.passed and r.ncr_id is None]
    return op, chars, rows, next_sample, failed


def ncr_list_queryset() -> QuerySet[NonConformance]:
    return NonConformance.objects.select_related("job", "work_center", "opened_by", "operation").order_by(
        "-opened_at", "-id"
    )


def ncr_detail(*, pk: int) -> NonConformance:
    return (
        NonConformance.objects.select_related(
            "job", "operation", "work_center", "opened_by", "dispositioned_by", "remake_job", "scrap_record"
        )
        .prefetch_related(
            Prefetch("results", queryset=InspectionResult.objects.select_related("characteristic", "by")),
            Prefetch("status_changes", queryset=NonConformanceStatusChange.objects.select_related("changed_by")),
        )
        .get(pk=pk)
    )
