"""Sales order pages: list, detail, entry, transitions, drawings and acknowledgments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from mto import panels
from mto.forms import TransitionView, apply_service_errors, refuse_unless_editable
from mto.idempotency import already_sent, new_token, submit_once
from mto.lists import FilteredListView
from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..filters import SalesOrderListFilter
from ..forms import (
    SalesOrderForm,
    SalesOrderLineFormSet,
)
from ..models import ChangeRequest, LineDrawing, SalesOrder
from ..workflow import ORDER, available_transitions


class SalesOrderListView(FilteredListView):
    capability = "view_orders"
    template_name = "sales/order_list.html"
    context_object_name = "orders"
    filterset_class = SalesOrderListFilter
    base_queryset = selectors.order_list_queryset
    csv_filename = "sales-orders.csv"
    csv_header = ["number", "status", "customer_code", "customer", "customer_po", "order_date", "promised_date",
                  "lines", "total"]  # fmt: skip

    def csv_row(self, order):
        promised = order.promised_date.isoformat() if order.promised_date else ""
        return [order.number, order.get_status_display(), order.customer.code, order.customer.name,
                order.customer_po, order.order_date.isoformat(), promised, order.line_count,
                order.total]  # fmt: skip


def _order_or_404(pk: int) -> SalesOrder:
    return selected_or_404(selectors.order_detail, what="order", pk=pk)


class SalesOrderDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_orders"
    template_name = "sales/order_detail.html"

    def get_context_data(self, **kwargs):
        order = _order_or_404(self.kwargs["pk"])
        changes = selectors.order_changes(order=order)
        open_change = next((c for c in changes if c.is_open), None)
        return super().get_context_data(
            order=order,
            lines=list(order.lines.all()),
            transitions=available_transitions(order, self.request.user),
            can_edit=order.is_editable and self.request.user.has_perm("mto.edit_orders"),
            can_change=order.is_changeable and self.request.user.has_perm("mto.edit_orders") and not open_change,
            changes=changes,
            open_change=open_change,
            panels=panels.render(self.request, page="order-detail", order=order),  # jobs', shipping's
            **kwargs,
        )


class SalesOrderAcknowledgmentView(CapabilityRequiredMixin, TemplateView):
    """The acknowledgment as of the order's current revision, or reprinted for an earlier one (?revision=N)."""

    capability = "view_orders"
    template_name = "sales/order_acknowledgment.html"

    def get_context_data(self, **kwargs):
        order = _order_or_404(self.kwargs["pk"])
        changes = selectors.order_changes(order=order)
        wanted = self.request.GET.get("revision", "")
        revision = int(wanted) if wanted.isdigit() and int(wanted) <= order.revision else order.revision
        current = order.revision
        order, lines = selectors.order_at_revision(
            order=order, lines=list(order.lines.all()), changes=changes, revision=revision
        )
        approved = [c for c in changes if c.status == ChangeRequest.Status.APPROVED]
        return super().get_context_data(
            order=order,
            lines=lines,
            total=sum((line.amount for line in lines if not line.is_cancelled), 0),
            revisions=range(current + 1),
            current_revision=current,
            change=next((c for c in approved if c.revision == revision), None),
            **kwargs,
        )


class SalesOrderFormView(CapabilityRequiredMixin, TemplateView):
    """Create or edit a draft: the header form and the line formset, saved by one service call."""

    capability = "edit_orders"
    template_name = "sales/order_form.html"
    order = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.order = get_object_or_404(SalesOrder, pk=kwargs["pk"])
            refused = refuse_unless_editable(
                request, self.order, capability="edit_orders", editable=self.order.is_editable,
                message=f"{self.order.number} is not a draft any more; it cannot be edited.",
            )  # fmt: skip
            if refused:
                return refused
        return super().dispatch(request, *args, **kwargs)

    def forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        instance = self.order or SalesOrder()
        initial = {} if self.order else {"customer": self.request.GET.get("customer")}
        form = SalesOrderForm(data, instance=instance, initial=initial)
        formset = SalesOrderLineFormSet(data, files, instance=instance, prefix="lines")
        return form, formset

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["formset"] = self.forms()
        prices = {str(pk): str(item.unit_price) for pk, item in kwargs["formset"].items.items()}
        kwargs.setdefault("submit_token", new_token())
        return super().get_context_data(order=self.order, item_prices=prices, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.order and (url := already_sent(request)):
            messages.info(request, "This order was already sent; here it is.")
            return redirect(url)
        form, formset = self.forms()
        if form.is_valid() and formset.is_valid():
            lines = []
            for line_form in formset.forms:
                data = line_form.cleaned_data
                if not data or data.get("DELETE"):
                    continue
                line = {k: data.get(k) for k in services.LINE_FIELDS}
                if line_form.instance.pk:
                    line["id"] = line_form.instance.pk
                if data.get("drawing"):
                    line["drawings"] = [data["drawing"]]
                lines.append(line)
            header = {k: form.cleaned_data.get(k) for k in services.ORDER_FIELDS}
            try:
                if self.order:
                    order = services.sales_order_update(order=self.order, by=request.user, lines=lines, **header)
                    messages.success(request, f"{order.number} saved.")
                    return redirect(order)
                url, created = submit_once(
                    request, lambda: services.sales_order_create(by=request.user, lines=lines, **header)
                )
                if created:
                    messages.success(request, "The order was created as a draft.")
                else:
                    messages.info(request, "This order was already sent; here it is.")
                return redirect(url)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=400)


class SalesOrderTransitionView(TransitionView):
    """POST one lifecycle step (submit, approve, reject, cancel, close)."""

    capability = "view_orders"
    lifecycle = ORDER
    model = SalesOrder

    def run(self, order, transition, *, by, form):
        services.sales_order_transition(order=order, name=transition.name, by=by, reason=form.cleaned_data["reason"])


class CustomerShipToOptionsView(CapabilityRequiredMixin, View):
    """The ship-to <option>s of one customer, for the order form when the customer changes (htmx)."""

    capability = "edit_orders"

    def get(self, request):
        ship_tos = selectors.ship_to_options(customer_id=request.GET.get("customer", ""))
        return render(request, "sales/partials/ship_to_options.html", {"ship_tos": ship_tos})


class DrawingDownloadView(CapabilityRequiredMixin, View):
    capability = "view_orders"

    def get(self, request, pk):
        drawing = get_object_or_404(LineDrawing, pk=pk)
        try:
            handle = drawing.file.open("rb")
        except FileNotFoundError:
            raise Http404("The drawing file is missing") from None
        response = FileResponse(
            handle,
            content_type=drawing.content_type,
            as_attachment=True,
            filename=drawing.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
