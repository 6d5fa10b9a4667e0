"""Traceability reads of purchasing: the material lots (heats) and outside-process returns behind jobs, and the
jobs behind a lot. Shipping's certificate and quality's trace and certificate pack read them; each is a fixed
number of queries whatever the number of jobs, receipts or returns."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import Upper

from ..models import MaterialRequirement, Receipt, VendorReturn


@dataclass
class JobMaterial:
    """What a job's material came from: the receipts (each with its heat or lot and certificate), or stock."""

    requirement: MaterialRequirement
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def from_stock(self) -> bool:
        return self.requirement.source == MaterialRequirement.Source.STOCK

    @property
    def lots(self) -> list[str]:
        return list(dict.fromkeys(r.lot_number for r in self.receipts if r.lot_number))


def normalized_lot(text: str) -> str:
    """A heat or lot number as people type it: trimmed, case folded (heats are compared case-insensitively)."""
    return " ".join((text or "").split()).upper()


def material_for_jobs(job_ids: list[int]) -> dict[int, list[JobMaterial]]:
    """Per job id, its material requirements with their receipts (vendor, PO line): two queries."""
    if not job_ids:
        return {}
    requirements = list(
        MaterialRequirement.objects.filter(job_id__in=job_ids).select_related("vendor").order_by("job_id", "id")
    )
    receipts: dict[int, list[Receipt]] = {}
    for receipt in (
        Receipt.objects.filter(po_line__requirement__job_id__in=job_ids)
        .select_related("po_line__purchase_order__vendor")
        .order_by("received_at", "id")
    ):
        receipts.setdefault(receipt.po_line.requirement_id, []).append(receipt)
    out: dict[int, list[JobMaterial]] = {}
    for req in requirements:
        out.setdefault(req.job_id, []).append(JobMaterial(req, receipts.get(req.pk, [])))
    return out


def outside_returns_for_jobs(job_ids: list[int]) -> dict[int, list[VendorReturn]]:
    """Per job id, the pieces back from vendors (with the vendor's lot and certificate), by operation: one query."""
    if not job_ids:
        return {}
    out: dict[int, list[VendorReturn]] = {}
    for row in (
        VendorReturn.objects.filter(outside_operation__operation__job_id__in=job_ids)
        .select_related("outside_operation__operation__work_center", "outside_operation__vendor")
        .order_by("outside_operation__operation__sequence", "received_at", "id")
    ):
        out.setdefault(row.outside_operation.operation.job_id, []).append(row)
    return out


def receipts_of_lot(lot: str, *, limit: int = 500) -> QuerySet[Receipt]:
    """Material receipts of a heat or lot number (case-insensitive, an index scan on receipt_lot_upper), with
    the job each went to."""
    return (
        Receipt.objects.annotate(lot_upper=Upper("lot_number"))
        .filter(lot_upper=normalized_lot(lot))
        .exclude(lot_number="")  # the partial index's condition, so the planner may use it
        .select_related("po_line__purchase_order__vendor", "po_line__requirement__job__sales_order__customer")
        .order_by("received_at", "id")[:limit]
    )


def returns_of_lot(lot: str, *, limit: int = 500) -> QuerySet[VendorReturn]:
    """Outside-process returns carrying a vendor's lot or batch number (case-insensitive, an index scan)."""
    return (
        VendorReturn.objects.annotate(lot_upper=Upper("lot_number"))
        .filter(lot_upper=normalized_lot(lot))
        .exclude(lot_number="")
        .select_related("outside_operation__operation__job__sales_order__customer", "outside_operation__vendor")
        .order_by("received_at", "id")[:limit]
    )
