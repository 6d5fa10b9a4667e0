"""Kiosk tablets (issue 21): what an enrolled tablet shows and does, and the managers' operator and kiosk pages.

Every kiosk action is an ordinary form POST (the floor's offline queue replays POSTs as they were posted): it
carries the operator it was made as, and the server refuses it if that operator is no longer the one badged in.
Success redirects back to the screen (303); a refusal answers the screen itself with 400 or 409 and the reason.
"""

from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from mto import panels
from mto.forms import apply_service_errors
from mto.idempotency import run_once
from mto.roles import CapabilityRequiredMixin

from . import kiosk, selectors, services
from .forms import NoteForm, ReportPiecesForm
from .kiosk_forms import (
    IndirectForm,
    KioskEnrollForm,
    KioskPinForm,
    LaborClassForm,
    OperatorEditForm,
    OperatorForm,
    PinForm,
)
from .models import IndirectTime, Job, KioskDevice, Operation, OperatorProfile


class SeeOther(HttpResponseRedirect):
    status_code = 303


@method_decorator(login_not_required, name="dispatch")
class KioskMixin:
    """A page of an enrolled tablet. `request.kiosk` is the device; `request.user` the operator badged in (for
    this request only) or anonymous. `needs_operator`: the page is an operator's (else back to the badge screen)."""

    kiosk_view = True
    needs_operator = True

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "kiosk", None) is None:
            # An ordinary browser (anonymous or signed in): a 403 that says how a tablet becomes a kiosk.
            return kiosk.refusal(request, "This page works only on a tablet a manager enrolled as a kiosk (Work "
                                          "centers, Kiosk tablets, on the tablet itself).")  # fmt: skip
        try:
            return self._dispatch(request, *args, **kwargs)
        except PermissionDenied as exc:
            return kiosk.refusal(request, str(exc) or "Not on this kiosk.")

    def _dispatch(self, request, *args, **kwargs):
        activity = request.method == "POST" or not request.htmx
        operator = kiosk.badged_operator(request, activity=activity)
        kiosk.device_touch(request.kiosk)
        idle = getattr(request, "kiosk_idle_signed_off", False)
        if idle:
            messages.info(request, IDLE)
        if request.method == "POST":
            operator, refused = _tapped_by(request, operator)
            if refused:
                return _refused_to_badge_screen(request, refused, tell=not (idle and refused == BADGE_IN))
        request.user = operator or AnonymousUser()
        request.operator = operator
        if self.needs_operator and operator is None:
            if request.method == "POST":  # a refusal (409), never taken for done
                return _refused_to_badge_screen(request, IDLE if idle else BADGE_IN, tell=not idle)
            if not idle:
                messages.info(request, BADGE_IN)
            if request.htmx:  # a screen's poll: the whole page goes back to the badge screen
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("kiosk:home")
                return response
            return SeeOther(reverse("kiosk:home"))
        return super().dispatch(request, *args, **kwargs)


IDLE = "Signed off after a few idle minutes: badge in again."
BADGE_IN = "Badge in first."
SOMEONE_ELSE = "That screen was someone else's; it was not done. Check and tap again."


def _tapped_by(request, badged):
    """Who a kiosk POST is done as, or why it is refused: (operator or None, refusal or "").

    A tap from a job screen names, in its signed tap token, the operator the screen was drawn for: a live tap is
    done only if that is the operator badged in now; a tap the tablet kept through a network cut and replays
    (X-Floor-Replay) is done as the operator who tapped it, within KIOSK_REPLAY_MINUTES (kiosk.tap_operator)."""
    token = request.headers.get(kiosk.TAP_HEADER, "")
    replay = request.headers.get(kiosk.REPLAY_HEADER) == "1"
    if token:
        try:
            claimed, fresh = kiosk.tap_operator(request, token)
        except kiosk.TapRefused as exc:
            return None, str(exc)
        if badged is not None and claimed.pk == badged.pk:
            return badged, ""
        if not replay:
            return None, SOMEONE_ELSE if badged is not None else BADGE_IN
        if not fresh:
            return None, kiosk.tap_expired_message()
        return claimed, ""  # for this request only: the tablet's session (who is badged in now) is left alone
    posted = request.POST.get("operator")
    if posted is not None and badged is not None and posted != str(badged.pk):
        return None, SOMEONE_ELSE
    return badged, ""


