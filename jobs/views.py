from urllib.parse import quote

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from mto import panels
from mto.charts import bar_chart
from mto.forms import ServiceFormView, TransitionView, apply_service_errors, run_for_button
from mto.idempotency import new_token, run_once, submit_once
from mto.lists import FilteredListView
from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin

from . import selectors, services
from .filters import JobFilter
from .forms import HoldForm, JobActionForm, ManualJobForm, NoteForm, OperationForm, ReportPiecesForm, WorkCenterForm
from .models import Job, Operation, WorkCenter
from .workflow import JOB, OPERATION_MOVES, O, available_job_actions, available_operation_moves, can_report_pieces

# --- office and planner -----------------------------------------------------------------------------


class JobListView(FilteredListView):
    capability = "view_jobs"
    template_name = "jobs/job_list.html"
    context_object_name = "jobs"
    filterset_class = JobFilter
    base_queryset = selectors.job_list_queryset
    default_ordering = ("due_date", "priority", "id")
    csv_filename = "jobs.csv"
    csv_header = ["job", "status", "order", "customer", "part", "description", "quantity", "completed", "due_date",
                  "priority", "late", "operations_done", "operations"]  # fmt: skip

    def csv_row(self, job):
        order = job.sales_order
        return [job.number, job.get_status_display(), order.number if order else "",
                order.customer.name if order else "", job.part_label, job.description, job.quantity,
                job.quantity_completed, job.due_date.isoformat(), job.priority, "yes" if job.is_late else "",
                job.ops_done, job.ops_total]  # fmt: skip


class ManualJobCreateView(ServiceFormView):
    """A job made by hand (rework, stock, samples): its own JM- number series, planned until released."""

    capability = "plan_jobs"
    template_name = "jobs/manual_job_form.html"
    form_class = ManualJobForm
    success_message = "{obj.number} created as planned. Add its routing, then release it."
    invalid_status = 400

    def run_service(self, form):
        return services.job_create_manual(by=self.request.user, **form.cleaned_data)


def _job_or_404(pk, selector):
    return selected_or_404(selector, what="job", pk=pk)


class JobDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_jobs"
    template_name = "jobs/job_detail.html"

    def get_context_data(self, **kwargs):
        job = _job_or_404(self.kwargs["pk"], selectors.job_detail)
        user = self.request.user
        # A manager may reopen a finished operation until the job completes (the floor's leads on the tablet).
        if user.has_perm("mto.manage_jobs"):
            for op in job.ops:
                op.can_reopen = any(t.name == "reopen" for t in available_operation_moves(op, job, user))
        return super().get_context_data(
            job=job,
            actions=available_job_actions(job, user),
            can_plan=job.is_open and user.has_perm("mto.plan_jobs"),
            operation_form=kwargs.pop("operation_form", None),  # a refused one, shown open; else fetched when opened
            hold_form=HoldForm(),
            changes=job.audit_trail,  # read with the job (selectors.job_detail)
            panels=panels.render(self.request, page="job-detail", job=job),  # shipping's
            labor_chart=_labor_chart(job),
            submit_token=new_token(),
            **kwargs,
        )


def _labor_chart(job):
    rows = [(r.name, r.cost) for r in getattr(job, "labor_by_operator", [])]
    return bar_chart(rows, title="Labor cost by operator", fmt="{:,.2f}") if len(rows) > 1 else None


class JobActionView(TransitionView):
    """Release, hold, resume or cancel (office/manager job page and the tablets)."""

    capability = "view_jobs"
    lifecycle = JOB
    model = Job
    form_class = JobActionForm

    outcome = 400  # refused until run says otherwise (the reason form may refuse before it runs)

    def post(self, request, pk, name):
        response = super().post(request, pk, name)
        if request.htmx and _safe_next(request) and request.POST["next"].startswith(reverse("jobs:floor-board")):
            return floor_screen_response(request, pk, self.outcome)  # a tablet's hold or resume
        return response

    def run(self, job, transition, *, by, form):
        reason = form.cleaned_data.get("reason", "")
        if transition.name == "hold":
            hold = HoldForm(self.request.POST)
            reason = hold.reason_text() if hold.is_valid() else ""

        def act():
            version = form.cleaned_data.get("version")
            services.job_act(job=job, action=transition.name, by=by, reason=reason, expected_version=version)
            return {}

        try:
            run_once(self.request, act)  # a tablet's queued hold, sent again, holds once
        except ValidationError as exc:
            self.outcome = _outcome(exc)
            raise
        self.outcome = 200

    def success_url(self, job, transition):
        return self.request.POST.get("next") if _safe_next(self.request) else job.get_absolute_url()

    failure_url = success_url


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/") and not target.startswith("//")


