from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum

from mto.reports import ReportView

from .models import SalesOrderLine
from .workflow import OPEN_STATUSES

LEFT = F("quantity") - F("quantity_shipped")


def order_book(*, group: str) -> list[list]:
    """Open order book: value still to ship and pieces still to ship, by customer or by month promised."""
    money = DecimalField(max_digits=16, decimal_places=2)
    key = {"customer": "order__customer__name", "month": "order__promised_date__month"}[group]
    rows = (
        SalesOrderLine.objects.filter(order__status__in=OPEN_STATUSES, is_cancelled=False)
        .values(key)
        .annotate(
            value=Sum(
                ExpressionWrapper((F("quantity") - F("quantity_shipped")) * F("unit_price"), output_field=money)
            ),
            pieces=Sum(LEFT),
            orders=Count("order", distinct=True),
        )
        .order_by("-value")
    )
    cents = Decimal("0.01")
    return [[row[key], Decimal(row["value"] or 0).quantize(cents), row["pieces"], row["orders"]] for row in rows]


class OrderBookReportView(ReportView):
    title = "Open order book"
    slug = "order-book"
    groups = {"customer": "Customer", "month": "Month promised"}
    columns = ["Value to ship", "Pieces to ship", "Orders"]
    chart_format = "{:,.2f}"

    def rows(self, *, group, start, end):
        return order_book(group=group)
