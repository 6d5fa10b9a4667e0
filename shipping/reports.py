from mto.reports import ReportView

from . import selectors


class OnTimeReportView(ReportView):
    title = "On-time delivery"
    slug = "on-time-delivery"
    groups = {"customer": "Customer", "month": "Month"}
    columns = ["On time (%)", "Orders shipped", "On time"]

    def rows(self, *, group, start, end):
        return selectors.on_time_delivery(group=group, start=start, end=end)
