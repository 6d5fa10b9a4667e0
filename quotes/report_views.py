"""The printable quote and the quote reports (hit rate, values, days to quote; estimate accuracy)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.views.generic import TemplateView

from mto.charts import bar_chart
from mto.pages import selected_or_404
from mto.reports import ReportView
from mto.roles import CapabilityRequiredMixin

from . import reports, selectors


def letterhead() -> dict:
    """The shop's name, address lines, phone and e-mail as settings give them (SHOP_*)."""
    address = [part.strip() for part in settings.SHOP_ADDRESS.split(",") if part.strip()]
    return {"name": settings.SHOP_NAME, "address_lines": address, "phone": settings.SHOP_PHONE,
            "email": settings.SHOP_EMAIL}  # fmt: skip


class QuotePrintView(CapabilityRequiredMixin, TemplateView):
    """The quote as the customer gets it: letterhead, the lines with each break's unit price and total, notes
    and terms. Nothing internal (cost, margin, hours, markup) is in its context's template."""

    capability = "view_quotes"
    template_name = "quotes/quote_print.html"

    def get_context_data(self, **kwargs):
        quote = selected_or_404(selectors.quote_detail, what="quote", pk=self.kwargs["pk"])
        return super().get_context_data(quote=quote, pricing=selectors.quote_pricing(quote=quote),
                                        shop=letterhead(), terms=settings.QUOTE_TERMS, **kwargs)  # fmt: skip


class QuoteOutcomeReportView(ReportView):
    title = "Quotes: hit rate and value"
    slug = "quote-hit-rate"
    template_name = "quotes/report_outcomes.html"
    groups = reports.GROUPS
    columns = ["Sent", "Won", "Declined", "Hit rate (%)", "Quoted value", "Won value", "Won of quoted (%)",
               "Avg days to quote"]  # fmt: skip
    chart_column = 4

    def rows(self, *, group, start, end):
        return reports.quote_outcomes(group=group, start=start, end=end)

    def get_context_data(self, **kwargs):
        rows, group = kwargs.get("rows", []), kwargs.get("group", "")
        by = self.groups.get(group, "")
        # Months run oldest first: the charts show the latest 20, the other groupings the 20 largest.
        top = rows[-20:] if group == "month" else rows[:20]
        kwargs["chart"] = bar_chart([(r[0], r[4]) for r in top], title=f"Hit rate (%) by {by}", fmt="{:,.1f}")
        kwargs["value_chart"] = reports.paired_chart(
            [(r[0], r[5], r[6]) for r in top], title=f"Quoted and won value by {by}", first="Quoted",
            second="Won", fmt="{:,.0f}",
        )  # fmt: skip
        kwargs["days_chart"] = bar_chart([(r[0], r[8]) for r in top], title=f"Average days to quote by {by}",
                                         fmt="{:,.1f}")  # fmt: skip
        return super().get_context_data(**kwargs)


class EstimateAccuracyReportView(ReportView):
    """Actual against estimated hours per work center over the last N days (a choice; the quotes' window,
    settings.QUOTE_ACCURACY_DAYS, by default): what the quote page offers to apply."""

    title = "Estimate accuracy by work center"
    slug = "estimate-accuracy"
    template_name = "quotes/report_accuracy.html"
    groups = {"work_center": "Work center"}
    columns = ["Setup: operations", "Setup: median", "Setup: 80th pct", "Run/pc: operations", "Run/pc: median",
               "Run/pc: 80th pct"]  # fmt: skip
    chart_column = 2
    chart_format = "{:,.2f}"
    DAY_CHOICES = (30, 90, 180, 365, 730)

    def days(self) -> int:
        raw = self.request.GET.get("days", "")
        default = settings.QUOTE_ACCURACY_DAYS
        if not raw:
            return default
        if raw.isdigit() and 1 <= int(raw) <= 3650:
            return int(raw)
        self.error = f"Days must be a whole number from 1 to 3650; showing the last {default}."
        return default

    def period(self):
        self.window = self.days()
        today = timezone.localdate()
        return today - datetime.timedelta(days=self.window), today

    def rows(self, *, group, start, end):
        return reports.accuracy_rows(days=self.window)

    def get_context_data(self, **kwargs):
        rows = kwargs.get("rows", [])
        kwargs["ratio_chart"] = reports.paired_chart(
            [(r[0].split(" - ")[0], r[2], r[5]) for r in rows if r[1] or r[4]],
            title="Median actual / estimated hours by work center", first="Setup", second="Run per piece",
            fmt="{:,.2f}", reference=1.0,
        )  # fmt: skip
        choices = sorted({*self.DAY_CHOICES, settings.QUOTE_ACCURACY_DAYS, self.window})
        return super().get_context_data(days=self.window, day_choices=choices, **kwargs)
