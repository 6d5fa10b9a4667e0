"""A report page: filters, a table, a chart of its main figure, and the same rows as CSV."""

import datetime

from django.utils import timezone
from django.views.generic import TemplateView

from .charts import bar_chart
from .lists import csv_response
from .roles import CapabilityRequiredMixin


class ReportView(CapabilityRequiredMixin, TemplateView):
    capability = "view_reports"
    template_name = "reports/report.html"
    title = ""
    groups: dict[str, str] = {}  # choice -> label
    columns: list[str] = []
    chart_column = 1  # index of the figure drawn as bars

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        start, end = today.replace(day=1), today
        try:
            start = datetime.date.fromisoformat(self.request.GET.get("from") or start.isoformat())
            end = datetime.date.fromisoformat(self.request.GET.get("to") or end.isoformat())
        except ValueError:
            self.error = "Dates must look like 2026-11-01; showing this month."
            start, end = today.replace(day=1), today
        return start, end

    def group(self) -> str:
        choice = self.request.GET.get("group", "")
        return choice if choice in self.groups else next(iter(self.groups), "")

    def rows(self, *, group: str, start, end) -> list[list]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.error = ""
        start, end = self.period()
        group = self.group()
        rows = self.rows(group=group, start=start, end=end)
        if request.GET.get("format") == "csv":
            filename = f"{self.slug}-{start}-{end}.csv"
            return csv_response(filename=filename, header=self.headers(group), rows=rows, stream=False)
        chart_rows = [(row[0], row[self.chart_column] or 0) for row in rows[:20]]
        chart_title = f"{self.headers(group)[self.chart_column]} by {self.groups.get(group, '')}"
        context = self.get_context_data(
            title=self.title, rows=rows, headers=self.headers(group), start=start, end=end, group=group,
            groups=self.groups, error=self.error, query=request.GET.urlencode(),
            chart=bar_chart(chart_rows, title=chart_title, fmt=self.chart_format),
        )  # fmt: skip
        return self.render_to_response(context)

    chart_format = "{:,.1f}"
    slug = "report"

    def headers(self, group: str) -> list[str]:
        return [self.groups.get(group, "Group"), *self.columns]
