"""Jobs, their queues and the floor's screens, each in a fixed number of queries."""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from mto import reads
from sales.models import LineDrawing, SalesOrder

from ..models import Job, JobNote, Operation, TimeEntry, WorkCenter
from ..workflow import J, O


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


@dataclass(frozen=True)
class CurrentOperation:
    """Where a job is now, as the order page shows it (its work center's code and the step's description)."""

    description: str
    work_center: "WorkCenterCode"


@dataclass(frozen=True)
class WorkCenterCode:
    code: str


def jobs_for_order_queryset(*, order: SalesOrder) -> QuerySet[Job]:
    """The order's jobs with their progress and current operation (correlated subqueries over the job's few
    operations), as a read (mto.reads); jobs_for_order_from() finishes the rows."""
    current = Operation.objects.filter(job=OuterRef("pk")).exclude(status=O.DONE).order_by("sequence")
    return (
        _with_progress(Job.objects.filter(sales_order=order))
        .select_related("sales_order_line")
        .annotate(
            current_description=Subquery(current.values("description")[:1]),
            current_center=Subquery(current.values("work_center__code")[:1]),
        )
        .order_by("sales_order_line__line_no", "id")
    )


def jobs_for_order_from(*, order: SalesOrder, jobs: list[Job]) -> list[Job]:
    """Kept on the order object for the request: the order page's panels (the jobs', planning's) share it."""
    for job in jobs:
        job.current_operation = (
            CurrentOperation(job.current_description, WorkCenterCode(job.current_center))
            if job.current_center is not None
            else None
        )
    order._mto_jobs = jobs
    return jobs


def jobs_for_order(*, order: SalesOrder) -> list[Job]:
    """The order's jobs with where each is now and how far along, in one query (none if the page's reads
    already brought them)."""
    cached = getattr(order, "_mto_jobs", None)
    if cached is not None:
        return cached
    return jobs_for_order_from(order=order, jobs=list(jobs_for_order_queryset(order=order)))


def job_list_queryset() -> QuerySet[Job]:
    return _with_progress(Job.objects.select_related("sales_order__customer"))


def work_center_queue(*, work_center: WorkCenter) -> list[Operation]:
    """Operations waiting or running at a work center, most urgent job first, each marked ready or not."""
    operations = list(work_center_queue_queryset(work_center=work_center))
    for op in operations:
        first = op.previous_status is None
        op.ready = op.material_ready and (first or op.previous_status == O.DONE or (op.previous_good or 0) > 0)
    return operations


def work_center_queue_queryset(*, work_center: WorkCenter) -> QuerySet[Operation]:
    earlier = Operation.objects.filter(job=OuterRef("job"), sequence__lt=OuterRef("sequence")).order_by("-sequence")
    # The schedule's order first (planning writes planned_start through jobs.services.operations_set_planned),
    # then the most urgent job: an operation the schedule has not placed comes after those it has.
    urgency = (F("planned_start").asc(nulls_last=True), "job__due_date", "job__priority", "job__id", "sequence")
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


FLOOR_QUEUE_PAGE = 24  # cards on the board: what an operator scans at a glance (200 cost 80-93 ms to draw)
FLOOR_COUNT_CAP = 1000  # the counts stop here ("1000+"): the board's cost stays flat however long the queue


@dataclass
class FloorQueue:
    """One page of a work center's queue on the board, and how many operations there are in all."""

    operations: list[Operation]
    show: str  # "ready": what can be worked on here now; "all": every open operation here
    ready: int  # operations that can be worked on now (at most FLOOR_COUNT_CAP)
    total: int  # every open operation here (at most FLOOR_COUNT_CAP)
    search: str = ""

    @property
    def coming(self) -> int:
        """Waiting for an earlier operation, for material, or on a held job."""
        return self.total - self.ready

    @property
    def capped(self) -> bool:
        return self.total >= FLOOR_COUNT_CAP

    @property
    def more(self) -> int:
        """Operations of this view past the page."""
        return (self.ready if self.show == "ready" else self.total) - len(self.operations)


