"""Jobs made from approved orders and by hand, and cancelled with their order."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mto import reads
from mto.db import atomic_with_retry
from mto.services import document_number_next
from mto.transitions import User, initial_status, record_first_status, transition
from sales.models import SalesOrder, SalesOrderLine

from .. import signals
from ..models import Job, JobStatusChange, Operation, RoutingStep, WorkCenter
from ..workflow import JOB, J
from .common import _require


@dataclass(frozen=True)
class RoutedStep:
    """A routing step a higher app gives for an order line (jobs.signals.routing_for_lines)."""

    sequence: int
    work_center_id: int
    description: str
    setup_hours: Decimal
    run_hours_per_piece: Decimal


ENGINEERING = ("ENG", "Engineering", Decimal("85.00"))

# Every approval's reads by its lines and items, kept compiled (mto.reads: the ORM compiled each on every call).
_ORDER_JOBS_OF_LINES = reads.CompiledQuery(
    lambda line_ids: Job.objects.filter(sales_order_line_id__any=line_ids, origin=Job.Origin.ORDER).values_list(
        "pk", flat=True
    )[:1],
    key_type=list[int],
)
_ROUTINGS_OF_ITEMS = reads.CompiledQuery(
    lambda item_ids: RoutingStep.objects.filter(item_id__any=item_ids).order_by("item_id", "sequence"),
    key_type=list[int],
)


def _engineering_center() -> WorkCenter:
    code, name, rate = ENGINEERING
    center, _ = WorkCenter.objects.get_or_create(code=code, defaults={"name": name, "hourly_rate": rate})
    return center


def _quoted_routings(lines: list[SalesOrderLine]) -> dict[int, list[RoutedStep]]:
    """The routings higher apps sold these lines with (signals.routing_for_lines), by line id."""
    routings: dict[int, list[RoutedStep]] = {}
    for _receiver, answer in signals.routing_for_lines.send(sender=Job, lines=lines):
        routings.update(answer or {})
    return routings


def jobs_create_for_order(*, order: SalesOrder, by: User, lines: list[SalesOrderLine] | None = None) -> list[Job]:
    """One released job per order line, with its routing; runs inside the approval transaction. `lines`, the
    order's lines with their items as the approval read them, saves reading them again (cancelled ones skipped).

    Idempotent: an order that already has its jobs gets none more (and the unique constraint on the job's
    order line refuses a second set even if two approvals raced past this check).
    """
    if lines is None:
        lines = list(SalesOrderLine.objects.filter(order=order).select_related("item").order_by("line_no"))
    lines = [line for line in lines if not line.is_cancelled]
    if _ORDER_JOBS_OF_LINES.all([line.pk for line in lines]):
        return []
    return jobs_create_for_lines(order=order, lines=lines, by=by, reason=f"Created from {order.number} on approval")


def jobs_create_for_lines(*, order: SalesOrder, lines: list[SalesOrderLine], by: User, reason: str) -> list[Job]:
    """The original job of each line, released with the item's routing (bulk inserts, a fixed query count).

    Approval makes them for every line; an approved change request for the lines it adds.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("jobs must be made inside the transaction of the approval")
    now = timezone.now()
    jobs = [
        Job(
            number=f"J-{order.number_digits}-{line.line_no:02d}",
            origin=Job.Origin.ORDER,
            sales_order=order,
            sales_order_line=line,
            part_number=line.item.part_number if line.item_id else line.drawing_number,
            part_revision=line.item.revision if line.item_id else line.drawing_revision,
            description=line.part_description,
            is_custom=line.item_id is None,
            quantity=line.quantity,
            due_date=line.due_date,
            status=initial_status(JOB, "order"),
            order_revision=order.revision,
        )
        for line in lines
    ]
    Job.objects.bulk_create(jobs)
    steps: dict[int, list[RoutingStep]] = {}
    for step in _ROUTINGS_OF_ITEMS.all(sorted({line.item_id for line in lines if line.item_id})):
        steps.setdefault(step.item_id, []).append(step)
    quoted = _quoted_routings(lines)
    engineering = None
    operations = []
    for job, line in zip(jobs, lines, strict=True):
        routing = quoted.get(line.pk) or (steps.get(line.item_id) if line.item_id else None)
        if routing:
            operations += [
                Operation(
                    job=job,
                    sequence=step.sequence,
                    work_center_id=step.work_center_id,
                    description=step.description,
                    setup_hours=step.setup_hours,
                    run_hours_per_piece=step.run_hours_per_piece,
                )
                for step in routing
            ]
        else:
            # A custom part (or an item without a routing) starts with an engineering review; the planner
            # then adds the operations.
            engineering = engineering or _engineering_center()
            operations.append(
                Operation(
                    job=job,
                    sequence=10,
                    work_center=engineering,
                    description="Engineering review of the customer's drawing; planner adds the routing",
                    setup_hours=Decimal("0.5"),
                    run_hours_per_piece=Decimal("0"),
                )
            )
    Operation.objects.bulk_create(operations)
    JobStatusChange.objects.bulk_create(
        JobStatusChange(job=job, from_status="", to_status=job.status, changed_by=by, changed_at=now, reason=reason)
        for job in jobs
    )
    signals.jobs_created.send(sender=Job, order=order, jobs=jobs, by=by)
    return jobs