def _refused_to_badge_screen(request, message: str, *, tell: bool = True):
    """A POST the kiosk did not do (nobody badged in, made as another operator than the one badged in now, a tap
    token it does not take): 409 with the kiosk's home screen, so a replayed action is shown as refused, not taken
    for done. To htmx (a live tap, or the offline queue's replay) the refusal is in X-Action-Status/-Message, and
    a live tap's page goes to the badge screen."""
    replay = request.headers.get(kiosk.REPLAY_HEADER) == "1"
    if tell and not replay:
        messages.error(request, message)
    request.user, request.operator = AnonymousUser(), None
    if request.htmx:
        response = HttpResponse(status=200)
        response["X-Action-Status"] = "409"
        response["X-Action-Message"] = quote(message)
        if not replay:
            response["HX-Redirect"] = reverse("kiosk:home")
        return response
    request.operator = kiosk.badged_operator(request, activity=False)
    request.user = request.operator or AnonymousUser()
    view = KioskHomeView(request=request, kwargs={})
    return render(request, view.template_name, view.get_context_data(), status=409)


# --- the tablet -------------------------------------------------------------------------------------------------


class KioskHomeView(KioskMixin, TemplateView):
    """The badge screen (nobody badged in), or the operator's screen: their shift and the work center's queue."""

    template_name = "jobs/kiosk/home.html"
    needs_operator = False

    def get_context_data(self, **kwargs):
        device, operator = self.request.kiosk, self.request.operator
        context = {"device": device, "idle_minutes": settings.KIOSK_IDLE_MINUTES}
        if operator is None:
            context["operators"] = selectors.kiosk_operators()
        else:
            context["now"] = selectors.operator_now(operator=operator)
            context["queue"] = selectors.work_center_queue(work_center=device.work_center)
            context["indirect_kinds"] = IndirectTime.Kind.choices
        return super().get_context_data(**context, **kwargs)


class KioskBadgeView(KioskMixin, View):
    """A badge scanned (a USB scanner types its code into the focused field and presses Enter)."""

    needs_operator = False

    def post(self, request):
        user = kiosk.operator_for_badge(request.POST.get("badge", ""))
        if user is None or not user.has_perm("mto.operate"):
            messages.error(request, "That badge is not known (or was replaced). Try again or use your PIN.")
            return SeeOther(reverse("kiosk:home"))
        kiosk.operator_badge_in(request, user)
        messages.success(request, f"Hello {user.get_full_name() or user.username}.")
        return SeeOther(reverse("kiosk:home"))


class KioskPinView(KioskMixin, TemplateView):
    """An operator picked their name on the badge screen and types their PIN (throttled by django-axes)."""

    template_name = "jobs/kiosk/pin.html"
    needs_operator = False

    # No dispatch of its own: KioskMixin's (login_not_required) must stay the view's.
    @property
    def profile(self) -> OperatorProfile:
        if not hasattr(self, "_profile"):
            self._profile = get_object_or_404(
                OperatorProfile.objects.select_related("user"), pk=self.kwargs["pk"], user__is_active=True
            )
        return self._profile

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", KioskPinForm())
        return super().get_context_data(profile=self.profile, device=self.request.kiosk, **kwargs)

    def post(self, request, pk):
        form = KioskPinForm(request.POST)
        user = None
        if form.is_valid():
            user = kiosk.operator_for_pin(request, operator=self.profile.user, pin=form.cleaned_data["password"])
        if user is not None and user.has_perm("mto.operate"):
            kiosk.operator_badge_in(request, user)
            messages.success(request, f"Hello {user.get_full_name() or user.username}.")
            return SeeOther(reverse("kiosk:home"))
        status, error = 400, "That PIN is not right."
        if getattr(request, "axes_locked_out", False):
            # The kiosk says it itself (not axes' page for the login form): the tablet stays usable for others.
            request.axes_locked_out = False
            status = 429
            error = "Too many wrong PINs: this operator is locked on this tablet for a while. Use your badge."
        # The typed PIN is never sent back.
        return self.render_to_response(self.get_context_data(form=KioskPinForm(), pin_error=error), status=status)


class KioskSignOffView(KioskMixin, View):
    needs_operator = False

    def post(self, request):
        kiosk.operator_sign_off(request)
        if request.POST.get("idle"):
            messages.info(request, "Signed off after a few idle minutes: badge in again.")
        return SeeOther(reverse("kiosk:home"))


