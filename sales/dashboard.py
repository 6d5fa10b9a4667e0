"""Sales figures for the home page."""

import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.dispatch import receiver
from django.utils import timezone

from mto.signals import home_panels
from mto.widgets import widget

from .models import ChangeRequest, SalesOrder, SalesOrderLine
from .workflow import OPEN_STATUSES

S = SalesOrder.Status


def awaiting_approval() -> list[SalesOrder]:
    return list(SalesOrder.objects.filter(status=S.PENDING_APPROVAL).select_related("customer").order_by("id")[:10])


def changes_awaiting_approval() -> list[ChangeRequest]:
    return list(
        ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING)
        .select_related("order__customer")
        .order_by("submitted_at", "id")[:10]
    )


def promised_this_week(today=None) -> list[SalesOrder]:
    today = today or timezone.localdate()
    return list(
        SalesOrder.objects.filter(status__in=OPEN_STATUSES, promised_date__lte=today + datetime.timedelta(days=7))
        .select_related("customer")
        .order_by("promised_date", "id")[:10]
    )


def open_order_book_value() -> Decimal:
    """Value still to ship on open orders: (ordered - shipped) x unit price over their lines."""
    remaining = ExpressionWrapper(
        (F("quantity") - F("quantity_shipped")) * F("unit_price"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    value = SalesOrderLine.objects.filter(order__status__in=OPEN_STATUSES, is_cancelled=False).aggregate(
        v=Sum(remaining)
    )["v"]
    return value or Decimal("0.00")


@receiver(home_panels, dispatch_uid="sales.home_panels")
def sales_widgets(sender, request, **kwargs):
    user, panels = request.user, []
    if user.has_perm("mto.approve_orders") or user.has_perm("mto.edit_orders"):
        orders = awaiting_approval()
        panels.append((10, widget(request, "awaiting", "Orders awaiting approval", number=len(orders),
            items=[(o.get_absolute_url(), o.number, o.customer.name) for o in orders],
            empty="Nothing waits for approval.", link="/sales/orders/?status=pending_approval")))  # fmt: skip
        if user.has_perm("mto.approve_orders"):
            changes = changes_awaiting_approval()
            panels.append((15, widget(request, "changes", "Order changes awaiting approval", number=len(changes),
                items=[(c.get_absolute_url(), f"{c.order.number} change {c.number}", c.order.customer.name)
                       for c in changes], empty="No order change waits for approval.")))  # fmt: skip
        week = promised_this_week()
        panels.append((20, widget(request, "promised", "Promised within a week", number=len(week),
            items=[(o.get_absolute_url(), o.number, f"{o.customer.name}, promised {o.promised_date:%Y-%m-%d}")
                   for o in week], empty="No open order is promised this week.")))  # fmt: skip
    if user.has_perm("mto.view_reports"):
        value = open_order_book_value()
        panels.append((90, widget(request, "book", "Open order book", number=f"{value:,.2f}",
                                  note="Value still to ship on approved and running orders.")))  # fmt: skip
    return panels
