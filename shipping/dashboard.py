"""Shipping figures for the home page, and the on-time delivery rate."""

import datetime

from django.db.models import Min
from django.dispatch import receiver
from django.utils import timezone

from mto.charts import bar_chart, percent
from mto.signals import home_panels
from mto.widgets import widget
from sales.models import SalesOrderStatusChange

from . import selectors
from .models import Shipment


def on_time_by_week(today=None, weeks: int = 12) -> list[tuple[datetime.date, int, int]]:
    """(week, orders completed, of them on time) for orders fully shipped in each of the last weeks.

    An order is on time when it became fully shipped on or before its promised date (first time it did).
    """
    today = today or timezone.localdate()
    start = today - datetime.timedelta(weeks=weeks)
    first_shipped = (
        SalesOrderStatusChange.objects.filter(to_status="shipped")
        .values("order_id", "order__promised_date")
        .annotate(at=Min("changed_at"))
        .filter(at__date__gte=start)
    )
    weekly: dict[datetime.date, list[int]] = {}
    for row in first_shipped:
        day = timezone.localtime(row["at"]).date()
        week = day - datetime.timedelta(days=day.weekday())
        promised = row["order__promised_date"]
        counts = weekly.setdefault(week, [0, 0])
        counts[0] += 1
        counts[1] += 1 if promised is None or day <= promised else 0
    return [(week, total, on_time) for week, (total, on_time) in sorted(weekly.items())]


def todays_shipments(today=None):
    today = today or timezone.localdate()
    return list(
        Shipment.objects.filter(status=Shipment.Status.SHIPPED, shipped_at__date=today)
        .select_related("order__customer")
        .order_by("-shipped_at")[:10]
    )


@receiver(home_panels, dispatch_uid="shipping.home_panels")
def shipping_widgets(sender, request, **kwargs):
    user, panels = request.user, []
    if user.has_perm("mto.ship"):
        ready = selectors.ready_to_ship().count()
        panels.append((7, widget(request, "ready", "Lines ready to ship", number=ready, link="/shipping/",
                                 link_label="Ready-to-ship queue")))  # fmt: skip
        today = todays_shipments()
        panels.append((8, widget(request, "today", "Shipped today", number=len(today),
            items=[(s.get_absolute_url(), s.number, f"{s.order.customer.name} · {s.tracking_number}") for s in today],
            empty="Nothing shipped yet today.")))  # fmt: skip
    if user.has_perm("mto.edit_orders") or user.has_perm("mto.view_reports"):
        recent = list(
            Shipment.objects.filter(status=Shipment.Status.SHIPPED)
            .select_related("order__customer")
            .order_by("-shipped_at")[:5]
        )
        panels.append((25, widget(request, "recent", "Recent shipments",
            items=[(s.get_absolute_url(), s.number, f"{s.order.customer.name}, {s.shipped_at:%Y-%m-%d}")
                   for s in recent], empty="No shipments yet.")))  # fmt: skip
    if user.has_perm("mto.view_reports"):
        weeks = on_time_by_week()
        total = sum(t for _, t, _ in weeks)
        on_time = sum(o for _, _, o in weeks)
        rate = percent(on_time, total)
        chart = bar_chart([(f"Week of {w:%b %d}", percent(o, t)) for w, t, o in weeks],
                          title="On-time delivery by week (%)", unit="%", max_value=100)  # fmt: skip
        panels.append((35, widget(request, "on-time", "On-time delivery, last 12 weeks",
            number="—" if rate is None else f"{rate}%",
            note=f"{on_time} of {total} orders completed on or before their promised date.",
            chart=chart)))  # fmt: skip
    return panels