@atomic_with_retry
def job_create_manual(
    *, origin: str, part_number: str, description: str, quantity: int, due_date: date, by: User, priority: int = 3,
    part_revision: str = "",
) -> Job:  # fmt: skip
    """A job made by hand (rework, stock, samples): its own number series, planned until released."""
    _require(by, "manage_jobs", "plan_jobs")
    if origin == Job.Origin.ORDER:
        raise ValidationError({"origin": "Jobs for order lines are made by approving the order."})
    job = Job(
        number="JM-000000",
        origin=origin,
        part_number=part_number,
        part_revision=part_revision,
        description=description,
        quantity=quantity,
        due_date=due_date,
        priority=priority,
        status=initial_status(JOB, "manual"),
    )
    job.full_clean(exclude=["number"])
    job.number = f"JM-{document_number_next(sequence='JM'):06d}"
    job.save()
    record_first_status(JOB, job, by=by, reason="Made by hand")
    return job


REMAKE_SUFFIX = "-R"


@atomic_with_retry
def job_create_remake(*, job: Job, quantity: int, by: User, reason: str = "") -> Job:
    """A new job for the same order line to make again `quantity` pieces of `job` (scrapped or rejected ones):
    numbered after the line's original job with -R1, -R2, ... (J-000123-01-R1), the routing of `job`, released.
    Its good pieces count for the line as every job's do (the line's produced count reads all its jobs).

    Quality calls it from an NCR's remake disposition (DESIGN: quality asks jobs for a remake through jobs
    services); it runs in the caller's transaction, or its own. jobs_created is sent for the new job, so the apps
    that fill new jobs (material, outside operations, the inspection plan) fill it as they do on approval.
    """
    _require(by, "manage_jobs", "plan_jobs", "disposition_ncrs")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": "Remake at least one whole piece."})
    if job.sales_order_line_id is None:
        raise ValidationError("Only a job for an order line can be remade for it.", code="conflict")
    # House order: the order, its line, the job.
    order = SalesOrder.objects.select_for_update().get(pk=job.sales_order_id)
    line = SalesOrderLine.objects.select_for_update().get(pk=job.sales_order_line_id)
    source = Job.objects.select_for_update().get(pk=job.pk)
    if source.status == J.CANCELLED:
        raise ValidationError(f"{source.number} is cancelled; nothing of it can be remade.", code="conflict")
    if quantity > source.quantity:
        raise ValidationError({"quantity": f"{source.number} has {source.quantity} piece(s); {quantity} asked."})
    base = f"J-{order.number_digits}-{line.line_no:02d}{REMAKE_SUFFIX}"
    made = Job.objects.filter(sales_order_line=line, number__startswith=base).count()
    remake = Job(
        number=f"{base}{made + 1}",
        origin=Job.Origin.REWORK,
        sales_order=order,
        sales_order_line=line,
        part_number=source.part_number,
        part_revision=source.part_revision,
        description=source.description,
        is_custom=source.is_custom,
        quantity=quantity,
        due_date=source.due_date,
        priority=max(source.priority - 1, 1),  # a remake is more urgent than the job it replaces
        status=initial_status(JOB, "remake"),
        order_revision=source.order_revision,
    )
    remake.full_clean()
    remake.save()
    Operation.objects.bulk_create(
        Operation(job=remake, sequence=op.sequence, work_center_id=op.work_center_id, description=op.description,
                  setup_hours=op.setup_hours, run_hours_per_piece=op.run_hours_per_piece)
        for op in Operation.objects.filter(job=source).order_by("sequence")
    )  # fmt: skip
    why = reason or f"Remake of {quantity} piece(s) of {source.number}"
    record_first_status(JOB, remake, by=by, reason=why[:200])
    signals.jobs_created.send(sender=Job, order=order, jobs=[remake], by=by)
    return remake


def jobs_cancel_for_order(*, order: SalesOrder, by: User, reason: str) -> int:
    """The order was cancelled (before work started): cancel its jobs, in the cancelling transaction."""
    jobs = list(
        Job.objects.select_for_update().filter(sales_order=order).exclude(status__in=[J.COMPLETE, J.CANCELLED])
    )
    for job in jobs:
        if job.started_at:
            raise ValidationError(f"{job.number} has started; the order cannot be cancelled.", code="conflict")
        transition(JOB, job, "cancel_with_order", by=by, reason=f"Order cancelled: {reason}", locked=True)
    return len(jobs)