class KioskAttendanceView(KioskMixin, View):
    """Clock in, clock out, indirect time (meeting, cleaning, training) started or stopped."""

    DONE = {"clock-in": "Clocked in.", "clock-out": "Clocked out. See you next shift.",
            "indirect-start": "{kind} started.", "indirect-stop": "Back from indirect time."}  # fmt: skip

    def post(self, request, action):
        operator, device = request.operator, request.kiosk
        kind = ""
        try:
            if action == "clock-in":
                services.operator_clock_in(operator=operator, kiosk=device)
            elif action == "clock-out":
                services.operator_clock_out(operator=operator, kiosk=device)
            elif action == "indirect-start":
                form = IndirectForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Pick what the time is for.")
                kind = form.cleaned_data["kind"]
                services.operator_indirect_start(operator=operator, kind=kind, kiosk=device)
            elif action == "indirect-stop":
                services.operator_indirect_stop(operator=operator, kiosk=device)
            else:
                raise Http404("No such action")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            view = KioskHomeView(request=request, kwargs={})
            return render(request, view.template_name, view.get_context_data(), status=_status(exc))
        messages.success(request, self.DONE[action].format(kind=IndirectTime.Kind(kind).label if kind else ""))
        return SeeOther(reverse("kiosk:home"))


def _status(exc: ValidationError) -> int:
    return 409 if getattr(exc, "code", None) in ("stale", "conflict") else 400


def _kiosk_job_or_403(request, pk: int) -> Job:
    if not Job.objects.filter(pk=pk).exists():
        raise Http404("No such job")
    job = selectors.kiosk_job(pk=pk, work_center_id=request.kiosk.work_center_id)
    if job is None:
        raise PermissionDenied(f"This job has no operation at {request.kiosk.work_center.code}.")
    return job


