"""Reads of the shipping app, each in a fixed number of queries."""

import datetime

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import Job
from jobs.selectors import line_production
from mto.charts import percent
from purchasing.selectors import material_for_jobs
from sales.models import SalesOrder, SalesOrderLine, SalesOrderStatusChange
from sales.workflow import OPEN_STATUSES

from .models import Shipment, ShipmentLine, ShipmentStatusChange
from .services import shipped_totals


def _on_hold_subquery():
    return Subquery(
        Job.objects.filter(sales_order_line=OuterRef("pk"), status=Job.Status.ON_HOLD).values("number")[:1]
    )


def ready_to_ship() -> QuerySet[SalesOrderLine]:
    """Order lines with produced pieces not yet shipped, oldest promised date first.

    Reads the line's stored produced pieces (kept by the jobs app as pieces are reported), so the lines come from
    the partial index `soline_ready_to_ship` instead of a sum over every open line's jobs."""
    return (
        SalesOrderLine.objects.filter(
            order__status__in=OPEN_STATUSES, is_cancelled=False, quantity_produced__gt=F("quantity_shipped")
        )
        .annotate(produced=F("quantity_produced"), held_job=_on_hold_subquery())
        .annotate(ready=F("quantity_produced") - F("quantity_shipped"))
        .select_related("order__customer", "item")
        .order_by(F("order__promised_date").asc(nulls_last=True), "order_id", "line_no")
    )


def order_lines_to_ship(*, order: SalesOrder) -> list[SalesOrderLine]:
    """The order's lines with what each may still ship (produced less shipped, capped by ordered)."""
    lines = list(order.lines.filter(is_cancelled=False).select_related("item").order_by("line_no"))
    production = line_production([line.pk for line in lines])
    shipped = shipped_totals([line.pk for line in lines])
    for line in lines:
        line.produced = line.quantity_produced
        line.on_hold = production[line.pk].on_hold
        line.shipped_total = shipped[line.pk]
        line.available = max(min(line.quantity_produced, line.quantity) - shipped[line.pk], 0)
    return lines


def shipment_quantities(*, shipment: Shipment) -> dict[int, int]:
    """A draft's quantity per order line id (to pre-fill its edit form)."""
    return dict(shipment.lines.values_list("order_line_id", "quantity"))


def shipment_lines(*, shipment: Shipment) -> list[ShipmentLine]:
    """A shipment's lines with their order lines and items, in the order's line order."""
    return list(shipment.lines.select_related("order_line__item").order_by("order_line__line_no"))


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
    # Back-ordered: what the order line still waits for after this shipment (for the packing slip). A draft's
    # own pieces are not in quantity_shipped yet, but the slip is printed before the truck leaves: they go.
    going = shipment.status == Shipment.Status.DRAFT
    for sl in shipment.line_list:
        on_it = sl.quantity if going else 0
        sl.back_ordered = max(sl.order_line.quantity - sl.order_line.quantity_shipped - on_it, 0)
    return shipment


def order_shipments_queryset(*, order: SalesOrder) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(order=order)
        .annotate(pieces=Coalesce(Sum("lines__quantity"), Value(0)))
        .select_related("shipped_by")
        .order_by("id")
    )


def shipments_for_order(*, order: SalesOrder) -> list[Shipment]:
    return list(order_shipments_queryset(order=order))


def shipments_of_job(*, job: Job) -> QuerySet[Shipment]:
    """As a read (mto.reads): the shipped shipments of the job's order line, each with its pieces of that line."""
    line_id = job.sales_order_line_id
    return (
        Shipment.objects.filter(lines__order_line_id=line_id, status=Shipment.Status.SHIPPED)
        .annotate(pieces=Sum("lines__quantity", filter=Q(lines__order_line_id=line_id)))
        .order_by("id")
    )


def shipped_for_job(*, job: Job) -> tuple[int, list[Shipment]]:
    if not job.sales_order_line_id:
        return 0, []
    shipments = list(shipments_of_job(job=job))
    return sum(s.pieces for s in shipments), shipments


# --- traceability: which jobs' pieces a shipment may hold ------------------------------------------------
# Pieces carry no serial numbers: a shipment of an order line may hold pieces of any of the line's jobs
# (the original, remakes, change jobs) that had started before it left and have made good pieces. So the
# trace never leaves out a job whose pieces could be in the box; a job started after a shipment left is out.


def _may_hold(job: Job, shipment: Shipment) -> bool:
    if job.status == Job.Status.CANCELLED or not job.quantity_completed or job.started_at is None:
        return False
    return shipment.shipped_at is None or job.started_at <= shipment.shipped_at


def jobs_in_shipment(*, shipment: Shipment, line_ids: list[int]) -> dict[int, list[Job]]:
    """Per order line id of the shipment, the jobs whose pieces it may hold, original first: one query."""
    out: dict[int, list[Job]] = {line_id: [] for line_id in line_ids}
    for job in Job.objects.filter(sales_order_line_id__in=line_ids).order_by("sales_order_line_id", "number"):
        if _may_hold(job, shipment):
            out[job.sales_order_line_id].append(job)
    return out


TRACED_STATUSES = (Shipment.Status.DRAFT, Shipment.Status.SHIPPED)


