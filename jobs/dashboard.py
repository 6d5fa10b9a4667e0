"""Floor widgets for the home page (registered in panels.py): each declares its reads (mto.reads; the page runs
every widget's together) and builds its context from their rows; the floor's own two read as they go.

The cost variance of the month is computed here for now (see jobs.selectors for the job cost reads).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from mto import reads
from mto.charts import bar_chart
from mto.widgets import widget

from . import selectors
from .models import Job, Operation, TimeEntry
from .selectors import HOURS, figures
from .workflow import J


@dataclass(frozen=True)
class Variance:
    jobs: int
    estimated: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return selectors.cost_variance(actual=self.actual, baseline=self.estimated)[0]

    @property
    def percent(self) -> Decimal | None:
        return selectors.cost_variance(actual=self.actual, baseline=self.estimated)[1]


def _done_this_month(today=None) -> QuerySet[Job]:
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min))
    # A datetime range (not __date) so the partial index on completed_at serves it.
    return Job.objects.filter(status=J.COMPLETE, completed_at__gte=start, completed_at__lt=end)


def cost_variance_reads(today=None) -> dict:
    """Estimated against actual cost of the jobs completed this month (actual: hours x the rate of the time, plus
    material and outside services from jobs.signals.other_costs_for_jobs, each against its estimate)."""
    done = _done_this_month(today)
    estimated_hours = ExpressionWrapper(
        F("setup_hours") + F("run_hours_per_piece") * F("job__quantity"), output_field=HOURS
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    return {
        "estimated": reads.aggregate(
            Operation.objects.filter(job__in=done),
            v=Sum(estimated_hours * F("work_center__hourly_rate"), output_field=money),
        ),
        # Priced at the rate each time entry carries: a rate change does not rewrite this month's figure. Summed
        # per rate (a few rows), not per job: the widget shows the month's total.
        "actual": selectors.actual_by_queryset(TimeEntry.objects.filter(operation__job__in=done), "hourly_rate"),
        "done": reads.count(done),
    }


def cost_variance_from(rows: dict, today=None) -> Variance:
    estimated = rows["estimated"]["v"] or Decimal(0)
    per_rate = selectors.actual_by_from(rows["actual"], "hourly_rate")
    actual = sum((cost for _, cost in per_rate.values()), Decimal(0))
    done = rows["done"]
    if done:  # the apps that know them, in total: one statement each, the jobs as a subquery
        other_est, other_act = selectors.other_cost_totals_of(_done_this_month(today))
        estimated, actual = estimated + other_est, actual + other_act
    return Variance(done, Decimal(estimated).quantize(Decimal("0.01")), actual.quantize(Decimal("0.01")))


def cost_variance_this_month(today=None) -> Variance:
    return cost_variance_from(reads.fetch(**cost_variance_reads(today)), today)


def orders_at_risk_reads(request) -> dict:
    return {"orders": figures.orders_at_risk_queryset()}


def orders_at_risk_widget(request, *, rows) -> dict:
    risky = rows["orders"]
    return widget("at-risk", "Orders at risk", number=len(risky),
                  note="Promised within a week, with a job late or on hold.",
                  items=[(o.get_absolute_url(), o.number, f"{o.customer.name}, promised {o.promised_date:%Y-%m-%d}")
                         for o in risky], empty="No order is at risk.")  # fmt: skip


def late_jobs_reads(request) -> dict:
    return {"late": figures.late_jobs_with_count_queryset()}


def late_jobs_widget(request, *, rows) -> dict:
    count, late = figures.counted(rows["late"])
    items = [(j.get_absolute_url(), j.number, f"due {j.due_date:%Y-%m-%d}, {j.get_status_display().lower()}")
             for j in late]  # fmt: skip
    return widget("late-jobs", "Late jobs", number=count, items=items,
                  empty="No job is late.", link="/jobs/?late=true")  # fmt: skip


def short_jobs_reads(request) -> dict:
    return {"short": figures.short_jobs_queryset()}


def short_jobs_widget(request, *, rows) -> dict:
    count, jobs = figures.counted(rows["short"])
    items = [(j.get_absolute_url(), j.number, f"{j.quantity_completed} good of {j.quantity}, completed "
              f"{timezone.localtime(j.completed_at):%Y-%m-%d}") for j in jobs]  # fmt: skip
    return widget("short-jobs", "Short jobs", number=count, items=items,
                  note=f"Completed with fewer good pieces than ordered, last {selectors.SHORT_JOB_DAYS} days.",
                  empty="No job completed short.")  # fmt: skip


def work_in_progress_reads(request) -> dict:
    return {"counts": figures.wip_by_status_queryset()}


def work_in_progress_widget(request, *, rows) -> dict:
    counts = figures.wip_by_status_from(rows["counts"])
    return widget("wip", "Work in progress", chart=bar_chart(counts, title="Open jobs by status"))


def cost_variance_widget_reads(request) -> dict:
    return cost_variance_reads()


def cost_variance_widget(request, *, rows) -> dict:
    v = cost_variance_from(rows)
    note = f"{v.jobs} job(s) completed this month: estimated {v.estimated:,.2f}, actual {v.actual:,.2f}."
    shown = "—" if v.percent is None else f"{v.percent:+}%"
    return widget("variance", "Cost variance this month", number=shown, note=note)


def work_center_load_reads(request) -> dict:
    return {"cells": figures.work_center_load_by_week_queryset(today=timezone.localdate())}


def work_center_load_widget(request, *, rows) -> dict:
    headers, weekly = figures.work_center_load_by_week_from(rows["cells"], today=timezone.localdate())
    # The same open operations as selectors.work_center_load, so each center's load is its weeks' sum (one
    # query for the chart and the table).
    load = [(code, sum(hours, Decimal(0))) for code, *hours in weekly]
    return widget("load", "Work center load, next 4 weeks",
                  note="Estimated hours still to do on open jobs due within four weeks.",
                  chart=bar_chart(load, title="Remaining hours by work center", unit=" h"),
                  table={"headers": ["Work center", *headers], "rows": weekly})  # fmt: skip


def _tablet_work_center(request):
    """Looked up once per request: the queue and the jobs-on-hold widgets both use it."""
    if not hasattr(request, "_jobs_floor_work_center"):
        code = request.session.get("floor_work_center")
        request._jobs_floor_work_center = selectors.work_center_by_code(code=code)
    return request._jobs_floor_work_center


def floor_queue_widget(request) -> dict | None:
    """The queue of the work center this tablet last picked on the floor board (none picked: no widget)."""
    center = _tablet_work_center(request)
    if not center:
        return None
    queue = selectors.work_center_queue(work_center=center)[:8]
    return widget("queue", f"Queue at {center.name}", number=len(queue),
                  items=[(op.job.get_floor_url(), f"{op.job.number} · op {op.sequence}",
                          f"{op.description}, due {op.job.due_date:%Y-%m-%d}") for op in queue],
                  empty="Nothing queued.", link="/jobs/floor/", link_label="Open the board")  # fmt: skip


def jobs_on_hold_widget(request) -> dict:
    held = selectors.jobs_on_hold(work_center=_tablet_work_center(request))
    return widget("held", "Jobs on hold", number=len(held),
                  items=[(j.get_floor_url(), j.number, j.hold_reason) for j in held],
                  empty="No job is on hold.")  # fmt: skip