class KioskJobView(KioskMixin, TemplateView):
    """The job on the kiosk: its operations at this work center, who is on each, and what the operator may do.

    `?probe=<token>` (the screen polls it): 204, with HX-Trigger "refresh-screen" when the screen changed."""

    template_name = "jobs/kiosk/job.html"

    def get(self, request, *args, **kwargs):
        probe = request.GET.get("probe")
        if probe is not None:
            response = HttpResponse(status=204)
            if selectors.kiosk_job_token(pk=kwargs["pk"], work_center_id=request.kiosk.work_center_id) != probe:
                response["HX-Trigger"] = "refresh-screen"
            return response
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        return [f"{self.template_name}#screen"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        job = _kiosk_job_or_403(self.request, self.kwargs["pk"])
        operator, device = self.request.operator, self.request.kiosk
        refused = kwargs.pop("report_form", None)
        for op in job.ops:
            op.me_on = any(e.operator_id == operator.pk for e in op.on_now)
            op.others_on = sum(1 for e in op.on_now if e.operator_id != operator.pk)
            if op.here and op.status != "done":
                prefix = f"op{op.pk}"
                op.report = refused if refused is not None and refused.prefix == prefix else ReportPiecesForm(
                    prefix=prefix)  # fmt: skip
        open_ops = job.status in ("released", "in_progress")
        return super().get_context_data(
            job=job, device=device, can_act=open_ops, note_form=NoteForm(),
            tap=kiosk.tap_token(device, operator),
            panels=panels.render(self.request, page="kiosk-job", job=job, kiosk=device),
            idle_minutes=settings.KIOSK_IDLE_MINUTES, **kwargs,
        )  # fmt: skip


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _screen_answer(request, job_id: int, outcome: int, message: str, *, report_form=None, operation=None):
    """What a kiosk job action answers. To htmx (a tap, or the offline queue's replay): the whole job screen with
    X-Action-Status (200, 400 refused, 409 someone else changed the job), X-Action-Message (URL-quoted) and
    X-Operation-Version, as the lead's floor screen answers (static/js/floor_offline.js reads them). Without
    htmx: back to the screen (303) when done, the screen with the reason (400/409) when not."""
    (messages.success if outcome == 200 else messages.error)(request, message)
    if outcome == 200 and not request.htmx:
        return SeeOther(reverse("kiosk:job", args=[job_id]))
    view = KioskJobView(request=request, kwargs={"pk": job_id})
    context = view.get_context_data(report_form=report_form)
    if not request.htmx:
        return render(request, view.template_name, context, status=outcome)
    response = render(request, f"{view.template_name}#screen", context)
    response["X-Action-Status"] = str(outcome)
    response["X-Action-Message"] = quote(message)
    acted = next((op for op in context["job"].ops if operation is not None and op.pk == operation.pk), None)
    if acted is not None:
        response["X-Operation-Version"] = str(acted.version)
    return response


class KioskOperationView(KioskMixin, View):
    """Start (join), stop (leave), report pieces, finish (short when confirmed; or the rest reported first).

    Each runs once per Idempotency-Key (the offline queue may send a tap again whose answer the network lost)."""

    def post(self, request, pk, action):
        operation = get_object_or_404(Operation.objects.select_related("job", "work_center"), pk=pk)
        if operation.work_center_id != request.kiosk.work_center_id:
            raise PermissionDenied(f"Op {operation.sequence} is not at {request.kiosk.work_center.code}.")
        if action not in ("start", "stop", "report", "finish", "finish-rest"):
            raise Http404("No such action")
        self.form = None
        try:
            done, first = run_once(request, lambda: {"message": self._run(request, operation, action)})
        except ValidationError as exc:
            return _screen_answer(request, operation.job_id, _status(exc), " ".join(exc.messages),
                                  report_form=self.form, operation=operation)  # fmt: skip
        message = done.get("message", "") if first else f"{done.get('message', '')} (sent before; done once)"
        return _screen_answer(request, operation.job_id, 200, message, operation=operation)

    def _run(self, request, operation, action) -> str:
        operator, device = request.operator, request.kiosk
        where = f"op {operation.sequence} on {operation.job.number}"
        if action == "start":
            services.operator_join(operation=operation, operator=operator, kiosk=device)
            return f"Started on {where}."
        if action == "stop":
            services.operator_leave(operation=operation, operator=operator, kiosk=device)
            return f"Stopped on {where}."
        if action == "report":
            self.form = form = ReportPiecesForm(request.POST, prefix=f"op{operation.pk}")
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors], code="invalid")
            data = form.cleaned_data
            try:
                services.operator_report_pieces(
                    operation=operation, operator=operator, good=data["good"], scrap=data["scrap"],
                    scrap_reason=data["scrap_reason"], kiosk=device, expected_version=data.get("version"),
                )  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
                raise
            counts = ", ".join(f"{n} {w}" for n, w in ((data["good"], "good"), (data["scrap"], "scrap")) if n)
            return f"Reported {counts} on {where}."
        _op, rest = services.operator_finish(
            operation=operation, operator=operator, kiosk=device, expected_version=_version(request),
            short=request.POST.get("short") == "1", report_rest=action == "finish-rest",
        )  # fmt: skip
        return f"Reported {rest} good and finished {where}." if rest else f"Finished {where}."


class KioskNoteView(KioskMixin, View):
    def post(self, request, pk):
        _kiosk_job_or_403(request, pk)
        job = Job.objects.get(pk=pk)
        form = NoteForm(request.POST)

        def add():
            services.job_add_note(job=job, text=form.cleaned_data["text"], by=request.operator)
            return {"message": "Note added."}

        try:
            if not form.is_valid():
                raise ValidationError("Write a note first (at most 2000 characters).")
            done, first = run_once(request, add)
        except ValidationError as exc:
            return _screen_answer(request, pk, 400, " ".join(exc.messages))
        return _screen_answer(request, pk, 200, "Note added." if first else "This note was already added.")


# --- managers: kiosk tablets --------------------------------------------------------------------------------


