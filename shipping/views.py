from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView, TemplateView

from mto import panels
from mto.forms import TransitionView, apply_service_errors, refuse_unless_editable
from mto.idempotency import already_sent, new_token, submit_once
from mto.lists import FilteredListView
from mto.pages import selected_or_404
from mto.pagination import CappedPaginator
from mto.roles import CapabilityRequiredMixin
from sales.models import SalesOrder

from . import selectors, services
from .filters import ShipmentFilter
from .forms import ShipmentForm
from .models import Shipment
from .workflow import SHIPMENT, available_transitions


class ReadyToShipView(CapabilityRequiredMixin, ListView):
    capability = "view_shipments"
    template_name = "shipping/ready_to_ship.html"
    context_object_name = "lines"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return selectors.ready_to_ship()


class ShipmentListView(FilteredListView):
    capability = "view_shipments"
    template_name = "shipping/shipment_list.html"
    context_object_name = "shipments"
    filterset_class = ShipmentFilter
    base_queryset = selectors.shipment_list_queryset
    csv_filename = "shipments.csv"
    csv_header = ["shipment", "status", "order", "customer", "carrier", "service", "tracking", "packages",
                  "weight_kg", "pieces", "shipped_at"]  # fmt: skip

    def csv_row(self, s):
        return [s.number, s.get_status_display(), s.order.number, s.order.customer.name, s.carrier, s.service,
                s.tracking_number, s.packages, s.weight_kg or "", s.pieces,
                s.shipped_at.isoformat() if s.shipped_at else ""]  # fmt: skip


class ShipmentFormView(CapabilityRequiredMixin, TemplateView):
    """Create a draft from an order's produced pieces (pre-filled), or edit a draft."""

    capability = "ship"
    template_name = "shipping/shipment_form.html"
    shipment = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.shipment = get_object_or_404(Shipment, pk=kwargs["pk"])
            self.order = self.shipment.order
            refused = refuse_unless_editable(
                request, self.shipment, capability="ship", editable=self.shipment.is_editable,
                message=f"{self.shipment.number} is not a draft; it is read-only.",
            )  # fmt: skip
            if refused:
                return refused
        else:
            orders = SalesOrder.objects.select_related("customer", "ship_to")
            self.order = get_object_or_404(orders, pk=kwargs["order"])
        return super().dispatch(request, *args, **kwargs)

    def form(self):
        lines = selectors.order_lines_to_ship(order=self.order)
        if self.shipment:
            current = selectors.shipment_quantities(shipment=self.shipment)
            for line in lines:
                line.initial_quantity = current.get(line.pk, 0)
        address = self.order.ship_to.address if self.order.ship_to_id else self.order.customer.billing_address
        initial = {} if self.shipment else {"ship_to": address}
        data = self.request.POST if self.request.method == "POST" else None
        return ShipmentForm(data, instance=self.shipment or Shipment(), initial=initial, lines=lines)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        kwargs.update(order=self.order, shipment=self.shipment)  # replaces the URL's order id
        kwargs.setdefault("submit_token", new_token())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if not self.shipment and (url := already_sent(request)):
            messages.info(request, "This shipment was already sent; here it is.")
            return redirect(url)
        form = self.form()
        if form.is_valid():
            try:
                if self.shipment:
                    shipment = services.shipment_update(
                        shipment=self.shipment, lines=form.line_quantities(), by=request.user, **form.header()
                    )
                else:
                    url, created = submit_once(
                        request,
                        lambda: services.shipment_create(
                            order=self.order, lines=form.line_quantities(), by=request.user, **form.header()
                        ),
                    )
                    if not created:
                        messages.info(request, "This shipment was already sent; here it is.")
                        return redirect(url)
                    messages.success(request, "Saved as a draft. Print the packing slip, then ship it.")
                    return redirect(url)
                messages.success(request, f"{shipment.number} saved as a draft. Print the packing slip, then ship it.")
                return redirect(shipment)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ShipmentDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_shipments"
    template_name = "shipping/shipment_detail.html"
    with_panels = True  # the printed papers below show none

    def get_context_data(self, **kwargs):
        shipment = selected_or_404(selectors.shipment_detail, what="shipment", pk=self.kwargs["pk"])
        if self.with_panels:  # quality's trace and certificate pack
            kwargs["panels"] = panels.render(self.request, page="shipment-detail", shipment=shipment)
        return super().get_context_data(
            shipment=shipment, transitions=available_transitions(shipment, self.request.user), **kwargs
        )


class PackingSlipView(ShipmentDetailView):
    with_panels = False
    template_name = "shipping/packing_slip.html"


class CertificateView(ShipmentDetailView):
    """The plain certificate of conformance: what shipping can see (lines, jobs, material heats). Inspection lives
    above shipping, so this certificate states none; quality's certificate pack does, from its records."""

    template_name = "shipping/certificate.html"
    with_panels = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = selectors.certificate_lines(shipment=context["shipment"])
        return context


class BillOfLadingView(ShipmentDetailView):
    with_panels = False
    template_name = "shipping/bill_of_lading.html"


class ShipmentTransitionView(TransitionView):
    capability = "view_shipments"
    lifecycle = SHIPMENT
    model = Shipment

    def run(self, shipment, transition, *, by, form):
        services.shipment_transition(
            shipment=shipment, name=transition.name, by=by, reason=form.cleaned_data["reason"]
        )
