"""Planning pages (the Manager's): the schedule's status with Plan now and its progress, the Gantt per work
center and per order (server-drawn SVG), the load per work center against its capacity. GET asks a
selector; the one POST (Plan now) goes to the request service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from jobs.models import WorkCenter
from mto.roles import CapabilityRequiredMixin
from sales.models import SalesOrder

from . import selectors
from .models import ScheduleRun
from .services import schedule_request

CAPABILITY = "plan_jobs"


class ScheduleView(CapabilityRequiredMixin, TemplateView):
    capability = CAPABILITY
    template_name = "planning/schedule.html"

    def get_context_data(self, **kwargs):
        current, latest = selectors.current_run(), selectors.latest_run()
        late_count, late = selectors.late_projections(run=current) if current else (0, [])
        return super().get_context_data(current=current, latest=latest, progress=selectors.run_progress(latest),
                                        runs=selectors.recent_runs(), late_count=late_count, late=late,
                                        **kwargs)  # fmt: skip


class ProgressView(CapabilityRequiredMixin, TemplateView):
    """The status card alone (htmx polls it while a run is queued or running)."""

    capability = CAPABILITY
    template_name = "planning/partials/progress.html"

    def get_context_data(self, **kwargs):
        latest = selectors.latest_run()
        return super().get_context_data(latest=latest, current=selectors.current_run(),
                                        progress=selectors.run_progress(latest), **kwargs)  # fmt: skip


class PlanNowView(CapabilityRequiredMixin, View):
    capability = CAPABILITY

    def post(self, request):
        try:
            schedule_request(trigger=ScheduleRun.Trigger.ON_DEMAND, by=request.user, reason="Plan now")
        except PermissionDenied:
            raise
        messages.success(request, "A new schedule is on its way; this page shows its progress.")
        return redirect("planning:schedule")


class GanttView(CapabilityRequiredMixin, TemplateView):
    capability = CAPABILITY
    template_name = "planning/gantt.html"

    def get_context_data(self, **kwargs):
        run = selectors.current_run()
        centers = list(WorkCenter.objects.filter(is_active=True).order_by("code"))
        code = self.request.GET.get("work_center", "")
        chosen = next((c for c in centers if c.code == code), None)
        try:
            days = min(max(int(self.request.GET.get("days", 14)), 1), 120)
        except ValueError:
            days = 14
        gantt = selectors.work_center_gantt(run=run, work_center=chosen, days=days) if run else None
        return super().get_context_data(run=run, gantt=gantt, centers=centers, chosen=chosen, days=days,
                                        **kwargs)  # fmt: skip


class OrderGanttView(CapabilityRequiredMixin, TemplateView):
    capability = CAPABILITY
    template_name = "planning/order_gantt.html"

    def get_context_data(self, **kwargs):
        order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=self.kwargs["pk"])
        run = selectors.current_run()
        return super().get_context_data(
            order=order, run=run,
            gantt=selectors.order_gantt(run=run, order=order) if run else None,
            projection=selectors.order_projection(order=order, run=run) if run else None, **kwargs,
        )  # fmt: skip


class LoadView(CapabilityRequiredMixin, TemplateView):
    capability = CAPABILITY
    template_name = "planning/load.html"

    def get_context_data(self, **kwargs):
        run = selectors.current_run()
        return super().get_context_data(run=run, load=selectors.load_by_week(run=run) if run else None, **kwargs)