class KioskDeviceListView(CapabilityRequiredMixin, TemplateView):
    """The kiosk tablets (enroll this one, revoke any)."""

    capability = "manage_jobs"
    template_name = "jobs/kiosk/devices.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", KioskEnrollForm())
        return super().get_context_data(devices=list(selectors.kiosk_devices()), **kwargs)

    def post(self, request):
        form = KioskEnrollForm(request.POST)
        if form.is_valid():
            try:
                device, secret = services.kiosk_enroll(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                # The manager's own session ends on this tablet: from now on it is the work center's kiosk.
                logout(request)
                response = SeeOther(reverse("kiosk:home"))
                kiosk.set_device_cookie(response, device, secret)
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class KioskDeviceRevokeView(CapabilityRequiredMixin, View):
    capability = "manage_jobs"

    def post(self, request, pk):
        device = get_object_or_404(KioskDevice, pk=pk)
        services.kiosk_revoke(device=device, by=request.user)
        messages.success(request, f"Revoked the kiosk {device.name}: it opens nothing any more.")
        return redirect("jobs:kiosk-list")


# --- managers: operators ------------------------------------------------------------------------------------


class OperatorListView(CapabilityRequiredMixin, TemplateView):
    capability = "manage_jobs"
    template_name = "jobs/operators/list.html"

    def get_context_data(self, **kwargs):
        from .models import LaborClass

        kwargs.setdefault("form", OperatorForm())
        kwargs.setdefault("class_form", LaborClassForm(auto_id="id_class_%s"))  # ids apart from the operator form's
        return super().get_context_data(
            operators=list(selectors.operator_list()), labor_classes=list(LaborClass.objects.all()), **kwargs
        )

    def post(self, request):
        if request.POST.get("what") == "labor-class":
            class_form = LaborClassForm(request.POST, auto_id="id_class_%s")
            if class_form.is_valid():
                try:
                    services.labor_class_save(by=request.user, **class_form.cleaned_data)
                    messages.success(request, f"Labor class {class_form.cleaned_data['name']} saved.")
                    return redirect("jobs:operator-list")
                except ValidationError as exc:
                    apply_service_errors(class_form, exc)
            return self.render_to_response(self.get_context_data(class_form=class_form), status=400)
        form = OperatorForm(request.POST)
        if form.is_valid():
            try:
                profile = services.operator_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Operator {profile} added: print their badge, set a PIN if they want one.")
                return redirect("jobs:operator-detail", pk=profile.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _badge_svg(profile: OperatorProfile, scale: int = 6) -> str:
    return segno.make(profile.badge_key, error="m").svg_data_uri(scale=scale, border=2)


class OperatorDetailView(CapabilityRequiredMixin, TemplateView):
    """An operator's profile: name and labor rate, their badge (print, revoke), their PIN, their last week."""

    capability = "manage_jobs"
    template_name = "jobs/operators/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.profile = get_object_or_404(OperatorProfile.objects.select_related("user", "labor_class"),
                                         pk=kwargs["pk"])  # fmt: skip
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        p, user = self.profile, self.profile.user
        kwargs.setdefault("form", OperatorEditForm(initial={
            "first_name": user.first_name, "last_name": user.last_name, "labor_class": p.labor_class,
            "hourly_rate": p.hourly_rate, "is_active": user.is_active}))  # fmt: skip
        kwargs.setdefault("pin_form", PinForm())
        since = timezone.now() - timezone.timedelta(days=7)
        return super().get_context_data(
            profile=p, badge=_badge_svg(p), week=selectors.operator_days(operator=user, since=since),
            now=selectors.operator_now(operator=user), **kwargs,
        )  # fmt: skip

    def post(self, request, pk):
        what = request.POST.get("what")
        try:
            if what == "badge":
                services.operator_rotate_badge(profile=self.profile, by=request.user)
                messages.success(request, f"{self.profile}'s old badge no longer works; print the new one.")
            elif what == "pin":
                pin_form = PinForm(request.POST)
                if not pin_form.is_valid():
                    return self.render_to_response(self.get_context_data(pin_form=pin_form), status=400)
                try:
                    services.operator_set_pin(profile=self.profile, pin=pin_form.cleaned_data["pin"], by=request.user)
                except ValidationError as exc:
                    apply_service_errors(pin_form, exc)
                    return self.render_to_response(self.get_context_data(pin_form=pin_form), status=400)
                messages.success(request, "PIN saved." if pin_form.cleaned_data["pin"] else "PIN removed.")
            else:
                form = OperatorEditForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                try:
                    services.operator_update(profile=self.profile, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                messages.success(request, f"Operator {form.cleaned_data['first_name']} saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("jobs:operator-detail", pk=pk)


class OperatorBadgeView(CapabilityRequiredMixin, TemplateView):
    """The printable badge: the operator's name and the QR code a USB scanner at a kiosk reads."""

    capability = "manage_jobs"
    template_name = "jobs/operators/badge.html"

    def get_context_data(self, **kwargs):
        profile = get_object_or_404(OperatorProfile.objects.select_related("user"), pk=self.kwargs["pk"])
        return super().get_context_data(profile=profile, badge=_badge_svg(profile, scale=8), **kwargs)
