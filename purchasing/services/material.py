"""A job's material: requirements entered by the planner or filled from the quote, bought or issued from stock,
and what they mean for the floor (an operation is material-ready only when all its material is in)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from jobs.models import Job, Operation
from jobs.services import job_lock_for_material, operation_set_material_ready
from jobs.workflow import OPEN as JOB_OPEN
from mto import reads
from mto.db import atomic_with_retry
from mto.transitions import User

from .. import signals
from ..models import MaterialRequirement, PurchaseOrderLine, Unit, Vendor
from .common import MONEY_QUANTUM, _require, decimal_of

R = MaterialRequirement
EDIT_FIELDS = ("description", "quantity", "unit", "estimated_cost", "operation", "vendor")


@dataclass(frozen=True)
class MaterialEstimate:
    """Material a higher app (quotes) priced for a job; purchasing makes a requirement of it."""

    description: str
    quantity: Decimal
    unit: str
    estimated_cost: Decimal


def _consumer(requirement: MaterialRequirement, operations: list[Operation]) -> Operation | None:
    """The operation a requirement holds back: its own, or the job's first."""
    if requirement.operation_id:
        return next((op for op in operations if op.pk == requirement.operation_id), None)
    return operations[0] if operations else None


def material_readiness_refresh(*, job_id: int, operations: list[Operation], by: User | None) -> None:
    """Each operation of the (locked) job is material-ready when all requirements it consumes are received or
    issued; changed through the jobs service only."""
    requirements = list(MaterialRequirement.objects.filter(job_id=job_id))
    waiting = {op.pk: False for op in operations}
    for requirement in requirements:
        consumer = _consumer(requirement, operations)
        if consumer is not None and not requirement.is_fulfilled:
            waiting[consumer.pk] = True
    for op in operations:
        if op.material_ready == waiting[op.pk]:  # ready must be the opposite of waiting
            operation_set_material_ready(operation=op, ready=not waiting[op.pk], by=by)
            op.material_ready = not waiting[op.pk]


def _open_job(job_id: int) -> tuple[Job, list[Operation]]:
    operations = job_lock_for_material(job_id=job_id)
    job = Job.objects.get(pk=job_id)
    if job.status not in JOB_OPEN:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its material cannot change.")
    return job, operations


def _clean_fields(fields: dict, operations: list[Operation]) -> dict:
    cleaned = {}
    for name, value in fields.items():
        if name not in EDIT_FIELDS:
            continue
        if name == "quantity":
            value = decimal_of(value, field="quantity")
        elif name == "estimated_cost":
            value = decimal_of(value, field="estimated_cost", what="estimated cost", positive=False)
        elif name == "operation" and value is not None:
            if not any(op.pk == getattr(value, "pk", None) for op in operations):
                raise ValidationError({"operation": "Pick an operation of this job."})
        elif name == "vendor" and value is not None and not isinstance(value, Vendor):
            raise ValidationError({"vendor": "Pick a vendor."})
        cleaned[name] = value
    return cleaned


def _on_open_line(requirement: MaterialRequirement) -> PurchaseOrderLine | None:
    return (
        PurchaseOrderLine.objects.filter(requirement=requirement, is_cancelled=False)
        .select_related("purchase_order")
        .first()
    )


@atomic_with_retry
def requirement_add(*, job: Job, by: User, **fields) -> MaterialRequirement:
    """Material a job needs (bought unless issued from stock later); its operation waits for it."""
    _require(by, "buy", "plan_jobs")
    job, operations = _open_job(job.pk)
    requirement = R(job=job, created_by=by, source=R.Source.BUY, **_clean_fields(fields, operations))
    requirement.full_clean()
    requirement.save()
    material_readiness_refresh(job_id=job.pk, operations=operations, by=by)
    return requirement


def _locked_requirement(requirement: MaterialRequirement) -> tuple[MaterialRequirement, list[Operation]]:
    job, operations = _open_job(requirement.job_id)
    return MaterialRequirement.objects.select_for_update().get(pk=requirement.pk), operations


