from django.db.models import Min
from django.utils import timezone

from mto.charts import percent
from mto.reports import ReportView
from sales.models import SalesOrderStatusChange


def on_time_delivery(*, group: str, start, end) -> list[list]:
    """Orders fully shipped in the period: how many, how many on or before their promised date, the rate."""
    rows = (
        SalesOrderStatusChange.objects.filter(to_status="shipped")
        .values("order_id", "order__promised_date", "order__customer__name")
        .annotate(at=Min("changed_at"))
        .filter(at__date__gte=start, at__date__lte=end)
    )
    groups: dict[str, list[int]] = {}
    for row in rows:
        day = timezone.localtime(row["at"]).date()
        key = row["order__customer__name"] if group == "customer" else day.strftime("%Y-%m")
        counts = groups.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += 1 if row["order__promised_date"] is None or day <= row["order__promised_date"] else 0
    return [[key, percent(on_time, total), total, on_time] for key, (total, on_time) in sorted(groups.items())]


class OnTimeReportView(ReportView):
    title = "On-time delivery"
    slug = "on-time-delivery"
    groups = {"customer": "Customer", "month": "Month"}
    columns = ["On time (%)", "Orders shipped", "On time"]

    def rows(self, *, group, start, end):
        return on_time_delivery(group=group, start=start, end=end)
