import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from mto.charts import percent
from mto.reports import ReportView

from .models import Job, LaborEntry, Operation, TimeEntry
from .selectors import actual_by, other_cost_totals, other_costs

GROUP_KEYS = {
    "job": "job__number",
    "item": "job__part_number",
    "customer": "job__sales_order__customer__name",
    "work_center": "work_center__code",
}
HOURS = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=16, decimal_places=2)
TWO = Decimal("0.01")


def job_cost(*, group: str, start, end) -> list[list]:
    """Jobs completed in the period: estimated against actual hours and cost, variance, scrap rate.

    Cost is labor plus what the jobs cost besides (material, outside services: jobs.signals.other_costs_for_jobs),
    each against its estimate. Grouped by work center it is labor only: material and services are the job's,
    not a work center's."""
    key = GROUP_KEYS[group]
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    jobs = Job.objects.filter(status=Job.Status.COMPLETE, completed_at__gte=since, completed_at__lt=until)
    estimated_hours = ExpressionWrapper(
        F("setup_hours") + F("run_hours_per_piece") * F("job__quantity"), output_field=HOURS
    )
    planned = (
        Operation.objects.filter(job__in=jobs)
        .values(key)
        .annotate(
            est_hours=Sum(estimated_hours),
            est_cost=Sum(
                estimated_hours * F("work_center__hourly_rate"),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
            good=Sum("good_qty"),
            scrap=Sum("scrap_qty"),
        )
    )
    # Actual cost at the rate each time entry carries (the rate when the work was done).
    actual = actual_by(TimeEntry.objects.filter(operation__job__in=jobs), "operation__" + key)
    # Operators' labor (kiosk tablets) on top, each entry at the operator's rate then; hours stay machine hours.
    labor = actual_by(LaborEntry.objects.filter(operation__job__in=jobs), "operation__" + key)
    others: dict = {}
    if group != "work_center":
        listed = list(jobs.values_list("pk", key.removeprefix("job__")))
        costs = other_costs([Job(pk=pk) for pk, _name in listed])
        for pk, name in listed:
            est, act = other_cost_totals(costs[pk])
            before = others.get(name, (Decimal(0), Decimal(0)))
            others[name] = (before[0] + est, before[1] + act)
    result = []
    for row in planned:
        name = row[key]
        other_est, other_act = others.get(name, (Decimal(0), Decimal(0)))
        est_cost = ((row["est_cost"] or Decimal(0)) + other_est).quantize(TWO)
        hours, cost = actual.get(name, (Decimal(0), Decimal(0)))
        act_cost = (cost + labor.get(name, (0, Decimal(0)))[1] + other_act).quantize(TWO)
        result.append([
            name, Decimal(row["est_hours"] or 0).quantize(TWO), hours.quantize(TWO), est_cost, act_cost,
            act_cost - est_cost, percent(row["scrap"], (row["good"] or 0) + (row["scrap"] or 0)),
        ])  # fmt: skip
    return sorted(result, key=lambda r: -r[5])


class JobCostReportView(ReportView):
    title = "Job cost: estimated against actual"
    slug = "job-cost"
    groups = {"job": "Job", "item": "Item", "customer": "Customer", "work_center": "Work center"}
    columns = ["Est. hours", "Actual hours", "Est. cost", "Actual cost", "Variance", "Scrap rate (%)"]
    chart_column = 5

    def rows(self, *, group, start, end):
        return job_cost(group=group, start=start, end=end)
