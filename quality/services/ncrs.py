"""Non-conformance reports: opened from scrap or a failed inspection, dispositioned (through jobs services for
rework and remake), closed."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from jobs.models import Job, Operation, ScrapRecord, TimeEntry, WorkCenter
from jobs.selectors import other_costs
from jobs.services import job_create_remake, operation_add_rework
from mto.db import atomic_with_retry
from mto.services import document_number_next
from mto.transitions import User, initial_status, record_first_status, transition

from ..models import InspectionResult, NonConformance
from ..workflow import NCR, D, S
from .common import _require, lock_job

CENT = Decimal("0.01")


def ncr_cost(*, job: Job, operation: Operation, quantity: int) -> tuple[Decimal, Decimal]:
    """(labor, material) already in `quantity` pieces of `job` that went wrong at `operation`.

    Labor: each operation up to this one (by sequence), its time entries' cost so far at the rate each entry
    carries (the work center's rate when it started: a later rate change does not rewrite it; a running entry
    counts up to now), shared over the pieces it handled (good and scrap; the job's quantity where it handled
    none yet), times the pieces. Material: the job's material cost (what purchasing received for it, or its
    estimate while nothing is received; jobs.signals.other_costs_for_jobs) shared over the job's pieces, times
    the pieces. Four queries whatever the routing."""
    now = timezone.now()
    ops = list(Operation.objects.filter(job=job, sequence__lte=operation.sequence).order_by("sequence"))
    labor_of: dict[int, Decimal] = {}
    fields = ("operation_id", "started_at", "stopped_at", "hourly_rate")
    for e in TimeEntry.objects.filter(operation__in=ops).only(*fields):
        hours = Decimal(max(((e.stopped_at or now) - e.started_at).total_seconds(), 0)) / Decimal(3600)
        labor_of[e.operation_id] = labor_of.get(e.operation_id, Decimal(0)) + hours * e.hourly_rate
    per_piece = sum(
        (labor_of.get(op.pk, Decimal(0)) / ((op.good_qty + op.scrap_qty) or job.quantity) for op in ops), Decimal(0)
    )
    materials = [c for c in other_costs([job]).get(job.pk, []) if c.category == "material"]
    actual = sum((c.actual for c in materials), Decimal(0))
    material = actual or sum((c.estimated for c in materials), Decimal(0))
    labor = (per_piece * quantity).quantize(CENT, ROUND_HALF_UP)
    return labor, (material / job.quantity * quantity).quantize(CENT, ROUND_HALF_UP)


def _disposition_cost(ncr: NonConformance, job: Job, disposition: str, rework_op: Operation | None):
    """(labor, material) the disposition makes final. The pieces are lost (scrap, remake, return to vendor): the
    labor and material in them, worked out again now (time that was still running at the opening has ended).
    Used as is: nothing is lost (the customer's concession keeps the pieces). Rework: the pieces are kept, the
    cost is the rework operation's estimated labor at its work center's rate."""
    if disposition == D.USE_AS_IS:
        return Decimal(0), Decimal(0)
    if disposition == D.REWORK:
        rate = WorkCenter.objects.values_list("hourly_rate", flat=True).get(pk=rework_op.work_center_id)
        hours = rework_op.setup_hours + rework_op.run_hours_per_piece * ncr.quantity
        return (hours * rate).quantize(CENT, ROUND_HALF_UP), Decimal(0)
    operation = Operation.objects.get(pk=ncr.operation_id)
    return ncr_cost(job=job, operation=operation, quantity=ncr.quantity)


@atomic_with_retry
def ncr_open(
    *, by: User, scrap_record: ScrapRecord | None = None, results: list[InspectionResult] | None = None,
    quantity: int | None = None, reason: str = "",
) -> NonConformance:  # fmt: skip
    """Open an NCR from a scrap report or from failed results of one operation: its job, operation, work
    center and pieces come from there (the pieces and reason may be given), the operator is `by`."""
    _require(by, "open_ncrs")
    if (scrap_record is None) == (not results):
        raise ValidationError("Open an NCR from a scrap report or from failed inspection results.")
    if scrap_record is not None:
        op_id = ScrapRecord.objects.values_list("operation_id", flat=True).get(pk=scrap_record.pk)
    else:
        op_ids = set(
            InspectionResult.objects.filter(pk__in=[r.pk for r in results]).values_list(
                "characteristic__operation_id", flat=True
            )
        )
        if len(op_ids) != 1 or None in op_ids:
            raise ValidationError("The results must be of one operation.")
        op_id = op_ids.pop()
    job = lock_job(Operation.objects.values_list("job_id", flat=True).get(pk=op_id))
    operation = Operation.objects.select_related("work_center").get(pk=op_id)
    if scrap_record is not None:
        scrap_record = ScrapRecord.objects.select_for_update().get(pk=scrap_record.pk)
        taken = NonConformance.objects.filter(scrap_record=scrap_record).values_list("number", flat=True).first()
        if taken:
            raise ValidationError(f"This scrap report already has {taken}.", code="conflict")
        quantity = scrap_record.quantity if quantity is None else quantity
        reason = reason.strip() or scrap_record.reason
    else:
        results = list(
            InspectionResult.objects.select_for_update(of=("self",))
            .filter(pk__in=[r.pk for r in results])
            .select_related("characteristic", "ncr")
            .order_by("characteristic_id", "sample_no")
        )
        if any(r.passed for r in results):
            raise ValidationError("Only failed results go on an NCR.")
        taken = next((r.ncr.number for r in results if r.ncr_id), None)
        if taken:
            raise ValidationError(f"These results are already on {taken}.", code="conflict")
        quantity = len({r.sample_no for r in results}) if quantity is None else quantity
        names = ", ".join(dict.fromkeys(r.characteristic.name for r in results))
        reason = reason.strip() or f"Failed inspection: {names}"
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": "Enter the number of pieces (at least 1)."})
    if quantity > job.quantity:
        raise ValidationError({"quantity": f"{job.number} has {job.quantity} piece(s); {quantity} given."})
    labor, material = ncr_cost(job=job, operation=operation, quantity=quantity)
    ncr = NonConformance(
        number="NCR-000000", job=job, operation=operation, work_center=operation.work_center, quantity=quantity,
        reason=reason[:200], scrap_record=scrap_record, opened_by=by, status=initial_status(NCR),
        labor_cost=labor, material_cost=material,
    )  # fmt: skip
    ncr.full_clean(exclude=["number", "scrap_record"])
    ncr.number = f"NCR-{document_number_next(sequence='NCR'):06d}"
    ncr.save()
    if results:
        InspectionResult.objects.filter(pk__in=[r.pk for r in results]).update(ncr=ncr)
    record_first_status(NCR, ncr, by=by, reason=reason[:500])
    return ncr


@atomic_with_retry
def ncr_disposition(
    *, ncr: NonConformance, disposition: str, by: User, note: str = "", concession_reference: str = "",
    rework_work_center: WorkCenter | None = None, rework_description: str = "",
    rework_setup_hours: Decimal = Decimal("0"), rework_run_hours_per_piece: Decimal = Decimal("0"),
    remake_quantity: int | None = None,
) -> NonConformance:  # fmt: skip
    """Decide what becomes of the pieces. Rework adds an operation to the job (jobs' operation_add_rework);
    remake makes a new job for the same order line (jobs' job_create_remake); use as is needs the customer's
    concession reference. Locks the job (house order), then the NCR, and moves it to dispositioned."""
    if not NCR["disposition"].allowed_for(by):
        _require(by, "disposition_ncrs")
    if disposition not in D.values:
        raise ValidationError({"disposition": "Choose a disposition."})
    note, concession_reference = note.strip(), concession_reference.strip()
    errors = {}
    if disposition == D.USE_AS_IS and not concession_reference:
        errors["concession_reference"] = "Use as is needs the customer's concession reference."
    if disposition == D.REWORK:
        if rework_work_center is None:
            errors["rework_work_center"] = "Choose where the rework is done."
        if not rework_description.strip():
            errors["rework_description"] = "Say what the rework is."
    if disposition == D.RETURN_TO_VENDOR and not note:
        errors["note"] = "Say which vendor the pieces go back to (and their reference)."
    if errors:
        raise ValidationError(errors)
    job_id = NonConformance.objects.values_list("job_id", flat=True).get(pk=ncr.pk)
    job = lock_job(job_id)
    ncr = NonConformance.objects.select_for_update().get(pk=ncr.pk)
    if ncr.status != S.OPEN:
        raise ValidationError(f"{ncr.number} is already {ncr.get_status_display().lower()}.", code="conflict")
    remake = op = None
    if disposition == D.REWORK:
        op = operation_add_rework(
            job=job, work_center=rework_work_center, description=rework_description.strip()[:200],
            setup_hours=rework_setup_hours, run_hours_per_piece=rework_run_hours_per_piece, by=by,
        )  # fmt: skip
        note = note or f"Rework operation {op.sequence} added"
    elif disposition == D.REMAKE:
        quantity = ncr.quantity if remake_quantity is None else remake_quantity
        remake = job_create_remake(job=job, quantity=quantity, by=by, reason=f"Remake for {ncr.number}")
        note = note or f"Remake job {remake.number}"
    now = timezone.now()
    labor, material = _disposition_cost(ncr, job, disposition, op)
    fields = {
        "disposition": disposition, "disposition_note": note[:500], "concession_reference": concession_reference[:60],
        "remake_job": remake, "rework_operation": op, "dispositioned_by": by, "dispositioned_at": now,
        "labor_cost": labor, "material_cost": material,
    }  # fmt: skip
    reason = f"{D(disposition).label}: {note or concession_reference}".strip(": ")
    return transition(NCR, ncr, "disposition", by=by, reason=reason, fields=fields, locked=True)


@atomic_with_retry
def ncr_close(*, ncr: NonConformance, by: User, reason: str = "") -> NonConformance:
    return transition(NCR, ncr, "close", by=by, reason=reason)
