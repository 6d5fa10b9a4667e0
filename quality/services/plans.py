"""Inspection plans: entered once per item, copied onto each job as the job's own characteristics."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from jobs.models import Job, Operation
from mto import reads
from mto.db import atomic_with_retry
from mto.transitions import User
from sales.models import Item, SalesOrderLine

from ..models import COPIED_FIELDS, JobCharacteristic, Kind, PlanCharacteristic, Sampling
from ..models_lines import LinePlanCharacteristic
from .common import _require


def _check(char) -> None:
    """The rules of a characteristic the form cannot see alone (the database keeps the same ones)."""
    errors = {}
    if char.kind == Kind.DIMENSION:
        if char.nominal is None:
            errors["nominal"] = "A dimension needs its nominal value."
        for name in ("tolerance_plus", "tolerance_minus"):
            value = getattr(char, name)
            if value is None:
                errors[name] = "Enter the tolerance (0 if none)."
            elif value < 0:
                errors[name] = "Enter the tolerance as a positive number."
        if not errors and char.tolerance_plus == 0 and char.tolerance_minus == 0:
            errors["tolerance_plus"] = "A dimension needs some tolerance."
    else:
        char.nominal = char.tolerance_plus = char.tolerance_minus = None
        char.unit = ""
    if char.sampling == Sampling.EVERY:
        char.sample_n = None
    elif not char.sample_n:
        errors["sample_n"] = "Say how many pieces (N)."
    if errors:
        raise ValidationError(errors)


# The rules of a characteristic, for a higher app that keeps characteristics of its own (quotes' quote lines).
characteristic_check = _check


@atomic_with_retry
def plan_characteristic_add(
    *, item: Item, by: User, operation_sequence: int, name: str, kind: str = Kind.DIMENSION,
    nominal: Decimal | None = None, tolerance_plus: Decimal | None = None, tolerance_minus: Decimal | None = None,
    unit: str = "", sampling: str = Sampling.EVERY, sample_n: int | None = None,
) -> PlanCharacteristic:  # fmt: skip
    _require(by, "edit_quality_plans")
    item = Item.objects.select_for_update().get(pk=item.pk)
    last = PlanCharacteristic.objects.filter(item=item).order_by("-position").values_list("position", flat=True)
    char = PlanCharacteristic(
        item=item, position=(last.first() or 0) + 1, operation_sequence=operation_sequence, name=name.strip(),
        kind=kind, nominal=nominal, tolerance_plus=tolerance_plus, tolerance_minus=tolerance_minus,
        unit=unit.strip(), sampling=sampling, sample_n=sample_n,
    )  # fmt: skip
    _check(char)
    char.full_clean()
    char.save()
    return char


EDITABLE = ("operation_sequence", "name", "kind", "nominal", "tolerance_plus", "tolerance_minus", "unit", "sampling",
            "sample_n")  # fmt: skip


@atomic_with_retry
def plan_characteristic_update(*, characteristic: PlanCharacteristic, by: User, **fields) -> PlanCharacteristic:
    """Change a plan line (only the fields given); jobs that already have their copy keep it as it was."""
    _require(by, "edit_quality_plans")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    item_id = PlanCharacteristic.objects.values_list("item_id", flat=True).get(pk=characteristic.pk)
    Item.objects.select_for_update().filter(pk=item_id).exists()
    char = PlanCharacteristic.objects.select_for_update().get(pk=characteristic.pk)
    for name, value in fields.items():
        setattr(char, name, value.strip() if isinstance(value, str) else value)
    _check(char)
    char.full_clean()
    char.save()
    return char


@atomic_with_retry
def plan_characteristic_remove(*, characteristic: PlanCharacteristic, by: User) -> None:
    """Take a line off the plan; jobs that already have their copy keep it."""
    _require(by, "edit_quality_plans")
    PlanCharacteristic.objects.filter(pk=characteristic.pk).delete()


# Every approval's reads by its lines and items, kept compiled (mto.reads).
_ITEMS_OF_LINES = reads.CompiledQuery(
    lambda line_ids: SalesOrderLine.objects.filter(pk__any=line_ids, item__isnull=False).values_list("pk", "item_id"),
    key_type=list[int],
)
_PLANS_OF_ITEMS = reads.CompiledQuery(
    lambda item_ids: PlanCharacteristic.objects.filter(item_id__any=item_ids).order_by(
        "operation_sequence", "position", "id"
    ),
    key_type=list[int],
)
_PLANS_OF_LINES = reads.CompiledQuery(
    lambda line_ids: LinePlanCharacteristic.objects.filter(line_id__any=line_ids).order_by(
        "operation_sequence", "position", "id"
    ),
    key_type=list[int],
)


def plans_copy_to_jobs(*, jobs: list[Job]) -> int:
    """Give each job (made from an order line of an item with a plan) its own copy of the plan, in the caller's
    transaction (the receiver of jobs_created / jobs_changed). Idempotent: a job keeps the copy it has (a
    unique constraint backs it). A fixed number of queries whatever the number of jobs."""
    jobs = [job for job in jobs if job.sales_order_line_id]
    if not jobs:
        return 0
    line_ids = sorted({j.sales_order_line_id for j in jobs})
    item_of_line = dict(_ITEMS_OF_LINES.all(line_ids))
    plan: dict[int, list[PlanCharacteristic]] = {}
    for char in _PLANS_OF_ITEMS.all(sorted(set(item_of_line.values()))) if item_of_line else ():
        plan.setdefault(char.item_id, []).append(char)
    # A line sold with its own plan (a quote line's, handed over on acceptance) takes it instead of the item's.
    line_plan: dict[int, list[LinePlanCharacteristic]] = {}
    for char in _PLANS_OF_LINES.all(line_ids):
        line_plan.setdefault(char.line_id, []).append(char)
    if not plan and not line_plan:
        return 0
    job_ids = [job.pk for job in jobs]
    has_copy = set(JobCharacteristic.objects.filter(job_id__in=job_ids).values_list("job_id", flat=True))
    operations = {
        (job_id, seq): op_id
        for op_id, job_id, seq in Operation.objects.filter(job_id__in=job_ids).values_list("pk", "job_id", "sequence")
    }
    copies = [
        JobCharacteristic(
            job_id=job.pk,
            source_id=char.pk if isinstance(char, PlanCharacteristic) else None,
            position=char.position,
            operation_id=operations.get((job.pk, char.operation_sequence)),
            **{name: getattr(char, name) for name in COPIED_FIELDS},
        )  # fmt: skip
        for job in jobs
        if job.pk not in has_copy
        for char in line_plan.get(job.sales_order_line_id) or plan.get(item_of_line.get(job.sales_order_line_id), ())
    ]
    JobCharacteristic.objects.bulk_create(copies, ignore_conflicts=True)
    return len(copies)