def _with_previous(qs: QuerySet[Operation]) -> QuerySet[Operation]:
    """`previous_passed`: the operation before has passed pieces on (done, or some good), or there is none.

    One subquery per row, asked once (three columns of the same row cost three index probes each)."""
    passed = Case(When(Q(status=O.DONE) | Q(good_qty__gt=0), then=Value(True)), default=Value(False))
    earlier = (
        Operation.objects.filter(job=OuterRef("job"), sequence__lt=OuterRef("sequence"))
        .order_by("-sequence")
        .annotate(passed=passed)
        .values("passed")[:1]
    )
    return qs.annotate(previous_passed=Coalesce(Subquery(earlier, output_field=BooleanField()), Value(True)))


# What an operator at the work center can work on now: running or paused, or pending with material in and
# pieces from the operation before (or none before), on a job that may move (not held).
ACTIONABLE = Q(job__status__in=[J.RELEASED, J.IN_PROGRESS]) & (
    Q(status__in=[O.RUNNING, O.PAUSED]) | Q(status=O.PENDING, material_ready=True, previous_passed=True)
)


def floor_queue(*, work_center: WorkCenter, show: str = "ready", search: str = "", limit: int = FLOOR_QUEUE_PAGE):
    """The board's queue at a work center in schedule order, one page, with capped counts (two queries).

    show="ready" keeps what can be worked on now; "all" shows every open operation. `search` keeps the jobs
    whose number contains it. Running operations carry `running_since`: the start of their open time entry.

    Both the counts and the page look at the FLOOR_COUNT_CAP most urgent open operations only: what can be
    worked on is worked out for those (not for the thousands a long queue holds), and the page and its
    counts agree."""
    urgency = (F("planned_start").asc(nulls_last=True), "job__due_date", "job__priority", "job__id", "sequence")
    here = Operation.objects.filter(
        work_center=work_center,
        status__in=[O.PENDING, O.RUNNING, O.PAUSED],
        job__status__in=[J.RELEASED, J.IN_PROGRESS, J.ON_HOLD],
    )
    if search:
        here = here.filter(job__number__icontains=search)
    # The most urgent open operations, each marked whether it can be worked on now, in one sort: PostgreSQL
    # works the mark out after the sort, for these rows only. The counts and the page come from them.
    can_work = ExpressionWrapper(ACTIONABLE, output_field=BooleanField())
    marked = _with_previous(here).annotate(can_work=can_work).order_by(*urgency).values_list("pk", "can_work")
    first = list(marked[:FLOOR_COUNT_CAP])
    ready_ids = [pk for pk, ok in first if ok]
    shown = (ready_ids if show == "ready" else [pk for pk, _ok in first])[:limit]
    # The page's rows are fetched by id with their orders and customers (joined for a page, not a queue).
    open_entries = TimeEntry.objects.filter(operation=OuterRef("pk"), stopped_at__isnull=True).order_by("started_at")
    by_id = {
        op.pk: op
        for op in _with_previous(Operation.objects.filter(pk__in=shown).order_by())
        .select_related("job__sales_order__customer", "updated_by")
        .annotate(running_since=Subquery(open_entries.values("started_at")[:1]))
    }
    operations = [by_id[pk] for pk in shown if pk in by_id]
    for op in operations:
        op.ready = op.material_ready and op.previous_passed
    return FloorQueue(operations=operations, show=show, ready=len(ready_ids), total=len(first), search=search)


def job_for_scan(*, text: str) -> Job | None:
    """The job a scanned traveler QR (its floor URL) or a typed job number names, or None."""
    text = text.strip()
    found = re.search(r"/jobs/floor/jobs/(\d+)/", text)
    if found:
        return Job.objects.filter(pk=int(found.group(1))).first()
    return Job.objects.filter(number__iexact=text).first() if text else None


