"""What planning shows on other pages; registered from PlanningConfig.ready() (see mto/panels.py): a job's and
an order's projected finish against its due (and promised) date, and the home page's late-risk widget.
The current run is looked up once per request (the home page and a detail page may ask more than once)."""

from django.urls import reverse

from jobs.selectors import counted
from mto import panels
from mto.panels import can
from mto.widgets import WIDGET, widget

from . import selectors

VISIBLE = can("plan_jobs", "view_reports")  # the Manager's; the floor sees the plan as its queue order


def _run(request):
    if not hasattr(request, "_planning_run"):
        request._planning_run = selectors.current_run()
    return request._planning_run


def _runs_read(request) -> dict:
    """The current run, read with the page's other reads unless this request has it already."""
    return {} if hasattr(request, "_planning_run") else {"run": selectors.current_runs()}


def _run_from(request, rows):
    if "run" in rows:
        request._planning_run = next(iter(rows["run"]), None)
    return _run(request)


def job_projection_reads(request, *, job) -> dict:
    if not job.is_open:
        return {}
    return {**_runs_read(request), "planned": selectors.planned_in_current_run().filter(job=job)[:1]}


def job_projection_shape(request, *, job) -> tuple:
    return job.is_open, hasattr(request, "_planning_run")


def job_projection(request, *, job, rows) -> dict | None:
    if not job.is_open:
        return None
    run = _run_from(request, rows)
    projection = selectors.job_projection_from(job=job, planned=next(iter(rows["planned"]), None)) if run else None
    return {"run": run, "projection": projection, "job": job}


PROMISABLE = ("draft", "pending_approval")


def order_projection_reads(request, *, order) -> dict:
    if order.status in PROMISABLE:
        return _runs_read(request)
    return {**_runs_read(request), "planned": selectors.order_planned_in_current_run(order=order)}


def order_projection_shape(request, *, order) -> tuple:
    return order.status in PROMISABLE, hasattr(request, "_planning_run")


def order_projection(request, *, order, rows) -> dict | None:
    run = _run_from(request, rows)
    if order.status in PROMISABLE:
        from .services.promise import capable_to_promise

        return {"run": run, "order": order, "promise": capable_to_promise(order=order, run=run)}
    if run is None:
        return {"run": None, "projection": None, "order": order}
    projection = selectors.order_projection_from(order=order, planned=rows["planned"])
    if not projection.jobs:
        return None
    return {"run": run, "projection": projection, "order": order,
            "gantt_url": reverse("planning:order-gantt", args=[order.pk])}  # fmt: skip


def late_risk_reads(request) -> dict:
    return {**_runs_read(request), "late": selectors.late_in_current_run()}


def late_risk_widget(request, *, rows) -> dict:
    run = _run_from(request, rows)
    if run is None:
        return widget("plan-late", "Schedule: jobs finishing late", note="No schedule yet.",
                      link=reverse("planning:schedule"), link_label="Schedule")  # fmt: skip
    count, late = counted(rows["late"])
    items = []
    for p in late:
        projected = selectors.Projection(finish=p.finish, due=p.job.due_date).finish_day
        items.append(
            (p.job.get_absolute_url(), p.job.number, f"due {p.job.due_date:%Y-%m-%d}, projected {projected:%Y-%m-%d}")
        )
    return widget("plan-late", "Schedule: jobs finishing late", number=count, items=items,
                  note=f"Projected by the schedule of {run.finished_at:%Y-%m-%d %H:%M}.",
                  empty="The schedule finishes every job by its due date.", link=reverse("planning:schedule"),
                  link_label="Schedule")  # fmt: skip


def register_panels() -> None:
    panels.register(page="home", order=42, name="planning.late-risk", template=WIDGET, context=late_risk_widget,
                    reads=late_risk_reads, visible=VISIBLE)  # fmt: skip
    panels.register(page="order-detail", order=28, name="planning.order-projection",
                    template="planning/partials/order_panel.html", context=order_projection,
                    reads=order_projection_reads, reads_by_key=True, reads_shape=order_projection_shape,
                    visible=VISIBLE)  # fmt: skip
    panels.register(page="job-detail", order=20, name="planning.job-projection",
                    template="planning/partials/job_panel.html", context=job_projection,
                    reads=job_projection_reads, reads_by_key=True, reads_shape=job_projection_shape,
                    visible=VISIBLE)  # fmt: skip
