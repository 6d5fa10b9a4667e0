"""Floor figures for the home page: late work, work in progress, cost variance, work center load."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.dispatch import receiver
from django.utils import timezone

from mto.charts import bar_chart
from mto.signals import home_panels
from mto.widgets import widget
from sales.models import SalesOrder
from sales.workflow import OPEN_STATUSES as OPEN_ORDER_STATUSES

from . import selectors
from .models import Job, Operation, TimeEntry, WorkCenter
from .workflow import OPEN, J, O

HOURS = DecimalField(max_digits=14, decimal_places=3)


def late_jobs(today=None) -> list[Job]:
    today = today or timezone.localdate()
    return list(Job.objects.filter(status__in=OPEN, due_date__lt=today).order_by("due_date", "id")[:10])


def late_job_count(today=None) -> int:
    return Job.objects.filter(status__in=OPEN, due_date__lt=today or timezone.localdate()).count()


def orders_at_risk(today=None) -> list[SalesOrder]:
    """Open orders promised within a week with a job late or on hold."""
    today = today or timezone.localdate()
    troubled = Job.objects.filter(sales_order=OuterRef("pk")).filter(
        Q(status=J.ON_HOLD) | Q(status__in=OPEN, due_date__lt=today)
    )
    return list(
        SalesOrder.objects.filter(
            status__in=OPEN_ORDER_STATUSES, promised_date__lte=today + datetime.timedelta(days=7)
        )
        .filter(Exists(troubled))
        .select_related("customer")
        .order_by("promised_date", "id")[:10]
    )


def wip_by_status() -> list[tuple[str, int]]:
    counts = dict(Job.objects.filter(status__in=OPEN).values_list("status").annotate(n=Count("id")))
    return [(label, counts.get(value, 0)) for value, label in Job.Status.choices if value in OPEN]


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


def cost_variance_this_month(today=None) -> Variance:
    """Estimated against actual cost of the jobs completed this month (actual: hours x the rate of the time)."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min))
    # A datetime range (not __date) so the partial index on completed_at serves it.
    done = Job.objects.filter(status=J.COMPLETE, completed_at__gte=start, completed_at__lt=end)
    estimated_hours = ExpressionWrapper(
        F("setup_hours") + F("run_hours_per_piece") * F("job__quantity"), output_field=HOURS
    )
    estimated = Operation.objects.filter(job__in=done).aggregate(
        v=Sum(
            estimated_hours * F("work_center__hourly_rate"), output_field=DecimalField(max_digits=16, decimal_places=2)
        )
    )["v"] or Decimal(0)
    # Priced at the rate each time entry carries: a rate change does not rewrite this month's figure.
    per_job = selectors.actual_by(TimeEntry.objects.filter(operation__job__in=done), "operation__job")
    actual = sum((cost for _, cost in per_job.values()), Decimal(0))
    return Variance(done.count(), Decimal(estimated).quantize(Decimal("0.01")), actual.quantize(Decimal("0.01")))


def _remaining_hours():
    return ExpressionWrapper(
        F("setup_hours") + F("run_hours_per_piece") * (F("job__quantity") - F("good_qty") - F("scrap_qty")),
        output_field=HOURS,
    )


def _open_operations(today, weeks):
    return Operation.objects.filter(
        status__in=[O.PENDING, O.RUNNING, O.PAUSED],
        job__status__in=OPEN,
        job__due_date__lte=today + datetime.timedelta(weeks=weeks),
    )


def work_center_load(today=None, weeks: int = 4) -> list[tuple[str, Decimal]]:
    """Estimated hours still to do per work center on open jobs due within the next weeks."""
    today = today or timezone.localdate()
    rows = (
        _open_operations(today, weeks)
        .values("work_center__code")
        .annotate(hours=Sum(_remaining_hours()))
        .order_by("work_center__code")
    )
    return [(row["work_center__code"], row["hours"] or Decimal(0)) for row in rows]


