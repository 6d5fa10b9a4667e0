"""Inspection on the tablet: one sample's values for the characteristics of an operation, and the gate they put
on pieces passing on (jobs.signals.pieces_may_pass)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q

from jobs.models import Operation
from mto import reads
from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import InspectionResult, JobCharacteristic, NonConformance
from .common import _require, lock_job

PASS, FAIL = "pass", "fail"


def _parse(char: JobCharacteristic, raw) -> tuple[Decimal | None, bool]:
    """(value, passed) of one entry: a number for a dimension, "pass" or "fail" for an attribute."""
    if char.is_dimension:
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            raise ValidationError({f"c{char.pk}": f"{char.name}: enter a number."}) from None
        if not value.is_finite() or abs(value) >= Decimal("1e8"):
            raise ValidationError({f"c{char.pk}": f"{char.name}: enter a real measurement."})
        value = value.quantize(Decimal("0.0001"))
        return value, char.conforms(value)
    if raw not in (PASS, FAIL, True, False):
        raise ValidationError({f"c{char.pk}": f"{char.name}: choose pass or fail."})
    return None, raw in (PASS, True)


@atomic_with_retry
def inspection_record(
    *, operation: Operation, sample_no: int, values: dict[int, object], by: User
) -> list[InspectionResult]:
    """Record sample `sample_no` of the operation's characteristics: `values` maps a characteristic id to its
    measured value (a dimension) or "pass"/"fail" (an attribute); empty entries are left for later. Each result
    row carries who and when; an out-of-tolerance value is a failed result, which blocks good pieces passing
    on from the operation until an NCR for it is dispositioned. A sample once recorded stays as it is."""
    _require(by, "record_inspections")
    if not isinstance(sample_no, int) or isinstance(sample_no, bool) or sample_no < 1:
        raise ValidationError({"sample_no": "Enter the sample number (1, 2, ...)."})
    job = lock_job(Operation.objects.values_list("job_id", flat=True).get(pk=operation.pk))
    if not job.is_open:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; nothing more can be inspected.")
    chars = {c.pk: c for c in JobCharacteristic.objects.filter(operation_id=operation.pk)}
    entries = {int(k): v for k, v in values.items() if v not in (None, "")}
    unknown = set(entries) - set(chars)
    if unknown:
        raise ValidationError("A characteristic of another operation was sent; reload the page.")
    if not entries:
        raise ValidationError("Enter at least one measurement.")
    done = set(
        InspectionResult.objects.filter(characteristic_id__in=entries, sample_no=sample_no).values_list(
            "characteristic_id", flat=True
        )
    )
    errors = {}
    results = []
    for char_id, raw in entries.items():
        char = chars[char_id]
        if char_id in done:
            errors[f"c{char_id}"] = f"{char.name}: sample {sample_no} is already recorded."
            continue
        if sample_no > char.samples_for(job.quantity):
            errors[f"c{char_id}"] = (
                f"{char.name} is measured on {char.samples_for(job.quantity)} sample(s) ({char.sampling_label})."
            )
            continue
        try:
            value, passed = _parse(char, raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        results.append(InspectionResult(characteristic=char, sample_no=sample_no, value=value, passed=passed, by=by))
    if errors:
        raise ValidationError(errors)
    InspectionResult.objects.bulk_create(results)
    return results


def unsettled_failures(operation_id: int):
    """Failed results at the operation not yet settled by a dispositioned NCR (none, or one still open)."""
    return InspectionResult.objects.filter(characteristic__operation_id=operation_id, passed=False).filter(
        Q(ncr__isnull=True) | Q(ncr__status=NonConformance.Status.OPEN)
    )


# Every piece report asks it: compiled once per process (mto.reads.CompiledQuery).
_UNSETTLED_FAILURES = reads.CompiledQuery(
    lambda operation_id: (
        unsettled_failures(operation_id)
        .order_by("sample_no")
        .values_list("sample_no", "characteristic__name", "ncr__number")[:5]
    )
)


def pieces_may_pass(*, operation: Operation) -> str | None:
    """The refusal quality gives jobs' piece report (one query), or None when pieces may pass on."""
    failed = _UNSETTLED_FAILURES.all(operation.pk)
    if not failed:
        return None
    samples = ", ".join(f"sample {n} ({name})" for n, name, _ncr in failed)
    ncr = next((number for *_rest, number in failed if number), None)
    todo = f"{ncr} is waiting for its disposition" if ncr else "open an NCR and have it dispositioned"
    return f"Failed inspection at operation {operation.sequence}: {samples}; {todo} before pieces pass on."


__all__ = ["inspection_record", "pieces_may_pass", "unsettled_failures"]
