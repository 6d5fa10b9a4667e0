"""What the jobs app shows on other pages; registered from JobsConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can
from mto.widgets import WIDGET

from . import dashboard, selectors


def order_jobs_reads(request, *, order) -> dict:
    return {"jobs": selectors.jobs_for_order_queryset(order=order)}


def order_jobs(request, *, order, rows) -> dict | None:
    """The order's jobs on its page: where each is now and how far along (none yet: no panel)."""
    jobs = selectors.jobs_for_order_from(order=order, jobs=rows["jobs"])
    return {"jobs": jobs} if jobs else None


def register_panels() -> None:
    home = {"page": "home", "template": WIDGET}
    panels.register(**home, order=5, name="jobs.queue", context=dashboard.floor_queue_widget,
                    visible=can("run_floor"))  # fmt: skip
    panels.register(**home, order=6, name="jobs.held", context=dashboard.jobs_on_hold_widget,
                    visible=can("run_floor"))  # fmt: skip
    panels.register(**home, order=30, name="jobs.at-risk", context=dashboard.orders_at_risk_widget,
                    reads=dashboard.orders_at_risk_reads,
                    visible=can("edit_orders", "view_reports"))  # fmt: skip
    panels.register(**home, order=40, name="jobs.late", context=dashboard.late_jobs_widget,
                    reads=dashboard.late_jobs_reads,
                    visible=can("view_reports"))  # fmt: skip
    panels.register(**home, order=45, name="jobs.short", context=dashboard.short_jobs_widget,
                    reads=dashboard.short_jobs_reads,
                    visible=can("view_reports"))  # fmt: skip
    panels.register(**home, order=50, name="jobs.wip", context=dashboard.work_in_progress_widget,
                    reads=dashboard.work_in_progress_reads,
                    visible=can("view_reports"))  # fmt: skip
    panels.register(**home, order=60, name="jobs.variance", context=dashboard.cost_variance_widget,
                    reads=dashboard.cost_variance_widget_reads,
                    visible=can("view_reports"))  # fmt: skip
    panels.register(**home, order=70, name="jobs.load", context=dashboard.work_center_load_widget,
                    reads=dashboard.work_center_load_reads,
                    visible=can("plan_jobs", "view_reports"))  # fmt: skip
    panels.register(page="order-detail", order=20, name="jobs.order-jobs", template="jobs/partials/order_panel.html",
                    context=order_jobs, reads=order_jobs_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_jobs"))  # fmt: skip
