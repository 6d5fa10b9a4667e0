"""Every non-trivial read of the purchasing app, each with what its page shows prefetched (fixed queries)."""

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from jobs.models import Job
from mto import reads

from ..models import MaterialRequirement, PurchaseOrder, PurchaseOrderLine, Receipt, Vendor
from ..workflow import RECEIVING_STATUSES


def vendor_list_queryset() -> QuerySet[Vendor]:
    return Vendor.objects.annotate(
        open_orders=Count("purchase_orders", filter=Q(purchase_orders__status__in=["sent", "partially_received"]))
    )


def vendor_detail(*, pk: int) -> Vendor:
    return Vendor.objects.get(pk=pk)


def vendor_recent_orders(*, vendor: Vendor, limit: int = 20) -> list[PurchaseOrder]:
    return list(
        PurchaseOrder.objects.filter(vendor=vendor).annotate(line_count=Count("lines")).order_by("-id")[:limit]
    )


def purchase_order_list_queryset() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related("vendor").annotate(
        line_count=Count("lines"), total=Sum(models_line_total())
    )


def models_line_total():
    from django.db.models import DecimalField, ExpressionWrapper, F

    return ExpressionWrapper(F("lines__quantity") * F("lines__unit_cost"), output_field=DecimalField())


def purchase_order_detail(*, pk: int) -> PurchaseOrder:
    lines = PurchaseOrderLine.objects.select_related(
        "requirement__job", "outside_operation__operation__job"
    ).prefetch_related("receipts__received_by")
    return (
        PurchaseOrder.objects.select_related("vendor", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines), "status_changes__changed_by")
        .get(pk=pk)
    )


def lines_to_receive(*, po_number: str = "") -> QuerySet[PurchaseOrderLine]:
    """Open lines of sent orders with material still to come (or within tolerance), oldest due first; with a PO
    number, that order's lines only, a received order's too while under their tolerance limit (an over-delivery
    the vendor sent may still be booked)."""
    lines = PurchaseOrderLine.objects.filter(is_cancelled=False, outside_operation__isnull=True)
    if po_number:
        lines = lines.filter(purchase_order__number__iexact=po_number).filter(
            Q(purchase_order__status__in=RECEIVING_STATUSES)
            | Q(purchase_order__status=PurchaseOrder.Status.RECEIVED, quantity_received__lt=F("receive_limit"))
        )
    else:
        lines = lines.filter(purchase_order__status__in=RECEIVING_STATUSES)
    return lines.select_related("purchase_order__vendor", "requirement__job").order_by(
        "due_date", "purchase_order_id", "line_no"
    )


def job_material_reads(*, job: Job) -> dict:
    """The reads behind job_material (mto.reads): requirements, their PO lines (not cancelled first), receipts."""
    return {
        "requirements": MaterialRequirement.objects.filter(job=job)
        .select_related("operation", "vendor")
        .order_by("id"),
        "po_lines": PurchaseOrderLine.objects.filter(requirement__job=job)
        .select_related("purchase_order")
        .order_by("is_cancelled", "id"),
        "receipts": Receipt.objects.filter(po_line__requirement__job=job).order_by("id"),
    }


def job_material_from(rows: dict) -> list[MaterialRequirement]:
    reads.attach(rows["po_lines"], rows["receipts"], key="po_line_id", cache_name="receipts")
    reads.attach(rows["requirements"], rows["po_lines"], key="requirement_id", cache_name="po_lines")
    return rows["requirements"]


def job_material(*, job: Job) -> list[MaterialRequirement]:
    """A job's requirements with their (not cancelled) PO lines and receipts: one statement on PostgreSQL."""
    return job_material_from(reads.fetch(**job_material_reads(job=job)))
