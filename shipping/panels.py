"""What the shipping app shows on other pages; registered from ShippingConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can
from mto.widgets import WIDGET
from sales.workflow import OPEN_STATUSES

from . import dashboard, selectors


def order_shipments_reads(request, *, order) -> dict:
    return {"shipments": selectors.order_shipments_queryset(order=order)}


def order_shipments(request, *, order, rows) -> dict | None:
    """The order's shipments, and a New shipment button for a clerk while the order can ship."""
    shipments = rows["shipments"]
    can_ship = request.user.has_perm("mto.ship") and order.status in OPEN_STATUSES
    if not shipments and not can_ship:
        return None
    return {"shipments": shipments, "order": order, "can_ship": can_ship}


def job_shipped_reads(request, *, job) -> dict:
    return {"shipments": selectors.shipments_of_job(job=job)} if job.sales_order_line_id else {}


def job_shipped_shape(request, *, job) -> tuple:
    return (bool(job.sales_order_line_id),)


def job_shipped(request, *, job, rows) -> dict | None:
    """How many of an order job's good pieces shipped, and in which shipments (a manual job: no panel)."""
    if not job.sales_order_line_id:
        return None
    shipments = rows["shipments"]
    return {"job": job, "shipped": sum(s.pieces for s in shipments), "shipments": shipments}


def register_panels() -> None:
    home = {"page": "home", "template": WIDGET}
    panels.register(**home, order=7, name="shipping.ready", context=dashboard.ready_to_ship_widget,
                    visible=can("ship"))  # fmt: skip
    panels.register(**home, order=8, name="shipping.today", context=dashboard.shipped_today_widget,
                    visible=can("ship"))  # fmt: skip
    panels.register(**home, order=25, name="shipping.recent", context=dashboard.recent_shipments_widget,
                    reads=dashboard.recent_shipments_reads,
                    visible=can("edit_orders", "view_reports"))  # fmt: skip
    panels.register(**home, order=35, name="shipping.on-time", context=dashboard.on_time_widget,
                    reads=dashboard.on_time_reads,
                    visible=can("view_reports"))  # fmt: skip
    panels.register(page="order-detail", order=30, name="shipping.order-shipments",
                    template="shipping/partials/order_panel.html", context=order_shipments,
                    reads=order_shipments_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_shipments"))  # it links to shipments: only for who may open them  # fmt: skip
    panels.register(page="job-detail", order=30, name="shipping.job-shipped",
                    template="shipping/partials/job_panel.html", context=job_shipped,
                    reads=job_shipped_reads, reads_by_key=True, reads_shape=job_shipped_shape)  # fmt: skip
