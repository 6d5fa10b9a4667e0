"""Change request pages: draft the changes to an approved order, submit, decide."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from mto.forms import ServiceFormView, refuse_unless_editable, run_for_button
from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..forms import (
    ChangeItemForm,
    TransitionForm,
)
from ..models import ChangeItem, ChangeRequest, SalesOrder, SalesOrderLine
from ..workflow import CHANGE_TRANSITIONS, available_change_transitions


class ChangeRequestCreateView(CapabilityRequiredMixin, View):
    """POST: open a draft change request on an approved order (or go to the one already open)."""

    capability = "edit_orders"

    def post(self, request, pk):
        order = get_object_or_404(SalesOrder, pk=pk)
        try:
            change = services.change_request_open(order=order, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(order)
        return redirect(change)


class ChangeRequestDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_orders"
    template_name = "sales/change_detail.html"

    def get_context_data(self, **kwargs):
        change = selected_or_404(selectors.change_detail, what="change request", pk=self.kwargs["pk"])
        user = self.request.user
        editing = change.is_editable and user.has_perm("mto.edit_orders")
        header_kinds = {item.kind for item in change.item_list if not item.line_id}
        lines = selectors.order_lines(order=change.order)
        if editing:
            self._offer_changes(change, lines)
        return super().get_context_data(
            change=change,
            order=change.order,
            lines=lines,
            header_kinds=header_kinds,
            editing=editing,
            transitions=available_change_transitions(change, user, items=change.item_list),
            **kwargs,
        )

    @staticmethod
    def _offer_changes(change: ChangeRequest, lines: list[SalesOrderLine]) -> None:
        """Give each line the changes it can still take in this request: the service's rules decide."""
        offers = services.change_line_offers(items=change.item_list, lines=lines)
        taken = {(item.kind, item.line_id) for item in change.item_list}
        for line in lines:
            line.cancelled_here = (ChangeItem.Kind.CANCEL_LINE, line.pk) in taken
            line.offers = [
                (kind, ChangeItem.Kind(kind).label.removeprefix("Line ").capitalize()) for kind in offers[line.pk]
            ]


class ChangeItemFormView(ServiceFormView):
    """Add one change to a draft request (kind in the URL, line in ?line=), or edit one."""

    capability = "edit_orders"
    template_name = "form.html"
    form_class = ChangeItemForm
    item = None

    def dispatch(self, request, *args, **kwargs):
        if "item" in kwargs:
            self.item = get_object_or_404(ChangeItem.objects.select_related("line__item"), pk=kwargs["item"])
            self.change, self.kind, self.line = self.item.change_request, self.item.kind, self.item.line
        else:
            self.change = get_object_or_404(ChangeRequest, pk=kwargs["pk"])
            self.kind = kwargs["kind"]
            if self.kind not in ChangeItem.Kind.values:
                raise Http404("No such kind of change")
            self.line = None
            if self.kind in ChangeItem.LINE_KINDS:
                line_id = request.GET.get("line", "")
                self.line = get_object_or_404(
                    SalesOrderLine.objects.select_related("item"),
                    pk=line_id if line_id.isdigit() else 0,
                    order_id=self.change.order_id,
                )
        self.order = self.change.order
        refused = refuse_unless_editable(
            request, self.change, capability="edit_orders", editable=self.change.is_editable,
            message=f"Change {self.change.number} is {self.change.get_status_display().lower()}.",
        )  # fmt: skip
        if refused:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.item:
            fields = [name for name in ChangeItemForm.FIELDS[self.kind] if name != "drawing"]
            kwargs["initial"] = {name: getattr(self.item, name) for name in fields}
            kwargs["initial"]["reason"] = self.item.reason
        return {**kwargs, "kind": self.kind, "order": self.order, "line": self.line}

    def get_context_data(self, **kwargs):
        where = f", line {self.line.line_no} ({self.line.part_label})" if self.line else ""
        title = f"{self.order.number} change {self.change.number}: {ChangeItem.Kind(self.kind).label.lower()}{where}"
        return super().get_context_data(title=title, cancel_url=self.change.get_absolute_url(), **kwargs)

    def run_service(self, form):
        fields = dict(form.cleaned_data)
        if self.item:
            services.change_item_update(change_item=self.item, by=self.request.user, **fields)
        else:
            services.change_item_add(
                change_request=self.change, kind=self.kind, by=self.request.user, line=self.line, **fields
            )
        return self.change


class ChangeItemRemoveView(CapabilityRequiredMixin, View):
    capability = "edit_orders"

    def post(self, request, pk):
        item = get_object_or_404(ChangeItem.objects.select_related("change_request"), pk=pk)
        run_for_button(
            request,
            lambda: services.change_item_remove(item=item, by=request.user),
            success="The change was removed from the request.",
        )
        return redirect(item.change_request)


# The capability each needs is the declared transition's (sales/workflow.py).
CHANGE_ACTIONS = {
    "submit": (services.change_request_submit, "submitted for approval"),
    "withdraw": (services.change_request_withdraw, "withdrawn"),
    "approve": (services.change_request_approve, "approved; the order and its jobs follow"),
    "reject": (services.change_request_reject, "rejected"),
}


class ChangeRequestActionView(CapabilityRequiredMixin, View):
    """POST submit, withdraw, approve or reject (with a reason) a change request."""

    capability = "view_orders"

    def post(self, request, pk, action):
        if action not in CHANGE_ACTIONS:
            raise Http404("No such action")
        service, done = CHANGE_ACTIONS[action]
        change = get_object_or_404(ChangeRequest.objects.select_related("order"), pk=pk)
        if not CHANGE_TRANSITIONS[action].allowed_for(request.user):
            return render(request, "403.html", {"message": "Your role does not allow this action."}, status=403)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(msg for errors in form.errors.values() for msg in errors))
            return redirect(change)
        extra = {"reason": form.cleaned_data.get("reason", "")} if action == "reject" else {}
        if action == "approve":
            extra = {"note": form.cleaned_data.get("reason", "")}
        try:
            service(change_request=change, by=request.user, **extra)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(change)
        messages.success(request, f"Change {change.number} of {change.order.number} {done}.")
        return redirect(change.order if action == "approve" else change)
