"""Sales widgets for the home page: each declares its reads (mto.reads; the page runs every widget's together)
and builds its context from their rows (registered in panels.py)."""

from decimal import Decimal

from mto.widgets import widget

from . import selectors


def awaiting_approval_reads(request) -> dict:
    return {"orders": selectors.orders_awaiting_approval_queryset()}


def awaiting_approval_widget(request, *, rows) -> dict:
    orders = rows["orders"]
    return widget("awaiting", "Orders awaiting approval", number=len(orders),
                  items=[(o.get_absolute_url(), o.number, o.customer.name) for o in orders],
                  empty="Nothing waits for approval.", link="/sales/orders/?status=pending_approval")  # fmt: skip


def changes_awaiting_approval_reads(request) -> dict:
    return {"changes": selectors.changes_awaiting_approval_queryset()}


def changes_awaiting_approval_widget(request, *, rows) -> dict:
    changes = rows["changes"]
    return widget("changes", "Order changes awaiting approval", number=len(changes),
                  items=[(c.get_absolute_url(), f"{c.order.number} change {c.number}", c.order.customer.name)
                         for c in changes], empty="No order change waits for approval.")  # fmt: skip


def promised_this_week_reads(request) -> dict:
    return {"orders": selectors.orders_promised_within_queryset(days=7)}


def promised_this_week_widget(request, *, rows) -> dict:
    week = rows["orders"]
    return widget("promised", "Promised within a week", number=len(week),
                  items=[(o.get_absolute_url(), o.number, f"{o.customer.name}, promised {o.promised_date:%Y-%m-%d}")
                         for o in week], empty="No open order is promised this week.")  # fmt: skip


def open_order_book_reads(request) -> dict:
    return {"book": selectors.open_order_book_read()}


def open_order_book_widget(request, *, rows) -> dict:
    value = rows["book"]["v"] or Decimal("0.00")
    return widget("book", "Open order book", number=f"{value:,.2f}",
                  note="Value still to ship on approved and running orders.")  # fmt: skip
