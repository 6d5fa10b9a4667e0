"""Pages of traceability: a shipment's trace, its certificate pack (a PDF download), and the recall search by heat
or lot number (which also finds a shipment's trace by its number)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin
from shipping.models import Shipment

from . import pack, trace

LOT_MAX = 60  # purchasing's lot_number field


class ShipmentTraceView(CapabilityRequiredMixin, TemplateView):
    """Back from a shipment to every heat, certificate, inspection result, operator and work center."""

    capability = "trace_shipments"
    template_name = "quality/trace_shipment.html"

    def get_context_data(self, **kwargs):
        found = selected_or_404(trace.shipment_trace, what="shipment", pk=self.kwargs["pk"])
        return super().get_context_data(trace=found, shipment=found.shipment, statements=pack.coc_statements(found),
                                        **kwargs)  # fmt: skip


class CertificatePackView(CapabilityRequiredMixin, View):
    """The certificate pack as one PDF: the CoC from the records, the vendors' certificates behind it."""

    capability = "print_certificate_packs"

    def get(self, request, pk):
        found = selected_or_404(trace.shipment_trace, what="shipment", pk=pk)
        response = HttpResponse(pack.certificate_pack_pdf(found), content_type="application/pdf")
        name = f"certificate-pack-{found.shipment.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class RecallView(CapabilityRequiredMixin, TemplateView):
    """A heat or lot number forward to every job and shipment holding it; or a shipment number to its trace."""

    capability = "trace_shipments"
    template_name = "quality/recall.html"

    def get(self, request, *args, **kwargs):
        number = request.GET.get("shipment", "").strip().upper()
        if number:
            shipment = Shipment.objects.filter(number=number).only("pk").first()
            if shipment:
                return redirect("quality:trace-shipment", pk=shipment.pk)
            messages.warning(request, f"No shipment {number[:20]}.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        lot = self.request.GET.get("lot", "").strip()
        error = ""
        if len(lot) > LOT_MAX:
            error, lot = f"A heat or lot number has at most {LOT_MAX} characters.", ""
        found = trace.lot_trace(lot=lot) if lot else None
        return super().get_context_data(lot=lot, found=found, error=error, **kwargs)
