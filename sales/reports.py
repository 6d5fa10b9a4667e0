from mto.reports import ReportView

from . import selectors


class OrderBookReportView(ReportView):
    title = "Open order book"
    slug = "order-book"
    groups = {"customer": "Customer", "month": "Month promised"}
    columns = ["Value to ship", "Pieces to ship", "Orders"]
    chart_format = "{:,.2f}"

    def rows(self, *, group, start, end):
        return selectors.order_book(group=group)
