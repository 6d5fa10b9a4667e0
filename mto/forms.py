"""Forms whose valid data goes to one service: the service's ValidationError lands on the form."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from .idempotency import FIELD, already_sent, new_token, submit_once
from .roles import CapabilityRequiredMixin
from .transitions import Lifecycle, Transition


def apply_service_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: on the field it names, else as a form error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                target = field if field in form.fields else None
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


ALREADY_SENT = "This form was already sent; here is what it saved."
# Two different forms (or a script without the token) saving the same unique value at the same moment: the
# service's own check passed for both, the database refused the second.
TAKEN_MEANWHILE = "Someone saved the same thing at the same moment; reload the list to see it, then try again."


class ServiceFormView(CapabilityRequiredMixin, FormView):
    """A form whose valid data goes to one service; the service's errors land on the form.

    Every rendering carries a one-time token (the template includes partials/submit_token.html), so a
    double click or two identical POSTs at once save once: the twin finds the first result.
    """

    template_name = "form.html"
    success_message = ""
    cancel_url = ""
    invalid_status = 200

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", self.cancel_url or self.request.path.rsplit("/", 2)[0] + "/")
        kwargs.setdefault(FIELD, new_token())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        url = already_sent(request)
        if url:
            messages.info(request, ALREADY_SENT)
            return HttpResponseRedirect(url)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # A twin POST with the same token may have saved while this one validated (its row then makes this one's
        # "code taken"): the twin goes where the first went, as one that arrived later does.
        url = already_sent(self.request)
        if url:
            messages.info(self.request, ALREADY_SENT)
            return HttpResponseRedirect(url)
        return self.render_to_response(self.get_context_data(form=form), status=self.invalid_status)

    def run_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            url, created = submit_once(self.request, lambda: self._run(form))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        except IntegrityError:  # raised out of the service's transaction, which has rolled back
            form.add_error(None, TAKEN_MEANWHILE)
            return self.form_invalid(form)
        if not created:
            messages.info(self.request, ALREADY_SENT)
        elif self.success_message:
            messages.success(self.request, self.success_message.format(obj=self.object))
        return HttpResponseRedirect(url)

    def _run(self, form):
        """What submit_once stores for a twin: where to go next (a model with a URL, or a URL)."""
        self.object = self.run_service(form)
        return self.get_success_url()

    def get_success_url(self):
        return self.object.get_absolute_url()


class ServiceEditView(ServiceFormView):
    """Edit one row through its service: the row (`self.edited`) is loaded or 404 before anything else.

    The form edits a fresh copy, so a form refused halfway leaves `self.edited` as loaded for the service.
    """

    queryset = None  # the rows that may be edited; the URL's pk picks one

    def dispatch(self, request, *args, **kwargs):
        self.edited = get_object_or_404(self.queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.queryset.get(pk=self.edited.pk)}


def refuse_unless_editable(request, obj, *, capability: str, editable: bool, message: str):
    """Back to `obj` with `message` when the user may edit such rows (`capability`) but not this one now.

    Users without the capability go on to the view's own check, which answers 403.
    """
    if request.user.has_perm(f"mto.{capability}") and not editable:
        messages.error(request, message)
        return HttpResponseRedirect(obj.get_absolute_url())
    return None


def run_for_button(request, call: Callable[[], object], *, success: str) -> bool:
    """A POST button's one service call: its ValidationError becomes the error message, else `success`."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


class ReasonForm(forms.Form):
    """The reason (or note) a transition button may send with it."""

    reason = forms.CharField(required=False, max_length=2000)


class TransitionView(CapabilityRequiredMixin, View):
    """POST one declared transition of `lifecycle` from a page's button, then back to the page.

    The transition must be declared and not a system move (else 404), the user must hold its capability (else
    403); the reason form's errors and the service's ValidationError become messages. Subclasses say which
    service makes the move (`run`), and may change the form, the message and where to go.
    """

    lifecycle: Lifecycle
    model: type[models.Model]
    form_class: type[forms.Form] = ReasonForm

    def get_object(self, pk: int):
        return get_object_or_404(self.model, pk=pk)

    def run(self, obj, transition: Transition, *, by, form) -> None:
        raise NotImplementedError

    def done_message(self, obj, transition: Transition) -> str:
        what = self.lifecycle.describe(obj)
        if transition.done:
            return transition.done.format(what=what) + "."
        obj.refresh_from_db(fields=["status"])
        return f"{what} is now {obj.get_status_display().lower()}."

    def success_url(self, obj, transition: Transition) -> str:
        return obj.get_absolute_url()

    def failure_url(self, obj, transition: Transition) -> str:
        return obj.get_absolute_url()

    def post(self, request, pk: int, name: str):
        transition = self.lifecycle.get(name)
        if transition is None or transition.is_system:
            raise Http404("No such action")
        obj = self.get_object(pk)
        if not transition.allowed_for(request.user):
            raise PermissionDenied("Your role does not allow this action.")
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(msg for errors in form.errors.values() for msg in errors))
            return redirect(self.failure_url(obj, transition))
        try:
            self.run(obj, transition, by=request.user, form=form)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.failure_url(obj, transition))
        messages.success(request, self.done_message(obj, transition))
        return redirect(self.success_url(obj, transition))
