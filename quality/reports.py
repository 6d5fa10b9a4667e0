"""The quality reports (Quality and Managers): scrap and NCR Pareto, cost of poor quality per month, first-pass
yield per work center. Each aggregates in SQL: a fixed number of queries whatever the period holds.

What the figures are:
- Scrap pieces: the pieces reported as scrap on the floor (jobs' scrap reports, their reason and who reported
  them) in the period. NCRs: the non-conformance reports opened in the period, their pieces and their cost (the
  labor and material in the pieces, made final at the disposition: see quality.services.ncrs).
- Cost of poor quality: the NCRs' cost by the month they were opened, with the month's scrap pieces and how many
  of those no NCR accounts for (their cost is not known until an NCR is opened for them).
- First-pass yield of a work center: the pieces good the first time over the pieces it handled (good and scrap
  reported on its time entries started in the period, rework operations left out: their pieces were handled
  once already); not good the first time: the scrap, and the pieces of its NCRs that went on only after a rework
  or a customer's concession.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jobs.models import ScrapRecord, TimeEntry
from mto.charts import bar_chart, percent
from mto.reports import ReportView

from .models import NonConformance

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)
NONE = "(none)"

# group -> (scrap report fields, NCR fields): the values that name the group, in the same order.
GROUPS = {"reason": "Reason", "work_center": "Work center", "item": "Item", "customer": "Customer",
          "operator": "Operator"}  # fmt: skip
SCRAP_KEYS = {
    "reason": ("reason",),
    "work_center": ("operation__work_center__code",),
    "item": ("operation__job__part_number", "operation__job__part_revision"),
    "customer": ("operation__job__sales_order__customer__name",),
    "operator": ("by__username", "by__first_name", "by__last_name"),
}
NCR_KEYS = {
    "reason": ("reason",),
    "work_center": ("work_center__code",),
    "item": ("job__part_number", "job__part_revision"),
    "customer": ("job__sales_order__customer__name",),
    "operator": ("opened_by__username", "opened_by__first_name", "opened_by__last_name"),
}


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _between(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__gte": _aware(start), f"{field}__lt": _aware(end + datetime.timedelta(days=1))})


def _label(group: str, values: tuple) -> str:
    if group == "item":
        part, rev = values
        return f"{part} rev {rev}" if rev else (part or NONE)
    if group == "operator":
        username, first, last = values
        return f"{first} {last}".strip() or username or NONE
    return values[0] or NONE


def pareto(*, group: str, start: datetime.date, end: datetime.date) -> list[list]:
    """Per group: scrap pieces, NCRs, NCR pieces, NCR cost, share of the scrap (%) and its cumulative share (%),
    the largest scrap first (a Pareto). Two queries."""
    scrap_keys, ncr_keys = SCRAP_KEYS[group], NCR_KEYS[group]
    rows: dict[str, list] = {}
    scrap = ScrapRecord.objects.filter(_between("at", start, end)).values(*scrap_keys).annotate(pieces=Sum("quantity"))
    for row in scrap.order_by():
        label = _label(group, tuple(row[k] for k in scrap_keys))
        rows.setdefault(label, [label, 0, 0, 0, Decimal(0)])[1] += row["pieces"] or 0
    ncrs = (
        NonConformance.objects.filter(_between("opened_at", start, end))
        .values(*ncr_keys)
        .annotate(
            n=Count("id"), pieces=Sum("quantity"), cost=Sum(F("labor_cost") + F("material_cost"), output_field=MONEY)
        )
    )
    for row in ncrs.order_by():
        label = _label(group, tuple(row[k] for k in ncr_keys))
        entry = rows.setdefault(label, [label, 0, 0, 0, Decimal(0)])
        entry[2] += row["n"]
        entry[3] += row["pieces"] or 0
        entry[4] += row["cost"] or Decimal(0)
    ordered = sorted(rows.values(), key=lambda r: (-r[1], -r[4], r[0]))
    total = sum(r[1] for r in ordered)
    running = 0
    result = []
    for label, pieces, n, ncr_pieces, cost in ordered:
        running += pieces
        result.append(
            [label, pieces, n, ncr_pieces, cost.quantize(CENT), percent(pieces, total), percent(running, total)]
        )
    return result


def _month(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def cost_of_poor_quality(*, start: datetime.date, end: datetime.date) -> list[list]:
    """Per month: NCRs, their pieces, labor, material, total cost; scrap pieces, and scrap pieces no NCR accounts
    for. Months oldest first. Two queries."""
    months: dict[datetime.date, list] = {}
    ncrs = (
        NonConformance.objects.filter(_between("opened_at", start, end))
        .annotate(month=TruncMonth("opened_at"))
        .values("month")
        .annotate(n=Count("id"), pieces=Sum("quantity"), labor=Sum("labor_cost"), material=Sum("material_cost"))
    )
    for row in ncrs.order_by():
        month = (
            timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime.datetime) else row["month"]
        )
        months[month] = [row["n"], row["pieces"] or 0, row["labor"] or Decimal(0), row["material"] or Decimal(0), 0, 0]
    scrap = (
        ScrapRecord.objects.filter(_between("at", start, end))
        .annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(pieces=Sum("quantity"), without=Sum("quantity", filter=Q(ncr__isnull=True)))
    )
    for row in scrap.order_by():
        month = (
            timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime.datetime) else row["month"]
        )
        entry = months.setdefault(month, [0, 0, Decimal(0), Decimal(0), 0, 0])
        entry[4], entry[5] = row["pieces"] or 0, row["without"] or 0
    return [
        [f"{month:%Y-%m}", n, pieces, labor.quantize(CENT), material.quantize(CENT), (labor + material).quantize(CENT),
         scrap, without]
        for month, (n, pieces, labor, material, scrap, without) in sorted(months.items())
    ]  # fmt: skip


def first_pass_yield(*, start: datetime.date, end: datetime.date) -> list[list]:
    """Per work center: pieces handled, scrap, pieces that went on only after a rework or a concession, pieces good
    the first time, first-pass yield (%). Two queries."""
    handled = (
        TimeEntry.objects.filter(_between("started_at", start, end))
        .filter(operation__rework_of_ncr__isnull=True)  # a rework's pieces are counted at their first pass
        .values("operation__work_center__code", "operation__work_center__name")
        .annotate(good=Sum("good_qty"), scrap=Sum("scrap_qty"))
    )
    kept = dict(
        NonConformance.objects.filter(_between("opened_at", start, end))
        .filter(disposition__in=[NonConformance.Disposition.REWORK, NonConformance.Disposition.USE_AS_IS])
        .values("work_center__code")
        .annotate(pieces=Sum("quantity"))
        .order_by()
        .values_list("work_center__code", "pieces")
    )
    rows = []
    for row in handled.order_by():
        code = row["operation__work_center__code"]
        good, scrap = row["good"] or 0, row["scrap"] or 0
        started = good + scrap
        if not started:
            continue
        again = min(kept.get(code, 0), good)
        first_time = good - again
        rows.append([f"{code} - {row['operation__work_center__name']}", started, scrap, again, first_time,
                     percent(first_time, started)])  # fmt: skip
    return sorted(rows, key=lambda r: (r[5] if r[5] is not None else Decimal(101), r[0]))


# --- charts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoBar:
    label: str
    display: str
    x: float
    y: float
    height: float
    cumulative: str
    point: str  # "x,y" of the cumulative line at this bar


def pareto_chart(rows, *, title: str, limit: int = 12) -> dict:
    """rows: (label, value, cumulative %) largest first. What quality/partials/pareto_chart.html draws: a column
    per group, scaled to the largest, and the cumulative share as a line on a 0-100 % scale."""
    rows = [(str(label), float(value or 0), float(cum or 0)) for label, value, cum in rows[:limit]]
    top = max((v for _, v, _ in rows), default=0) or 1.0
    plot_h, base, step = 180.0, 200.0, 40.0
    bars = []
    for i, (label, value, cum) in enumerate(rows):
        x = 40 + i * step
        h = value / top * plot_h
        bars.append(ParetoBar(label, f"{value:,.0f}", x, base - h, h, f"{cum:.0f}%",
                              f"{x + 14:.1f},{base - cum / 100 * plot_h:.1f}"))  # fmt: skip
    return {
        "title": title,
        "bars": bars,
        # At least a dozen columns' width, so a chart of two bars is drawn at the same scale as one of twelve,
        # and a right margin for the cumulative scale's labels.
        "width": max(100 + step * len(bars), 100 + step * limit),
        "line": " ".join(b.point for b in bars),
    }


# --- pages -----------------------------------------------------------------------------------------------------


class QualityReportView(ReportView):
    capability = "view_quality_reports"


class ParetoReportView(QualityReportView):
    title = "Scrap and NCRs: Pareto"
    slug = "quality-pareto"
    template_name = "quality/report_pareto.html"
    groups = GROUPS
    columns = ["Scrap pieces", "NCRs", "NCR pieces", "NCR cost", "Share of scrap (%)", "Cumulative (%)"]
    chart_column = 1
    chart_format = "{:,.0f}"

    def rows(self, *, group, start, end):
        return pareto(group=group, start=start, end=end)

    def get_context_data(self, **kwargs):
        rows, by = kwargs.get("rows", []), self.groups.get(kwargs.get("group", ""), "")
        kwargs["pareto"] = pareto_chart([(r[0], r[1], r[6]) for r in rows if r[1]], title=f"Scrap pieces by {by}")
        by_cost = sorted((r for r in rows if r[4]), key=lambda r: -r[4])[:20]
        kwargs["cost_chart"] = bar_chart([(r[0], r[4]) for r in by_cost], title=f"NCR cost by {by}", fmt="{:,.2f}")
        return super().get_context_data(**kwargs)


class _Months(QualityReportView):
    def period(self):
        start, end = super().period()
        if not self.request.GET.get("from") and not self.error:
            today = timezone.localdate()
            first = today.replace(day=1)
            start = (first - datetime.timedelta(days=335)).replace(day=1)  # the last twelve months
        return start, end


class CostOfPoorQualityReportView(_Months):
    title = "Cost of poor quality by month"
    slug = "cost-of-poor-quality"
    groups = {"month": "Month"}
    columns = ["NCRs", "NCR pieces", "Labor", "Material", "Cost of poor quality", "Scrap pieces",
               "Scrap pieces without an NCR"]  # fmt: skip
    chart_column = 5
    chart_format = "{:,.2f}"

    def rows(self, *, group, start, end):
        return cost_of_poor_quality(start=start, end=end)


class FirstPassYieldReportView(QualityReportView):
    title = "First-pass yield by work center"
    slug = "first-pass-yield"
    groups = {"work_center": "Work center"}
    columns = ["Pieces handled", "Scrap", "Went on after rework or concession", "Good first time",
               "First-pass yield (%)"]  # fmt: skip
    chart_column = 5
    chart_format = "{:,.1f}"

    def get_context_data(self, **kwargs):
        rows = kwargs.get("rows", [])
        kwargs["chart"] = bar_chart([(r[0].split(" - ")[0], r[5]) for r in rows[:20]], title="First-pass yield (%) by "
                                    "work center", unit=" %", max_value=100, fmt="{:,.1f}")  # fmt: skip
        return super().get_context_data(**kwargs)

    def rows(self, *, group, start, end):
        return first_pass_yield(start=start, end=end)
