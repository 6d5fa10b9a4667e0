"""Sales widgets for the home page: each builds a widget's context from selectors (registered in panels.py)."""

from mto.widgets import widget

from . import selectors


def awaiting_approval_widget(request) -> dict:
    orders = selectors.orders_awaiting_approval()
    return widget("awaiting", "Orders awaiting approval", number=len(orders),
                  items=[(o.get_absolute_url(), o.number, o.customer.name) for o in orders],
                  empty="Nothing waits for approval.", link="/sales/orders/?status=pending_approval")  # fmt: skip


def changes_awaiting_approval_widget(request) -> dict:
    changes = selectors.changes_awaiting_approval()
    return widget("changes", "Order changes awaiting approval", number=len(changes),
                  items=[(c.get_absolute_url(), f"{c.order.number} change {c.number}", c.order.customer.name)
                         for c in changes], empty="No order change waits for approval.")  # fmt: skip


def promised_this_week_widget(request) -> dict:
    week = selectors.orders_promised_within(days=7)
    return widget("promised", "Promised within a week", number=len(week),
                  items=[(o.get_absolute_url(), o.number, f"{o.customer.name}, promised {o.promised_date:%Y-%m-%d}")
                         for o in week], empty="No open order is promised this week.")  # fmt: skip


def open_order_book_widget(request) -> dict:
    value = selectors.open_order_book_value()
    return widget("book", "Open order book", number=f"{value:,.2f}",
                  note="Value still to ship on approved and running orders.")  # fmt: skip
