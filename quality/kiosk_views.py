"""NCRs opened on a kiosk tablet (issue 21): the operator badged in opens one from scrap they see reported at the
tablet's work center; the NCR records them as its opener."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from jobs.kiosk_views import KioskMixin

from .views import NcrFromScrapView


class KioskNcrFromScrapView(KioskMixin, NcrFromScrapView):
    template_name = "quality/kiosk_ncr_open.html"

    def source(self):
        src = super().source()
        if src["operation"].work_center_id != self.request.kiosk.work_center_id:
            raise PermissionDenied(f"Op {src['operation'].sequence} is not at {self.request.kiosk.work_center.code}.")
        return src

    def get_context_data(self, **kwargs):
        return super().get_context_data(device=self.request.kiosk, **kwargs)

    def post(self, request, pk):
        response = super().post(request, pk)
        if response.status_code == 302:  # opened: back to the job on the kiosk (the NCR page is the office's)
            return redirect(reverse("kiosk:job", args=[self.source()["job"].pk]))
        return response
