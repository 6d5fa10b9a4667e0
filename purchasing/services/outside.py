"""Outside operations: the purchasing side of a job operation a vendor does (plating, heat treat).

Every operation at an outside work center has an OutsideOperation row (made when jobs are made or the planner
adds or moves an operation there), whose vendor, lead time and estimated cost the buyer keeps. Pieces leave on a
ship-out (the vendor packing slip VS-000123) and come back on a vendor return; jobs counts them through its own
services (jobs.services.operation_ship_out / operation_receive_back), which lock the job and its operations first
(house order), then these services lock the purchasing row. The check constraint outside_back_not_over_sent is
the database's own refusal of more pieces back than were sent.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from jobs import services as jobs_services
from jobs.models import Job, Operation
from mto import reads
from mto.db import atomic_with_retry
from mto.services import document_number_next
from mto.transitions import User

from .. import signals
from ..models import OutsideOperation, PurchaseOrder, PurchaseOrderLine, ShipOut, Vendor, VendorReturn
from ..workflow import RECEIVABLE_STATUSES
from .common import _require as require
from .receipts import attach_certificate, certificate_validate, po_follow_receipts

MONEY_QUANTUM = Decimal("0.01")


@dataclass(frozen=True)
class OutsideEstimate:
    """An outside service as a higher app priced it (quotes' EstimateOutside): the vendor by name, the cost
    per piece or per lot, and the lead days."""

    vendor_name: str
    cost: Decimal
    per_piece: bool
    lead_days: int
    description: str = ""


def _quoted_outside(jobs: list[Job]) -> dict[int, list[OutsideEstimate]]:
    quoted: dict[int, list[OutsideEstimate]] = {}
    for _receiver, answer in signals.outside_for_jobs.send(sender=OutsideOperation, jobs=jobs):
        for job_id, estimates in (answer or {}).items():
            quoted.setdefault(job_id, []).extend(estimates)
    return quoted


def outside_vendors():
    """Vendors an outside operation may go to: approved, active, doing some outside process."""
    return Vendor.objects.filter(is_approved=True, is_active=True).exclude(processes="")


def _outside_without_row(operations):
    return (
        operations.filter(work_center__is_outside=True, outside__isnull=True)
        .select_related("job")
        .order_by("job_id", "sequence")
    )


_OUTSIDE_WITHOUT_ROW = reads.CompiledQuery(
    lambda job_ids: _outside_without_row(Operation.objects.filter(job_id__any=job_ids)), key_type=list[int]
)


def outside_operations_ensure(*, jobs: list[Job] | None = None, operations: list[Operation] | None = None,
                              by: User | None = None) -> list[OutsideOperation]:  # fmt: skip
    """Give each operation at an outside work center (of `jobs`, or the `operations` given) its outside-operation
    row, with the vendor, lead days and estimated cost the job's quote priced when it came from one.

    Idempotent (a receiver of jobs' signals): rows that exist are left alone, and the one-to-one on the operation
    refuses a second. A fixed number of queries whatever the number of jobs."""
    if jobs is not None and operations is None:  # every approval asks this of its new jobs: kept compiled
        missing = _OUTSIDE_WITHOUT_ROW.all([job.pk for job in jobs])
    else:
        found = _outside_without_row(Operation.objects.all())
        if jobs is not None:
            found = found.filter(job__in=[job.pk for job in jobs])
        if operations is not None:
            found = found.filter(pk__in=[op.pk for op in operations])
        missing = list(found)
    if not missing:
        return []
    job_of = {op.job_id: op.job for op in missing}
    quoted = _quoted_outside(list(job_of.values()))
    names = {e.vendor_name.strip().lower() for estimates in quoted.values() for e in estimates}
    vendors: dict[str, Vendor] = {}
    if names:
        for vendor in outside_vendors().order_by("id"):
            vendors.setdefault(vendor.name.strip().lower(), vendor)
    # The job's outside operations already made (a planner's addition) have used up the first estimates.
    taken = dict.fromkeys(job_of, 0)
    for job_id in OutsideOperation.objects.filter(operation__job__in=list(job_of)).values_list(
        "operation__job_id", flat=True
    ):
        taken[job_id] += 1
    rows = []
    for op in missing:
        estimates = quoted.get(op.job_id, [])
        index = taken[op.job_id]
        taken[op.job_id] += 1
        row = OutsideOperation(operation=op)
        if index < len(estimates):
            estimate = estimates[index]
            row.vendor = vendors.get(estimate.vendor_name.strip().lower())
            row.lead_days = estimate.lead_days
            cost = estimate.cost * op.job.quantity if estimate.per_piece else estimate.cost
            row.estimated_cost = cost.quantize(MONEY_QUANTUM)
        rows.append(row)
    OutsideOperation.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@atomic_with_retry
def outside_operation_update(*, outside_operation: OutsideOperation, vendor: Vendor | None, lead_days: int,
                             estimated_cost: Decimal, by: User) -> OutsideOperation:  # fmt: skip
    """The buyer picks who does the operation and keeps its lead time and estimated cost."""
    require(by, "buy")
    errors = {}
    if vendor is not None and not outside_vendors().filter(pk=vendor.pk).exists():
        errors["vendor"] = f"{vendor.name} is not an approved, active vendor of outside processing."
    if not isinstance(lead_days, int) or isinstance(lead_days, bool) or not 0 <= lead_days <= 365:
        errors["lead_days"] = "Give the lead time in whole days, 0 to 365."
    if not isinstance(estimated_cost, Decimal) or not estimated_cost.is_finite() or estimated_cost < 0:
        errors["estimated_cost"] = "Give the estimated cost as an amount of 0 or more."
    elif estimated_cost >= Decimal("1e10"):
        errors["estimated_cost"] = "The estimated cost is too large."
    if errors:
        raise ValidationError(errors)
    row = OutsideOperation.objects.select_for_update().get(pk=outside_operation.pk)
    moved = (row.vendor_id, row.lead_days) != (vendor.pk if vendor else None, lead_days)
    row.vendor, row.lead_days, row.estimated_cost = vendor, lead_days, estimated_cost.quantize(MONEY_QUANTUM)
    row.full_clean()
    row.save(update_fields=["vendor", "lead_days", "estimated_cost", "updated_at"])
    if moved:
        signals.vendor_dates_changed.send(sender=OutsideOperation, purchase_order=None, outside_operation=row, by=by)
    return row


def _open_line(row: OutsideOperation) -> PurchaseOrderLine | None:
    return PurchaseOrderLine.objects.filter(outside_operation=row, is_cancelled=False).first()


@atomic_with_retry
def outside_ship_out(*, outside_operation: OutsideOperation, quantity: int, by: User, carrier: str = "",
                     notes: str = "") -> ShipOut:  # fmt: skip
    """Ship pieces to the operation's vendor: jobs counts them out (and starts the operation, and the job if it was
    released), then the locked row counts them sent and the ship-out prints as the vendor packing slip."""
    require(by, "receive")
    vendor_id = OutsideOperation.objects.values_list("vendor_id", flat=True).get(pk=outside_operation.pk)
    if vendor_id is None:
        raise ValidationError("Pick the vendor of this outside operation before shipping pieces to it.")
    jobs_services.operation_ship_out(operation=Operation(pk=outside_operation.operation_id), quantity=quantity, by=by)
    row = OutsideOperation.objects.select_for_update().get(pk=outside_operation.pk)
    if row.vendor_id is None:
        raise ValidationError("Pick the vendor of this outside operation before shipping pieces to it.")
    row.pieces_sent += quantity
    row.save(update_fields=["pieces_sent", "updated_at"])
    ship_out = ShipOut(
        number=f"VS-{document_number_next(sequence='VS'):06d}",
        outside_operation=row,
        po_line=_open_line(row),
        quantity=quantity,
        carrier=(carrier or "").strip(),
        notes=(notes or "").strip(),
        shipped_by=by,
    )
    ship_out.full_clean()
    ship_out.save()
    return ship_out


@atomic_with_retry
def outside_receive_back(*, outside_operation: OutsideOperation, good: int, rejected: int, by: User,
                         lot_number: str = "", certificate=None) -> VendorReturn:  # fmt: skip
    """Pieces back from the vendor: jobs reports the good ones (they pass on; off the last operation they count
    as completed) and scraps the rejected ones ("Vendor reject"), finishing the operation when all are back;
    the locked row counts them back, never more than were sent (also the database's check)."""
    require(by, "receive")
    if certificate:
        certificate_validate(certificate)
    jobs_services.operation_receive_back(
        operation=Operation(pk=outside_operation.operation_id), good=good, rejected=rejected, by=by
    )
    row = OutsideOperation.objects.select_for_update().get(pk=outside_operation.pk)
    if good + rejected > row.pieces_at_vendor:
        raise ValidationError(
            f"Only {row.pieces_at_vendor} piece(s) are at the vendor; {good + rejected} received back.",
            code="too_many",
        )
    row.pieces_back_good += good
    row.pieces_rejected += rejected
    row.save(update_fields=["pieces_back_good", "pieces_rejected", "updated_at"])
    back = VendorReturn(outside_operation=row, good=good, rejected=rejected,
                        lot_number=(lot_number or "").strip(), received_by=by)  # fmt: skip
    if certificate:
        attach_certificate(back, certificate)
    back.full_clean()
    back.save()
    _receive_on_po_line(row, good + rejected, by)
    return back


def _receive_on_po_line(outside: OutsideOperation, pieces: int, by: User) -> None:
    """Pieces back count as received on the open PO line bought for this outside operation (so its order
    moves to partially received / received like a material order); a vendor with no sent PO has none."""
    line_id = (
        PurchaseOrderLine.objects.filter(outside_operation=outside, is_cancelled=False,
                                         purchase_order__status__in=RECEIVABLE_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )  # fmt: skip
    if line_id is None:
        return
    line = PurchaseOrderLine.objects.select_related("purchase_order").get(pk=line_id)
    po = PurchaseOrder.objects.select_for_update().get(pk=line.purchase_order_id)
    line = PurchaseOrderLine.objects.select_for_update().get(pk=line_id)
    # Never past the line's limit: a vendor may return more pieces than the PO named (more were sent).
    line.quantity_received = min(line.quantity_received + pieces, line.receive_limit)
    line.save(update_fields=["quantity_received"])
    po_follow_receipts(po, by)
