"""Purchasing pages: vendors, purchase orders (list, detail, draft form, printable), the proposal of what the
released jobs need, and receiving. GET asks a selector, POST goes form -> service."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.forms.utils import pretty_name
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView

from mto.forms import (
    TAKEN_MEANWHILE,
    ServiceEditView,
    ServiceFormView,
    TransitionView,
    apply_service_errors,
    refuse_unless_editable,
    run_for_button,
)
from mto.idempotency import already_sent, new_token, submit_once
from mto.lists import FilteredListView, SearchListView
from mto.pages import selected_or_404
from mto.pagination import CappedPaginator
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..filters import PurchaseOrderFilter
from ..forms import LineFormSet, PurchaseOrderForm, ReceiptForm, VendorForm
from ..models import PurchaseOrder, PurchaseOrderLine, Vendor
from ..workflow import PURCHASE_ORDER, available_transitions

# --- vendors ----------------------------------------------------------------------------------------------


class VendorListView(SearchListView):
    capability = "view_purchasing"
    template_name = "purchasing/vendor_list.html"
    context_object_name = "vendors"

    def get_queryset(self):
        qs = selectors.vendor_list_queryset()
        if q := self.search():
            qs = qs.filter(Q(code__iexact=q) | Q(name__icontains=q) | Q(processes__icontains=q))
        return qs.order_by("code")


class VendorDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_purchasing"
    template_name = "purchasing/vendor_detail.html"

    def get_context_data(self, **kwargs):
        vendor = selected_or_404(selectors.vendor_detail, what="vendor", pk=self.kwargs["pk"])
        return super().get_context_data(vendor=vendor, orders=selectors.vendor_recent_orders(vendor=vendor),
                                        **kwargs)  # fmt: skip


class VendorCreateView(ServiceFormView):
    capability = "buy"
    form_class = VendorForm
    extra_context = {"title": "New vendor"}
    success_message = "Vendor {obj.code} saved."
    cancel_url = "/purchasing/vendors/"

    def run_service(self, form):
        return services.vendor_create(by=self.request.user, **form.cleaned_data)


class VendorEditView(ServiceEditView):
    capability = "buy"
    form_class = VendorForm
    queryset = Vendor.objects.all()
    success_message = "Vendor {obj.code} saved."

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"Edit vendor {self.edited.code}")
        kwargs.setdefault("cancel_url", self.edited.get_absolute_url())
        return super().get_context_data(**kwargs)

    def run_service(self, form):
        return services.vendor_update(vendor=self.edited, by=self.request.user, **form.cleaned_data)


# --- purchase orders --------------------------------------------------------------------------------------


class PurchaseOrderListView(FilteredListView):
    capability = "view_purchasing"
    template_name = "purchasing/po_list.html"
    context_object_name = "orders"
    filterset_class = PurchaseOrderFilter
    base_queryset = selectors.purchase_order_list_queryset
    csv_filename = "purchase-orders.csv"
    csv_header = ["po", "status", "vendor_code", "vendor", "lines", "total", "sent_at", "created_at"]

    def csv_row(self, po):
        return [po.number, po.get_status_display(), po.vendor.code, po.vendor.name, po.line_count, po.total or 0,
                po.sent_at.isoformat() if po.sent_at else "", po.created_at.isoformat()]  # fmt: skip


class PurchaseOrderDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_purchasing"
    template_name = "purchasing/po_detail.html"

    def get_context_data(self, **kwargs):
        po = selected_or_404(selectors.purchase_order_detail, what="purchase order", pk=self.kwargs["pk"])
        lines = list(po.lines.all())
        total = sum((line.line_total for line in lines), 0)
        transitions = available_transitions(po, self.request.user)
        return super().get_context_data(po=po, lines=lines, total=total, transitions=transitions, **kwargs)


class PurchaseOrderPrintView(PurchaseOrderDetailView):
    template_name = "purchasing/po_print.html"


class PurchaseOrderFormView(CapabilityRequiredMixin, TemplateView):
    """A new draft order, or a draft edited: the vendor, notes and lines (blank lines are skipped)."""

    capability = "buy"
    template_name = "purchasing/po_form.html"
    po = None
    blank_lines = 3

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.po = get_object_or_404(PurchaseOrder, pk=kwargs["pk"])
            refused = refuse_unless_editable(
                request, self.po, capability="buy", editable=self.po.is_editable,
                message=f"{self.po.number} is not a draft; it is read-only.",
            )  # fmt: skip
            if refused:
                return refused
        return super().dispatch(request, *args, **kwargs)

    def forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        initial = []
        if self.po is not None:
            initial = [{"description": line.description, "quantity": line.quantity, "unit": line.unit,
                        "unit_cost": line.unit_cost, "due_date": line.due_date, "requirement": line.requirement_id}
                       for line in self.po.lines.order_by("line_no")]  # fmt: skip
        initial += [{}] * self.blank_lines
        header = PurchaseOrderForm(data, instance=self.po or PurchaseOrder())
        return header, LineFormSet(data, initial=initial, prefix="lines")

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["formset"] = self.forms()
        kwargs.setdefault("submit_token", new_token())
        return super().get_context_data(po=self.po, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.po and (url := already_sent(request)):
            messages.info(request, "This order was already sent; here it is.")
            return redirect(url)
        form, formset = self.forms()
        if form.is_valid() and formset.is_valid():
            lines = [{k: v for k, v in f.cleaned_data.items()} for f in formset.forms if not f.is_blank()]
            vendor, notes = form.cleaned_data["vendor"], form.cleaned_data["notes"]
            try:
                if self.po:
                    po = services.purchase_order_update(po=self.po, lines=lines, vendor=vendor, notes=notes,
                                                        by=request.user)  # fmt: skip
                    messages.success(request, f"{po.number} saved.")
                    return redirect(po)
                url, created = submit_once(request, lambda: services.purchase_order_create(
                    vendor=vendor, lines=lines, notes=notes, by=request.user))  # fmt: skip
                messages.success(request, "Draft order saved." if created else "Already saved; here it is.")
                return redirect(url)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except IntegrityError:
                form.add_error(None, TAKEN_MEANWHILE)
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=400)


class PurchaseOrderTransitionView(TransitionView):
    capability = "view_purchasing"
    lifecycle = PURCHASE_ORDER
    model = PurchaseOrder

    def run(self, po, transition, *, by, form):
        services.purchase_order_transition(po=po, name=transition.name, by=by, reason=form.cleaned_data["reason"])


class ProposalView(CapabilityRequiredMixin, TemplateView):
    """What the released jobs need, grouped by vendor; the button makes the draft orders."""

    capability = "buy"
    template_name = "purchasing/proposal.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(proposal=services.purchase_proposal(), **kwargs)

    def post(self, request):
        made = []
        run_for_button(request, lambda: made.extend(services.purchase_orders_create_proposed(by=request.user)),
                       success="Draft orders made; check and send them.")  # fmt: skip
        return redirect("purchasing:po-list" if made else "purchasing:proposal")


# --- receiving --------------------------------------------------------------------------------------------


# Each receipt field's input attributes (receiving.html prints the inputs by hand, a blank line's and a refused one's).
RECEIPT_INPUT_ATTRS = {
    "quantity": mark_safe('type="number" step="0.001" min="0.001" inputmode="decimal"'),
    "lot_number": mark_safe('type="text" maxlength="60"'),
    "certificate": mark_safe('type="file" accept="application/pdf,.pdf"'),
}


class ReceivingView(CapabilityRequiredMixin, ListView):
    """Open lines of sent orders; each receives with a quantity, a lot/heat number and a certificate."""

    capability = "receive"
    template_name = "purchasing/receiving.html"
    context_object_name = "lines"
    paginate_by = 50
    paginator_class = CappedPaginator

    def po_number(self) -> str:
        return (self.request.GET.get("po") or self.request.POST.get("po") or "").strip()[:20]

    def get_queryset(self):
        return selectors.lines_to_receive(po_number=self.po_number())

    def get_context_data(self, **kwargs):
        # Fifty lines' bound forms were a third of the page: a refused line gets its form (what was typed, the
        # reason); the others print the form's fields by name, with the names and ids its prefix would give.
        receipt_fields = [(name, field.label or pretty_name(name), RECEIPT_INPUT_ATTRS[name])
                          for name, field in ReceiptForm.base_fields.items()]  # fmt: skip
        context = super().get_context_data(po_number=self.po_number(), receipt_fields=receipt_fields, **kwargs)
        errors = kwargs.get("errors") or {}
        for line in context["lines"]:
            line.form = errors.get(line.pk)
            if line.form:
                line.form_fields = [(field, RECEIPT_INPUT_ATTRS[field.name]) for field in line.form]
        return context


class ReceiveLineView(ReceivingView):
    """POST one line's receipt; a refusal shows the receiving page again with that line's form and reason."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        line = get_object_or_404(PurchaseOrderLine, pk=pk)
        form = ReceiptForm(request.POST, request.FILES, prefix=f"l{line.pk}")
        if form.is_valid():
            try:
                receipt = services.receipt_create(po_line=line, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Received {receipt.quantity.normalize():f} on {line}.")
                if self.po_number():
                    return redirect(f"{reverse('purchasing:receiving')}?{urlencode({'po': self.po_number()})}")
                return redirect("purchasing:receiving")
        self.object_list = self.get_queryset()
        context = self.get_context_data(errors={line.pk: form}, refused=line)
        return self.render_to_response(context, status=400)
