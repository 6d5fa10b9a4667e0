"""Quality on a kiosk tablet (issue 21): the operator badged in records the in-process inspections of the
operations at the tablet's work center (the results record them as the inspector), and opens an NCR from scrap or
failed results there (the NCR records them as its opener). Only operations at the tablet's work center."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from jobs.kiosk_views import KioskMixin

from .views import InspectView, NcrFromInspectionView, NcrFromScrapView


def _here(request, operation) -> None:
    if operation.work_center_id != request.kiosk.work_center_id:
        raise PermissionDenied(f"Op {operation.sequence} is not at {request.kiosk.work_center.code}.")


class KioskInspectView(KioskMixin, InspectView):
    """The inspection sheet of an operation at this work center (operators hold record_inspections)."""

    template_name = "quality/kiosk_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _here(self.request, context["op"])
        return {**context, "device": self.request.kiosk}

    def post(self, request, pk):
        from jobs.models import Operation

        _here(request, Operation.objects.only("work_center_id", "sequence").get(pk=pk))
        response = super().post(request, pk)
        if response.status_code == 302:  # recorded: the kiosk's sheet again (the office's is not this tablet's)
            return redirect(reverse("kiosk-quality:inspect", args=[pk]))
        return response


class KioskNcrMixin(KioskMixin):
    """An NCR opened on the kiosk: only at the tablet's work center, and back to the job on the kiosk once opened
    (the NCR page is the office's)."""

    template_name = "quality/kiosk_ncr_open.html"

    def source(self):
        src = super().source()
        _here(self.request, src["operation"])
        return src

    def get_context_data(self, **kwargs):
        return super().get_context_data(device=self.request.kiosk, **kwargs)

    def post(self, request, pk):
        response = super().post(request, pk)
        if response.status_code == 302:
            return redirect(reverse("kiosk:job", args=[self.source()["job"].pk]))
        return response


class KioskNcrFromInspectionView(KioskNcrMixin, NcrFromInspectionView):
    pass


class KioskNcrFromScrapView(KioskNcrMixin, NcrFromScrapView):
    pass
