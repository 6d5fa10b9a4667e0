"""Material received against PO lines: partial receipts, a lot or heat number, the vendor's certificate.

Locks (house order): the job and its operations first (the receipt may make an operation material-ready),
then the purchase order, its line, the requirement. Two receivers on one line wait on the line's lock,
and the second sees what the first received; the check constraint is the database's own refusal.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError

from jobs.services import job_lock_for_material
from mto.db import atomic_with_retry
from mto.transitions import User, transition

from .. import signals
from ..models import MaterialRequirement, PurchaseOrder, PurchaseOrderLine, Receipt, VendorReturn
from ..workflow import PURCHASE_ORDER, RECEIVABLE_STATUSES
from .common import QUANTUM, _require, decimal_of
from .material import material_readiness_refresh

PDF_SIGNATURE = b"%PDF-"


def certificate_validate(upload) -> None:
    """A certificate must be a PDF by its content and named .pdf (like order drawings, judged by the bytes)."""
    limit = settings.DRAWING_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"certificate": f"{upload.name} is {upload.size / 1_048_576:.1f} MB; at most {limit // 1_048_576} MB."}
        )
    if upload.size == 0:
        raise ValidationError({"certificate": f"{upload.name} is empty."})
    upload.seek(0)
    head = upload.read(len(PDF_SIGNATURE))
    upload.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError({"certificate": f"{upload.name} is not a PDF file (its content says otherwise)."})
    if not upload.name.lower().endswith(".pdf"):
        raise ValidationError({"certificate": f"{upload.name} holds a PDF but is not named .pdf; rename it."})


def attach_certificate(row, upload) -> None:
    """Store a checked certificate under a random name on `row` (a CertificateMixin), keeping the original name."""
    certificate_validate(upload)
    row.certificate_token = secrets.token_hex(16)
    row.certificate_name = "".join(c for c in upload.name if c.isprintable())[-255:] or "certificate.pdf"
    row.certificate.save("upload.pdf", upload, save=False)


@atomic_with_retry
def certificate_attach(*, row: Receipt | VendorReturn, upload, by: User) -> Receipt | VendorReturn:
    """A vendor's certificate for a receipt or a return booked without one (the API's upload): a PDF by its
    content, on the locked row; a row that has one keeps it (the record of what came with the goods)."""
    _require(by, "receive")
    if not upload:
        raise ValidationError({"certificate": "Attach the certificate as a PDF file."})
    locked = type(row).objects.select_for_update().get(pk=row.pk)
    if locked.certificate:
        raise ValidationError(f"This already has a certificate ({locked.certificate_name}).", code="conflict")
    attach_certificate(locked, upload)
    locked.save(update_fields=["certificate", "certificate_token", "certificate_name"])
    return locked


def _fmt(value) -> str:
    return f"{value.normalize():f}"


@atomic_with_retry
def receipt_create(*, po_line: PurchaseOrderLine, quantity, by: User, lot_number: str = "",
                   certificate=None) -> Receipt:  # fmt: skip
    """Receive material on a line: refused beyond the line's tolerance, on a line of an order not sent, or
    on a cancelled line. A received order still takes what its lines' tolerance allows (and stays received).
    The line's and the requirement's received quantities and the order's status change in this one
    transaction."""
    _require(by, "receive")
    quantity = decimal_of(quantity, field="quantity")
    if quantity != quantity.quantize(QUANTUM):
        raise ValidationError({"quantity": "Give the quantity to at most 3 decimals."})
    job_id = (
        MaterialRequirement.objects.filter(pk=po_line.requirement_id).values_list("job_id", flat=True).first()
        if po_line.requirement_id
        else None
    )
    operations = job_lock_for_material(job_id=job_id) if job_id else []
    po = PurchaseOrder.objects.select_for_update().get(pk=po_line.purchase_order_id)
    line = PurchaseOrderLine.objects.select_for_update().get(pk=po_line.pk)
    if line.outside_operation_id:
        raise ValidationError("This line is an outside operation: receive its pieces back from the vendor instead.")
    if po.status not in RECEIVABLE_STATUSES or line.is_cancelled:
        raise ValidationError(
            f"{po.number} is {po.get_status_display().lower()}; nothing can be received on it.", code="conflict"
        )
    after = line.quantity_received + quantity
    if after > line.receive_limit:
        room = max(line.receive_limit - line.quantity_received, 0)
        raise ValidationError(
            {"quantity": f"{_fmt(quantity)} is more than this line may still take: {_fmt(line.quantity_received)} of "
                         f"{_fmt(line.quantity)} received, at most {_fmt(line.receive_limit)} with the "
                         f"{settings.PURCHASING_RECEIVE_TOLERANCE_PERCENT}% tolerance, so {_fmt(room)} more."},
            code="over_receipt",
        )  # fmt: skip
    receipt = Receipt(po_line=line, quantity=quantity, lot_number=(lot_number or "").strip(), received_by=by)
    if certificate:
        attach_certificate(receipt, certificate)
    receipt.full_clean(exclude=["po_line"])
    line.quantity_received = after
    line.save(update_fields=["quantity_received"])
    receipt.save()
    if line.requirement_id:
        requirement = MaterialRequirement.objects.select_for_update().get(pk=line.requirement_id)
        requirement.quantity_received += quantity
        requirement.save(update_fields=["quantity_received"])
    po_follow_receipts(po, by)
    if job_id:
        material_readiness_refresh(job_id=job_id, operations=operations, by=by)
    signals.material_received.send(sender=Receipt, receipt=receipt, by=by)
    return receipt


def po_follow_receipts(po: PurchaseOrder, by: User) -> None:
    """The order is received when every line has its quantity, else partially received (system moves)."""
    if po.status == PurchaseOrder.Status.RECEIVED:  # an over-delivery within tolerance: it stays received
        return
    lines = list(PurchaseOrderLine.objects.filter(purchase_order=po, is_cancelled=False))
    if all(line.quantity_received >= line.quantity for line in lines):
        transition(PURCHASE_ORDER, po, "receive_all", by=by, locked=True)
    elif po.status == PurchaseOrder.Status.SENT:
        transition(PURCHASE_ORDER, po, "receive_part", by=by, locked=True)