def certificate_lines(*, shipment: Shipment) -> list[ShipmentLine]:
    """The shipment's lines (from shipment_detail) with what the certificate of conformance may state from the
    data below quality: the jobs that may have made the pieces and their material's heats or lots (with
    whether the vendor's certificate is on file). Three queries."""
    lines = shipment.line_list
    jobs = jobs_in_shipment(shipment=shipment, line_ids=[sl.order_line_id for sl in lines])
    material = material_for_jobs([job.pk for each in jobs.values() for job in each])
    for sl in lines:
        sl.jobs = jobs[sl.order_line_id]
        sl.lots, sl.unrecorded = [], []
        for job in sl.jobs:
            for need in material.get(job.pk, []):
                if need.receipts:
                    sl.lots.extend(r for r in need.receipts if r.lot_number)
                    if any(not r.lot_number for r in need.receipts):
                        sl.unrecorded.append(f"{need.requirement.description} ({job.number}): no heat recorded")
                elif need.from_stock:
                    sl.unrecorded.append(f"{need.requirement.description} ({job.number}): from stock, no heat "
                                         "recorded")  # fmt: skip
    return lines


def shipments_holding_jobs(jobs: list[Job]) -> dict[int, list[ShipmentLine]]:
    """Per job id, the shipment lines (draft or shipped, with their shipment and order) that may hold its
    pieces: one query. Voided and cancelled shipments never left (or came back), so they are not listed."""
    line_ids = {job.sales_order_line_id for job in jobs if job.sales_order_line_id}
    if not line_ids:
        return {}
    rows = list(
        ShipmentLine.objects.filter(order_line_id__in=line_ids, shipment__status__in=TRACED_STATUSES)
        .select_related("shipment__order__customer", "order_line")
        .order_by("shipment_id", "id")
    )
    out: dict[int, list[ShipmentLine]] = {}
    for job in jobs:
        out[job.pk] = [
            row for row in rows if row.order_line_id == job.sales_order_line_id and _may_hold(job, row.shipment)
        ]
    return out


# --- home page figures and the on-time report -----------------------------------------------------------


def _first_shipped(*fields: str, since: datetime.date):
    """Per order first fully shipped on or after `since` (a local date): when (`at`), with its promised date and
    the given fields. The shipped changes from `since` on (an index on the time of shipped changes) of orders
    with none before: how many orders ever shipped does not matter, only those of the period."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    earlier = SalesOrderStatusChange.objects.filter(order_id=OuterRef("order_id"), to_status="shipped",
                                                    changed_at__lt=start)  # fmt: skip
    return (
        SalesOrderStatusChange.objects.filter(to_status="shipped", changed_at__gte=start)
        .exclude(Exists(earlier))
        .values("order_id", "order__promised_date", *fields)
        .annotate(at=Min("changed_at"))
    )


def on_time_delivery(*, group: str, start: datetime.date, end: datetime.date) -> list[list]:
    """Orders fully shipped in the period: how many, how many on or before their promised date, the rate."""
    rows = _first_shipped("order__customer__name", since=start).filter(at__date__lte=end)
    groups: dict[str, list[int]] = {}
    for row in rows:
        day = timezone.localtime(row["at"]).date()
        key = row["order__customer__name"] if group == "customer" else day.strftime("%Y-%m")
        counts = groups.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += 1 if row["order__promised_date"] is None or day <= row["order__promised_date"] else 0
    return [[key, percent(on_time, total), total, on_time] for key, (total, on_time) in sorted(groups.items())]


def on_time_by_week(*, today: datetime.date | None = None, weeks: int = 12) -> list[tuple[datetime.date, int, int]]:
    """(week, orders completed, of them on time) for orders fully shipped in each of the last weeks.

    An order is on time when it became fully shipped on or before its promised date (first time it did).
    """
    return on_time_by_week_from(list(on_time_by_week_queryset(today=today, weeks=weeks)))


def on_time_by_week_queryset(*, today: datetime.date | None = None, weeks: int = 12) -> QuerySet:
    """on_time_by_week's read (mto.reads)."""
    today = today or timezone.localdate()
    return _first_shipped(since=today - datetime.timedelta(weeks=weeks))


def on_time_by_week_from(first_shipped: list[dict]) -> list[tuple[datetime.date, int, int]]:
    weekly: dict[datetime.date, list[int]] = {}
    for row in first_shipped:
        day = timezone.localtime(row["at"]).date()
        week = day - datetime.timedelta(days=day.weekday())
        promised = row["order__promised_date"]
        counts = weekly.setdefault(week, [0, 0])
        counts[0] += 1
        counts[1] += 1 if promised is None or day <= promised else 0
    return [(week, total, on_time) for week, (total, on_time) in sorted(weekly.items())]


def shipped_on(*, day: datetime.date | None = None, limit: int = 10) -> list[Shipment]:
    """Shipments shipped on a day (today by default), latest first."""
    day = day or timezone.localdate()
    return list(
        Shipment.objects.filter(status=Shipment.Status.SHIPPED, shipped_at__date=day)
        .select_related("order__customer")
        .order_by("-shipped_at")[:limit]
    )


def recent_shipments(*, limit: int = 5) -> list[Shipment]:
    return list(recent_shipments_queryset(limit=limit))


def recent_shipments_queryset(*, limit: int = 5) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(status=Shipment.Status.SHIPPED)
        .select_related("order__customer")
        .order_by("-shipped_at")[:limit]
    )