def jobs_on_hold(*, work_center: WorkCenter | None = None) -> list[Job]:
    qs = Job.objects.filter(status=J.ON_HOLD).select_related("sales_order__customer").order_by("due_date", "id")
    if work_center:
        qs = qs.filter(operations__work_center=work_center).distinct()
    return list(qs[:50])


def _floor_job_reads(pk: int) -> dict:
    """The tablet's job screen reads of job pk (by the key only: mto.reads.CompiledReads keeps their SQL)."""
    return {
        "job": Job.objects.select_related("sales_order__customer", "sales_order_line").filter(pk=pk),
        "operations": Operation.objects.filter(job_id=pk).select_related("work_center", "updated_by")
        .order_by("sequence"),
        "drawings": LineDrawing.objects.filter(line__jobs=pk),
        "notes": JobNote.objects.filter(job_id=pk).select_related("by"),
    }  # fmt: skip


_FLOOR_JOB = reads.CompiledReads(_floor_job_reads)


def floor_job(*, pk: int) -> Job:
    """The tablet's job screen: the job with its routing, each operation's availability worked out. One prepared
    statement on PostgreSQL (mto.reads.CompiledReads). Raises Job.DoesNotExist."""
    rows = _FLOOR_JOB.fetch(pk)
    if not rows["job"]:
        raise Job.DoesNotExist(f"No job {pk}")
    job = rows["job"][0]
    reads.attach([job], rows["operations"], key="job_id", cache_name="operations")
    if job.sales_order_line is not None:
        reads.attach([job.sales_order_line], rows["drawings"], key="line_id", cache_name="drawings")
    reads.attach([job], rows["notes"], key="job_id", cache_name="notes")
    job.ops = list(job.operations.all())
    previous = None
    for op in job.ops:
        reached = job.quantity if previous is None else previous.good_qty
        op.available = max(reached - op.good_qty - op.scrap_qty, 0)
        op.ready = op.material_ready and (previous is None or previous.status == O.DONE or previous.good_qty > 0)
        previous = op
    job.recent_notes = list(job.notes.all())[:5]
    job.token = f"{job.version}.{sum(op.version for op in job.ops)}.{len(job.ops)}"
    return job


# Every tablet on a job's screen polls it (every 4 s): compiled once per process (mto.reads.CompiledQuery).
_FLOOR_JOB_TOKEN = reads.CompiledQuery(
    lambda pk: Job.objects.filter(pk=pk)
    .annotate(ops_version=Sum("operations__version"), ops=Count("operations"))
    .values("version", "ops_version", "ops")
)  # fmt: skip


def floor_job_token(*, pk: int) -> str:
    """What changes whenever the job or one of its operations changes (the tablets poll it)."""
    found = next(iter(_FLOOR_JOB_TOKEN.all(pk)), None)
    return "" if found is None else f"{found['version']}.{found['ops_version'] or 0}.{found['ops']}"


def work_centers() -> list[WorkCenter]:
    return list(WorkCenter.objects.filter(is_active=True).order_by("code"))


# Every approval asks who leads the centers its new jobs pass through: kept compiled (mto.reads), by the jobs' ids.
_CENTERS_OF_JOBS = reads.CompiledQuery(
    lambda job_ids: WorkCenter.objects.filter(operations__job_id__any=job_ids).distinct().order_by("code"),
    key_type=list[int],
)
_LEADS_OF_JOBS_CENTERS = reads.CompiledQuery(
    lambda job_ids: (
        get_user_model()
        .objects.filter(work_centers__operations__job_id__any=job_ids)
        .annotate(lead_of=F("work_centers__id"))
        .distinct()
        .order_by("lead_of", "id")
    ),
    key_type=list[int],
)


def work_centers_of(*, jobs) -> list[WorkCenter]:
    """The work centers the jobs' operations pass through, with their leads (`center.leads.all()`; two queries)."""
    job_ids = [job.pk for job in jobs]
    centers = _CENTERS_OF_JOBS.all(job_ids)
    reads.attach(centers, _LEADS_OF_JOBS_CENTERS.all(job_ids), key="lead_of", cache_name="leads")
    return centers


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
