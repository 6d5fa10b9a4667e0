"""What the sales app shows on other pages; registered from SalesConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can
from mto.widgets import WIDGET

from . import dashboard


def register_panels() -> None:
    home = {"page": "home", "template": WIDGET}
    panels.register(**home, order=10, name="sales.awaiting", context=dashboard.awaiting_approval_widget,
                    reads=dashboard.awaiting_approval_reads,
                    visible=can("approve_orders", "edit_orders"))  # fmt: skip
    panels.register(**home, order=15, name="sales.changes", context=dashboard.changes_awaiting_approval_widget,
                    reads=dashboard.changes_awaiting_approval_reads,
                    visible=can("approve_orders"))  # fmt: skip
    panels.register(**home, order=20, name="sales.promised", context=dashboard.promised_this_week_widget,
                    reads=dashboard.promised_this_week_reads,
                    visible=can("approve_orders", "edit_orders"))  # fmt: skip
    panels.register(**home, order=90, name="sales.book", context=dashboard.open_order_book_widget,
                    reads=dashboard.open_order_book_reads,
                    visible=can("view_reports"))  # fmt: skip
