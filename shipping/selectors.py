"""Reads of the shipping app, each in a fixed number of queries."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from jobs.models import Job
from jobs.selectors import line_production
from sales.models import SalesOrder, SalesOrderLine
from sales.workflow import OPEN_STATUSES

from .models import Shipment, ShipmentLine, ShipmentStatusChange
from .services import shipped_totals


def _produced_subquery():
    jobs = (
        Job.objects.filter(sales_order_line=OuterRef("pk"))
        .exclude(status=Job.Status.CANCELLED)
        .values("sales_order_line")
        .annotate(total=Sum("quantity_completed"))
        .values("total")
    )
    return Coalesce(Subquery(jobs, output_field=IntegerField()), Value(0))


def _on_hold_subquery():
    return Subquery(
        Job.objects.filter(sales_order_line=OuterRef("pk"), status=Job.Status.ON_HOLD).values("number")[:1]
    )


def ready_to_ship() -> QuerySet[SalesOrderLine]:
    """Order lines with produced pieces not yet shipped, oldest promised date first."""
    return (
        SalesOrderLine.objects.filter(order__status__in=OPEN_STATUSES, is_cancelled=False)
        .annotate(produced=_produced_subquery(), held_job=_on_hold_subquery())
        .filter(produced__gt=F("quantity_shipped"))
        .annotate(ready=F("produced") - F("quantity_shipped"))
        .select_related("order__customer", "item")
        .order_by(F("order__promised_date").asc(nulls_last=True), "order_id", "line_no")
    )


def order_lines_to_ship(*, order: SalesOrder) -> list[SalesOrderLine]:
    """The order's lines with what each may still ship (produced less shipped, capped by ordered)."""
    lines = list(order.lines.filter(is_cancelled=False).select_related("item").order_by("line_no"))
    production = line_production([line.pk for line in lines])
    shipped = shipped_totals([line.pk for line in lines])
    for line in lines:
        made = production[line.pk]
        line.produced = made.produced
        line.on_hold = made.on_hold
        line.shipped_total = shipped[line.pk]
        line.available = max(min(made.produced, line.quantity) - shipped[line.pk], 0)
    return lines


def shipment_list_queryset() -> QuerySet[Shipment]:
    return Shipment.objects.select_related("order__customer").annotate(
        pieces=Coalesce(Sum("lines__quantity"), Value(0)), line_count=Count("lines")
    )


def shipment_detail(*, pk: int) -> Shipment:
    lines = ShipmentLine.objects.select_related("order_line__item").order_by("order_line__line_no")
    shipment = (
        Shipment.objects.select_related("order__customer", "created_by", "shipped_by")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("status_changes", queryset=ShipmentStatusChange.objects.select_related("changed_by")),
        )
        .get(pk=pk)
    )
    shipment.line_list = list(shipment.lines.all())
    # Back-ordered: what the order line still waits for after this shipment (for the packing slip).
    for sl in shipment.line_list:
        sl.back_ordered = max(sl.order_line.quantity - sl.order_line.quantity_shipped, 0)
    return shipment


def shipments_for_order(*, order: SalesOrder) -> list[Shipment]:
    return list(
        Shipment.objects.filter(order=order)
        .annotate(pieces=Coalesce(Sum("lines__quantity"), Value(0)))
        .select_related("shipped_by")
        .order_by("id")
    )


def shipped_for_job(*, job: Job) -> tuple[int, list[Shipment]]:
    if not job.sales_order_line_id:
        return 0, []
    shipments = list(
        Shipment.objects.filter(lines__order_line_id=job.sales_order_line_id, status=Shipment.Status.SHIPPED)
        .annotate(pieces=Sum("lines__quantity", filter=Q(lines__order_line_id=job.sales_order_line_id)))
        .order_by("id")
    )
    return sum(s.pieces for s in shipments), shipments