def _refuse_if_settled(requirement: MaterialRequirement, doing: str) -> None:
    if requirement.issued_at is not None:
        raise ValidationError(f"This material was issued from stock; it cannot be {doing}.", code="conflict")
    line = _on_open_line(requirement)
    if line is not None:
        raise ValidationError(
            f"This material is on {line.purchase_order.number}; cancel that order first to change it.",
            code="conflict",
        )


@atomic_with_retry
def requirement_update(*, requirement: MaterialRequirement, by: User, **fields) -> MaterialRequirement:
    _require(by, "buy", "plan_jobs")
    requirement, operations = _locked_requirement(requirement)
    _refuse_if_settled(requirement, "changed")
    for name, value in _clean_fields(fields, operations).items():
        setattr(requirement, name, value)
    requirement.full_clean()
    requirement.save()
    material_readiness_refresh(job_id=requirement.job_id, operations=operations, by=by)
    return requirement


@atomic_with_retry
def requirement_remove(*, requirement: MaterialRequirement, by: User) -> None:
    _require(by, "buy", "plan_jobs")
    requirement, operations = _locked_requirement(requirement)
    _refuse_if_settled(requirement, "removed")
    if requirement.po_lines.exists():  # cancelled lines still name it: keep the history
        raise ValidationError("This material was on a cancelled order; it stays for the record.", code="conflict")
    job_id = requirement.job_id
    requirement.delete()
    material_readiness_refresh(job_id=job_id, operations=operations, by=by)


@atomic_with_retry
def requirement_issue_from_stock(*, requirement: MaterialRequirement, cost, by: User) -> MaterialRequirement:
    """The material comes from what is at hand: recorded with its cost; its operation may then be ready."""
    _require(by, "buy", "plan_jobs")
    cost = decimal_of(cost, field="cost", what="cost", positive=False).quantize(MONEY_QUANTUM)
    requirement, operations = _locked_requirement(requirement)
    _refuse_if_settled(requirement, "issued again")
    if requirement.quantity_received > 0:
        raise ValidationError("Some of this material was already received on an order.", code="conflict")
    requirement.source = R.Source.STOCK
    requirement.stock_cost = cost
    requirement.issued_at = timezone.now()
    requirement.issued_by = by
    requirement.save(update_fields=["source", "stock_cost", "issued_at", "issued_by"])
    material_readiness_refresh(job_id=requirement.job_id, operations=operations, by=by)
    return requirement


# Asked by every approval of its new jobs: kept compiled (mto.reads).
_JOBS_WITH_REQUIREMENTS = reads.CompiledQuery(
    lambda job_ids: (
        MaterialRequirement.objects.filter(job_id__any=job_ids).values_list("job_id", flat=True).distinct()
    ),
    key_type=list[int],
)


def requirements_fill_for_jobs(*, jobs: list[Job], by: User) -> list[MaterialRequirement]:
    """Inside the transaction that made the jobs: the material a higher app priced for them (the quote's
    estimate), asked through purchasing.signals.material_for_jobs. Idempotent: a job that already has
    requirements is left alone."""
    if not jobs:
        return []
    have = set(_JOBS_WITH_REQUIREMENTS.all([job.pk for job in jobs]))
    wanted = [job for job in jobs if job.pk not in have]
    estimates: dict[int, list[MaterialEstimate]] = {}
    for _receiver, answer in signals.material_for_jobs.send(sender=MaterialRequirement, jobs=wanted):
        for job_id, items in (answer or {}).items():
            estimates.setdefault(job_id, []).extend(items)
    made = []
    for job in wanted:
        items = estimates.get(job.pk)
        if not items:
            continue
        operations = job_lock_for_material(job_id=job.pk)
        rows = [
            R(job=job, description=item.description[:200], quantity=item.quantity,
              unit=item.unit if item.unit in Unit.values else Unit.PIECE,
              estimated_cost=item.estimated_cost.quantize(MONEY_QUANTUM), created_by=by)
            for item in items
        ]  # fmt: skip
        for row in rows:
            row.full_clean()
            row.save()
        made.extend(rows)
        material_readiness_refresh(job_id=job.pk, operations=operations, by=by)
    return made