def work_center_load_by_week(today=None, weeks: int = 4) -> tuple[list[str], list[list]]:
    """The same hours split by the week the job is due in (week 1 includes everything already late)."""
    today = today or timezone.localdate()
    week = Case(
        *[When(job__due_date__lte=today + datetime.timedelta(weeks=n), then=Value(n)) for n in range(1, weeks + 1)],
        output_field=IntegerField(),
    )
    cells = (
        _open_operations(today, weeks)
        .annotate(week=week)
        .values("work_center__code", "week")
        .annotate(hours=Sum(_remaining_hours()))
        .order_by("work_center__code", "week")
    )
    table: dict[str, list] = {}
    for cell in cells:
        row = table.setdefault(cell["work_center__code"], [Decimal(0)] * weeks)
        row[cell["week"] - 1] = cell["hours"] or Decimal(0)
    headers = [f"Week {n} (to {today + datetime.timedelta(weeks=n):%b %d})" for n in range(1, weeks + 1)]
    return headers, [[code, *hours] for code, hours in table.items()]


@receiver(home_panels, dispatch_uid="jobs.home_panels")
def jobs_widgets(sender, request, **kwargs):
    user, panels = request.user, []
    if user.has_perm("mto.edit_orders") or user.has_perm("mto.view_reports"):
        risky = orders_at_risk()
        panels.append((30, widget(request, "at-risk", "Orders at risk", number=len(risky),
            note="Promised within a week, with a job late or on hold.",
            items=[(o.get_absolute_url(), o.number, f"{o.customer.name}, promised {o.promised_date:%Y-%m-%d}")
                   for o in risky], empty="No order is at risk.")))  # fmt: skip
    if user.has_perm("mto.view_reports"):
        late = late_jobs()
        panels.append((40, widget(request, "late-jobs", "Late jobs", number=late_job_count(),
            items=[(j.get_absolute_url(), j.number, f"due {j.due_date:%Y-%m-%d}, {j.get_status_display().lower()}")
                   for j in late], empty="No job is late.", link="/jobs/?late=true")))  # fmt: skip
        panels.append((50, widget(request, "wip", "Work in progress", chart=bar_chart(wip_by_status(),
            title="Open jobs by status"))))  # fmt: skip
        v = cost_variance_this_month()
        note = f"{v.jobs} job(s) completed this month: estimated {v.estimated:,.2f}, actual {v.actual:,.2f}."
        shown = "—" if v.percent is None else f"{v.percent:+}%"
        panels.append((60, widget(request, "variance", "Cost variance this month", number=shown, note=note)))
    if user.has_perm("mto.plan_jobs") or user.has_perm("mto.view_reports"):
        load = work_center_load()
        headers, weekly = work_center_load_by_week()
        panels.append((70, widget(request, "load", "Work center load, next 4 weeks",
            note="Estimated hours still to do on open jobs due within four weeks.",
            chart=bar_chart(load, title="Remaining hours by work center", unit=" h"),
            table={"headers": ["Work center", *headers], "rows": weekly})))  # fmt: skip
    if user.has_perm("mto.run_floor"):
        code = request.session.get("floor_work_center")
        center = WorkCenter.objects.filter(code=code).first() if code else None
        if center:
            queue = selectors.work_center_queue(work_center=center)[:8]
            panels.append((5, widget(request, "queue", f"Queue at {center.name}", number=len(queue),
                items=[(op.job.get_floor_url(), f"{op.job.number} · op {op.sequence}",
                        f"{op.description}, due {op.job.due_date:%Y-%m-%d}") for op in queue],
                empty="Nothing queued.", link="/jobs/floor/", link_label="Open the board")))  # fmt: skip
        held = selectors.jobs_on_hold(work_center=center)
        panels.append((6, widget(request, "held", "Jobs on hold", number=len(held),
            items=[(j.get_floor_url(), j.number, j.hold_reason) for j in held],
            empty="No job is on hold.")))  # fmt: skip
    return panels