class OperationAddView(CapabilityRequiredMixin, View):
    capability = "plan_jobs"

    def get(self, request, pk):
        """The form alone (htmx, when the job page's section opens), or on a page of its own."""
        job = get_object_or_404(Job, pk=pk)
        context = {"job": job, "operation_form": OperationForm(), "submit_token": new_token(), "can_plan": job.is_open}
        template = "jobs/partials/operation_add_form.html" if request.htmx else "jobs/operation_add.html"
        return render(request, template, context)

    def post(self, request, pk):
        job = get_object_or_404(Job, pk=pk)
        form = OperationForm(request.POST)
        if form.is_valid():

            def add():
                services.operation_add(job=job, by=request.user, **form.cleaned_data)
                return job

            try:
                _url, created = submit_once(request, add)
                messages.success(request, "Operation added." if created else "This operation was already added.")
                return redirect(job)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        view = JobDetailView(request=request, kwargs={"pk": pk})
        return render(request, view.template_name, view.get_context_data(operation_form=form), status=400)


class OperationEditView(CapabilityRequiredMixin, TemplateView):
    capability = "plan_jobs"
    template_name = "jobs/operation_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.operation = get_object_or_404(Operation.objects.select_related("job"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", OperationForm(instance=self.operation))
        return super().get_context_data(operation=self.operation, **kwargs)

    def post(self, request, pk):
        form = OperationForm(request.POST, instance=Operation.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.operation_update(operation=self.operation, by=request.user, **form.cleaned_data)
                messages.success(request, "Operation saved.")
                return redirect(self.operation.job)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OperationRemoveView(CapabilityRequiredMixin, View):
    capability = "plan_jobs"

    def post(self, request, pk):
        operation = get_object_or_404(Operation.objects.select_related("job"), pk=pk)
        remove = lambda: services.operation_remove(operation=operation, by=request.user)  # noqa: E731
        run_for_button(request, remove, success="Operation removed.")
        return redirect(operation.job)


class JobTravelerView(CapabilityRequiredMixin, TemplateView):
    capability = "view_jobs"
    template_name = "jobs/traveler.html"

    def get_context_data(self, **kwargs):
        job = _job_or_404(self.kwargs["pk"], selectors.job_detail)
        url = self.request.build_absolute_uri(job.get_floor_url())
        qr = segno.make(url, error="m").svg_data_uri(scale=4, border=1)
        return super().get_context_data(job=job, qr=qr, floor_url=url, **kwargs)


# --- shop floor (tablets) ----------------------------------------------------------------------------

SESSION_WC = "floor_work_center"


class FloorBoardView(CapabilityRequiredMixin, TemplateView):
    """The tablet board: pick a work center (remembered), see what can be worked on there now (a page, with how
    many more and how many are coming), find or scan a job; the queue refreshes itself. Managers see it too,
    read-only: their cards open the job's office page."""

    capability = ("run_floor", "manage_jobs")  # either
    template_name = "jobs/floor_board.html"

    def get(self, request, *args, **kwargs):
        code = request.GET.get("wc")
        if code:
            if not WorkCenter.objects.filter(code=code, is_active=True).exists():
                messages.error(request, f"There is no active work center {code}.")
            else:
                request.session[SESSION_WC] = code
        scanned = (request.GET.get("q") or "").strip()[:500]
        # A traveler's QR read by the USB scanner, or a job number typed in full, opens the job.
        if scanned and "partial" not in request.GET:
            job = selectors.job_for_scan(text=scanned)
            if job is not None:
                runs = request.user.has_perm("mto.run_floor")
                return redirect(job.get_floor_url() if runs else job.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("partial") == "queue":
            return ["jobs/floor_board.html#queue"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        centers = selectors.work_centers()
        current = next((c for c in centers if c.code == self.request.session.get(SESSION_WC)), None)
        show = "all" if self.request.GET.get("show") == "all" else "ready"
        search = (self.request.GET.get("q") or "").strip()[:60]
        queue = selectors.floor_queue(work_center=current, show=show, search=search) if current else None
        held = selectors.jobs_on_hold(work_center=current) if current else []
        return super().get_context_data(
            work_centers=centers, current=current, queue=queue, held=held, show=show, search=search,
            runs_floor=self.request.user.has_perm("mto.run_floor"), **kwargs,
        )  # fmt: skip


class FloorJobView(CapabilityRequiredMixin, TemplateView):
    capability = "run_floor"
    template_name = "jobs/floor_job.html"

    def get(self, request, *args, **kwargs):
        probe = request.GET.get("probe")
        if probe is not None:
            response = HttpResponse(status=204)
            if selectors.floor_job_token(pk=kwargs["pk"]) != probe:
                response["HX-Trigger"] = "refresh-routing"
            return response
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.htmx:
            return ["jobs/floor_job.html#screen"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        job = _job_or_404(self.kwargs["pk"], selectors.floor_job)
        user = self.request.user
        # A refused piece report comes back with what was typed, its fields marked (that operation only).
        refused = kwargs.pop("report_form", None)
        for op in job.ops:
            op.moves = available_operation_moves(op, job, user)
            op.can_report = can_report_pieces(op, job, user)
            # Finishing the last open operation completes the job: the tablet asks first (no undo there).
            op.completes_job = all(other.status == O.DONE for other in job.ops if other is not op)
            # The report form of an operation not started yet, hidden: the offline queue shows it once a Start
            # waits to be sent (online, the screen comes back from the server with it).
            op.report_later = not op.can_report and any(m.name == "start" for m in op.moves)
            if op.can_report or op.report_later:
                prefix = f"op{op.pk}"
                kept = refused is not None and refused.prefix == prefix
                op.report = refused if kept else ReportPiecesForm(prefix=prefix)
                # The scrap reason shows as required while scrap is above 0 (static/js/mto.js keeps it so).
                op.scrap_needed = str(op.report["scrap"].value() or "0").strip() not in ("", "0")
        actions = {t.name for t in available_job_actions(job, user)}
        return super().get_context_data(
            job=job,
            hold_form=HoldForm(),
            note_form=NoteForm(),
            submit_token=new_token(),
            can_hold="hold" in actions,
            can_resume="resume" in actions,
            floor_moves=_floor_moves(user),
            panels=panels.render(self.request, page="floor-job", job=job),  # quality's inspections and NCRs
            **kwargs,
        )


def _floor_moves(user) -> dict | None:
    """The operation moves the offline queue may draw on a card while the tablet cannot ask the server
    (static/js/floor_offline.js); the server decides again when each queued tap is sent."""
    if not user.has_perm("mto.run_floor"):
        return None
    return {
        t.name: {"label": t.label, "icon": t.icon, "button": t.button, "from": list(t.source), "to": t.target}
        for t in OPERATION_MOVES.values()
        if t.name != "reopen"  # who may reopen, and until when, only the server knows
    }


# What a floor action did, as people say it ("Started op 10 on J-000016-02").
FLOOR_DONE = {"start": "Started", "resume": "Resumed", "pause": "Paused", "finish": "Finished", "reopen": "Reopened"}


def _reported(operation, good: int, scrap: int) -> str:
    counts = ", ".join(f"{n} {what}" for n, what in ((good, "good"), (scrap, "scrap")) if n)
    return f"Reported {counts} on op {operation.sequence} of {operation.job.number}."


def _posted_version(request) -> int | None:
    version = request.POST.get("version")
    return int(version) if version and version.isdigit() else None


def floor_screen_response(request, job_id: int, outcome: int, *, message=None, report_form=None, operation=None):
    """The whole job screen as an htmx answer to a floor action, with what the tablet's offline queue reads:
    X-Action-Status (200, 400 refused, 409 someone else changed the job), X-Action-Message (what the operator
    is told, URL-quoted) and X-Operation-Version (the acted-on operation's version after the action)."""
    if message is None:  # what the action said (the messages stay queued for the screen to show)
        message = " ".join(str(m) for m in messages.get_messages(request))
    view = FloorJobView(request=request, kwargs={"pk": job_id})
    context = view.get_context_data(report_form=report_form)
    response = render(request, "jobs/floor_job.html#screen", context, status=200)
    response["X-Action-Status"] = str(outcome)
    response["X-Action-Message"] = quote(message)
    if operation is not None:
        acted = next((op for op in context["job"].ops if op.pk == operation.pk), None)
        if acted is not None:
            response["X-Operation-Version"] = str(acted.version)
    return response


def _outcome(exc: ValidationError) -> int:
    return 409 if getattr(exc, "code", None) in ("stale", "conflict") else 400


class FloorOperationView(CapabilityRequiredMixin, View):
    """Start, pause, resume, finish (short only when confirmed), report the rest and finish, reopen or report
    pieces on an operation; answers htmx with the whole job screen, so every part shows the job's new state.

    Each action runs once per Idempotency-Key: the tablet's offline queue may send one again (the answer was
    lost with the network), and the twin is told what the first did instead of being refused as stale."""

    capability = "run_floor"
    report_form = None

    def post(self, request, pk, action):
        operation = get_object_or_404(Operation.objects.select_related("job"), pk=pk)
        try:
            done, first = run_once(request, lambda: {"message": self._run(request, operation, action)})
        except ValidationError as exc:
            message = " ".join(exc.messages)
            messages.error(request, message)
            outcome = _outcome(exc)
        else:
            message = done.get("message", "") if first else f"{done.get('message', '')} (sent before; done once)"
            messages.success(request, message)
            outcome = 200
            self.report_form = None  # reported: a fresh form
        if request.htmx:
            return floor_screen_response(
                request, operation.job_id, outcome, message=message, report_form=self.report_form, operation=operation
            )
        return redirect(reverse("jobs:floor-job", args=[operation.job_id]))

    def _run(self, request, operation, action) -> str:
        by, version = request.user, _posted_version(request)
        where = f"op {operation.sequence} on {operation.job.number}"
        if action == "report":
            self.report_form = form = ReportPiecesForm(request.POST, prefix=f"op{operation.pk}")
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors], code="invalid")
            data = form.cleaned_data
            try:
                services.operation_report_pieces(
                    operation=operation, good=data["good"], scrap=data["scrap"], scrap_reason=data["scrap_reason"],
                    by=by, expected_version=data.get("version"),
                )  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
                raise
            return _reported(operation, data["good"], data["scrap"])
        if action == "finish-rest":
            _op, rest = services.operation_report_rest_and_finish(operation=operation, by=by, expected_version=version)
            return f"Reported {rest} good and finished {where}." if rest else f"Finished {where}."
        if action in FLOOR_DONE:
            services.operation_act(
                operation=operation, action=action, by=by, expected_version=version,
                short=request.POST.get("short") == "1", reason=request.POST.get("reason", ""),
            )  # fmt: skip
            return f"{FLOOR_DONE[action]} {where}."
        raise Http404("No such action")


class OperationReopenView(CapabilityRequiredMixin, View):
    """A manager reopens a finished operation from the job page (any time before the job completes)."""

    capability = "manage_jobs"

    def post(self, request, pk):
        operation = get_object_or_404(Operation.objects.select_related("job"), pk=pk)
        reopen = lambda: services.operation_act(  # noqa: E731
            operation=operation, action="reopen", by=request.user, reason=request.POST.get("reason", ""),
            expected_version=_posted_version(request),
        )  # fmt: skip
        done = f"Reopened op {operation.sequence} on {operation.job.number}."
        run_for_button(request, reopen, success=done)
        return redirect(operation.job)


class FloorNoteView(CapabilityRequiredMixin, View):
    capability = "run_floor"

    def post(self, request, pk):
        job = get_object_or_404(Job, pk=pk)
        form = NoteForm(request.POST)

        def add():
            services.job_add_note(job=job, text=form.cleaned_data["text"], by=request.user)
            return job

        outcome = 200
        try:
            if not form.is_valid():
                raise ValidationError("Write a note first (at most 2000 characters).")
            _url, created = submit_once(request, add)
            messages.success(request, "Note added." if created else "This note was already added.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            outcome = 400
        if request.htmx:
            return floor_screen_response(request, job.pk, outcome)
        return redirect(reverse("jobs:floor-job", args=[job.pk]))


# --- work centers (managers) ---------------------------------------------------------------------------


class WorkCenterListView(CapabilityRequiredMixin, TemplateView):
    capability = "manage_jobs"
    template_name = "jobs/work_center_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(work_centers=selectors.work_centers_with_leads(), **kwargs)


class WorkCenterFormView(ServiceFormView):
    capability = "manage_jobs"
    template_name = "form.html"
    form_class = WorkCenterForm
    success_message = "Work center {obj.code} saved."
    center = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.center = get_object_or_404(WorkCenter, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.center}

    def get_context_data(self, **kwargs):
        title = f"Work center {self.center.code}" if self.center else "New work center"
        return super().get_context_data(title=title, cancel_url=reverse("jobs:work-center-list"), **kwargs)

    def run_service(self, form):
        return services.work_center_save(by=self.request.user, work_center=self.center, **form.cleaned_data)

    def get_success_url(self):
        return reverse("jobs:work-center-list")
