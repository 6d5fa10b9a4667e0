"""Outside operations: pieces at vendors, one operation's ship-outs and returns, the vendor packing slip."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView, TemplateView

from mto.forms import apply_service_errors
from mto.idempotency import new_token, submit_once
from mto.pages import selected_or_404
from mto.pagination import CappedPaginator
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..forms import OutsideOperationForm, ReceiveBackForm, ShipOutForm
from ..models import OutsideOperation, Receipt, VendorReturn


class AtVendorsView(CapabilityRequiredMixin, ListView):
    """Pieces at vendors, the ones sent longest ago first, 50 a page (a busy shop has hundreds out)."""

    capability = "view_purchasing"
    template_name = "purchasing/at_vendors.html"
    context_object_name = "rows"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return selectors.at_vendors_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.with_due_dates(list(context["rows"]))
        return context


class OutsideOperationView(CapabilityRequiredMixin, TemplateView):
    capability = "view_purchasing"
    template_name = "purchasing/outside_operation.html"

    def get_context_data(self, **kwargs):
        row = selected_or_404(selectors.outside_operation_detail, what="outside operation", pk=self.kwargs["pk"])
        user = self.request.user
        return super().get_context_data(
            row=row, op=row.operation, job=row.operation.job,
            can_receive=user.has_perm("mto.receive"), can_buy=user.has_perm("mto.buy"),
            ship_form=kwargs.pop("ship_form", None) or ShipOutForm(),
            back_form=kwargs.pop("back_form", None) or ReceiveBackForm(),
            edit_form=kwargs.pop("edit_form", None) or OutsideOperationForm(instance=row),
            submit_token=new_token(), **kwargs,
        )  # fmt: skip


class _OutsideActionView(CapabilityRequiredMixin, View):
    """POST a form to one service; errors show on the operation's page (400), success redirects to it."""

    form_class = None
    form_name = ""

    def run(self, row, form):
        raise NotImplementedError

    def post(self, request, pk):
        row = get_object_or_404(OutsideOperation, pk=pk)
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs(row))
        if form.is_valid():
            try:
                url = reverse("purchasing:outside-detail", args=[pk])
                _url, created = submit_once(request, lambda: self.run(row, form) or url)
                messages.success(request, self.success if created else "This was already saved.")
                return redirect("purchasing:outside-detail", pk=pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        view = OutsideOperationView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(**{self.form_name: form}), status=400)

    def form_kwargs(self, row):
        return {}


class ShipOutView(_OutsideActionView):
    capability = "receive"
    form_class = ShipOutForm
    form_name = "ship_form"
    success = "Pieces shipped out. Print the vendor packing slip."

    def run(self, row, form):
        services.outside_ship_out(outside_operation=row, by=self.request.user, **form.cleaned_data)


class ReceiveBackView(_OutsideActionView):
    capability = "receive"
    form_class = ReceiveBackForm
    form_name = "back_form"
    success = "Pieces received back."

    def run(self, row, form):
        services.outside_receive_back(outside_operation=row, by=self.request.user, **form.cleaned_data)


class OutsideOperationEditView(_OutsideActionView):
    capability = "buy"
    form_class = OutsideOperationForm
    form_name = "edit_form"
    success = "Outside operation saved."

    def form_kwargs(self, row):
        return {"instance": OutsideOperation.objects.get(pk=row.pk)}

    def run(self, row, form):
        data = form.cleaned_data
        services.outside_operation_update(outside_operation=row, vendor=data["vendor"], lead_days=data["lead_days"],
                                          estimated_cost=data["estimated_cost"], by=self.request.user)  # fmt: skip


class VendorPackingSlipView(CapabilityRequiredMixin, TemplateView):
    capability = "view_purchasing"
    template_name = "purchasing/vendor_packing_slip.html"

    def get_context_data(self, **kwargs):
        ship_out = selected_or_404(selectors.ship_out_detail, what="ship-out", pk=self.kwargs["pk"])
        return super().get_context_data(ship_out=ship_out, **kwargs)


class CertificateView(CapabilityRequiredMixin, View):
    """A vendor's certificate as it was uploaded: a receipt's material certificate, a return's process one."""

    capability = "view_purchasing"
    model = None

    def get(self, request, pk):
        row = get_object_or_404(self.model, pk=pk)
        if not row.certificate:
            raise Http404(f"This {self.model._meta.verbose_name} has no certificate")
        return FileResponse(row.certificate.open("rb"), content_type="application/pdf",
                            filename=row.certificate_name or "certificate.pdf")  # fmt: skip


class ReceiptCertificateView(CertificateView):
    model = Receipt


class ReturnCertificateView(CertificateView):
    model = VendorReturn
