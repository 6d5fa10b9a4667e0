"""Planning pages (the Manager's): the schedule's status with Plan now and its progress, the Gantt per work
center and per order (server-drawn SVG), the load per work center against its capacity. GET asks a
selector; the one POST (Plan now) goes to the request service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from jobs.models import WorkCenter
from mto.forms import ServiceFormView, apply_service_errors
from mto.idempotency import already_sent, new_token, submit_once
from mto.roles import CapabilityRequiredMixin
from sales.models import SalesOrder
from sales.services import sales_order_promise

from . import selectors
from .forms import CalendarForm, HolidayForm, PromiseDateForm
from .models import Holiday, ScheduleRun
from .services import calendar_save, holiday_add, holiday_remove, schedule_request
from .services.calendars import calendars_for
from .services.priority import order_priority_what_if
from .services.promise import PROMISABLE, promise_figures

CAPABILITY = "plan_jobs"
# Orders nothing is left to plan for.
CLOSED_ORDERS = (SalesOrder.Status.SHIPPED, SalesOrder.Status.CLOSED, SalesOrder.Status.CANCELLED)


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
        run = schedule_request(trigger=ScheduleRun.Trigger.ON_DEMAND, by=request.user, reason="Plan now")
        # Without a broker (the demo) the run was made as the request committed: say so, not "on its way".
        run.refresh_from_db(fields=["status", "message"])
        if run.status == ScheduleRun.Status.DONE:
            messages.success(request, "The new schedule is ready.")
        elif run.status == ScheduleRun.Status.FAILED:
            messages.error(request, f"The schedule could not be made: {run.message}")
        else:
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


# --- calendars ----------------------------------------------------------------------------------------------


class CalendarListView(CapabilityRequiredMixin, TemplateView):
    """Every work center's calendar (entered, or the defaults) and the holidays to come."""

    capability = "manage_jobs"
    template_name = "planning/calendars.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=selectors.calendar_rows(), holidays=selectors.upcoming_holidays(),
                                        holiday_form=kwargs.pop("holiday_form", None) or HolidayForm(),
                                        submit_token=new_token(), **kwargs)  # fmt: skip


class CalendarEditView(ServiceFormView):
    capability = "manage_jobs"
    form_class = CalendarForm
    template_name = "planning/calendar_form.html"
    success_message = "Calendar of {obj.work_center.code} saved; a new plan follows."

    def dispatch(self, request, *args, **kwargs):
        self.center = get_object_or_404(WorkCenter.objects.filter(is_outside=False), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        calendar = calendars_for([self.center])[self.center.pk]
        return CalendarForm.initial_for(calendar, calendar.shifts if self.center.shifts.exists() else ())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("planning:calendars"))
        return super().get_context_data(center=self.center, **kwargs)

    def run_service(self, form):
        data = form.cleaned_data
        return calendar_save(work_center=self.center, capacity=data["capacity"],
                             efficiency_percent=data["efficiency_percent"], shifts=data["shifts"],
                             by=self.request.user)  # fmt: skip

    def get_success_url(self):
        return reverse("planning:calendars")


class HolidayAddView(CapabilityRequiredMixin, View):
    capability = "manage_jobs"

    def post(self, request):
        url = already_sent(request)
        if url:
            return redirect(url)
        form = HolidayForm(request.POST)
        if form.is_valid():
            try:
                submit_once(request, lambda: (holiday_add(by=request.user, **form.cleaned_data),
                                              reverse("planning:calendars"))[1])  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Holiday added; a new plan follows.")
                return redirect("planning:calendars")
        view = CalendarListView(request=request, kwargs={})
        return view.render_to_response(view.get_context_data(holiday_form=form), status=400)


class HolidayRemoveView(CapabilityRequiredMixin, View):
    capability = "manage_jobs"

    def post(self, request, pk):
        holiday = get_object_or_404(Holiday, pk=pk)
        holiday_remove(holiday=holiday, by=request.user)
        messages.success(request, f"Holiday {holiday.date:%Y-%m-%d} removed.")
        return redirect("planning:calendars")


# --- capable to promise and what if --------------------------------------------------------------------------


class OrderPromiseView(CapabilityRequiredMixin, TemplateView):
    """Both capable-to-promise figures of a draft or pending order, each with "set as promised date"; the
    order page's panel loads the partial (htmx) so the order page does not wait for the second figure."""

    capability = CAPABILITY
    template_name = "planning/order_promise.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["planning/partials/promise_figures.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=self.kwargs["pk"])
        run = selectors.current_run()
        context = {"order": order, "run": run, "promisable": order.status in PROMISABLE,
                   "may_promise": self.request.user.has_perm("mto.edit_orders")}  # fmt: skip
        if context["promisable"]:
            context["first"], context["second"] = promise_figures(order=order, run=run)
        return super().get_context_data(**context, **kwargs)


class OrderPromiseSetView(CapabilityRequiredMixin, View):
    """One click: a figure becomes the order's promised date (sales' service)."""

    capability = "edit_orders"

    def post(self, request, pk):
        order = get_object_or_404(SalesOrder, pk=pk)
        form = PromiseDateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Pick one of the figures to promise.")
            return redirect(order.get_absolute_url())
        try:
            sales_order_promise(order=order, promised_date=form.cleaned_data["promised_date"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(order.get_absolute_url())
        messages.success(request, f"{order.number} is promised for {form.cleaned_data['promised_date']:%Y-%m-%d}.")
        return redirect(order.get_absolute_url())


class OrderWhatIfView(CapabilityRequiredMixin, TemplateView):
    """What if this order gets priority: which other orders would finish later, and by how much. Reads only."""

    capability = CAPABILITY
    template_name = "planning/order_what_if.html"

    def get_context_data(self, **kwargs):
        order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=self.kwargs["pk"])
        run = selectors.current_run()
        closed = order.status in CLOSED_ORDERS
        answer = None if closed else order_priority_what_if(order=order, run=run)
        return super().get_context_data(order=order, run=run, answer=answer, closed=closed,
                                        chart=selectors.slip_chart(answer.slips) if answer else None,
                                        **kwargs)  # fmt: skip
