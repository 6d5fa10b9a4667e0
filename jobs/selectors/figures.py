"""Home page figures and the morning digest."""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from sales.models import SalesOrder
from sales.workflow import OPEN_STATUSES as OPEN_ORDER_STATUSES

from ..models import Job, Operation
from ..workflow import OPEN, J, O
from .common import HOURS

# --- home page figures and the morning digest ---------------------------------------------------------

# How far back the manager's home looks for jobs completed short.
SHORT_JOB_DAYS = 30


def top_with_count(qs: QuerySet, *order: str, limit: int) -> tuple[int, list]:
    """(how many rows `qs` has, its first `limit` rows in `order`) in one query: the count rides on each row as an
    uncorrelated subquery (the database runs it once), as mto.pagination's capped count does. No rows: 0."""
    return counted(list(top_with_count_queryset(qs, *order, limit=limit)))


def top_with_count_queryset(qs: QuerySet, *order: str, limit: int) -> QuerySet:
    """top_with_count's query as a read (mto.reads); counted() of its rows is what top_with_count answers."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    return qs.annotate(row_count=RawSQL(f"SELECT COUNT(*) FROM ({sql}) counted", params)).order_by(*order)[:limit]


def counted(rows: list) -> tuple[int, list]:
    return (rows[0].row_count if rows else 0), rows


def late_jobs_with_count(*, today: datetime.date | None = None, limit: int = 10) -> tuple[int, list[Job]]:
    """The home page's late jobs: how many, and the most overdue (one query)."""
    return counted(list(late_jobs_with_count_queryset(today=today, limit=limit)))


def late_jobs_with_count_queryset(*, today: datetime.date | None = None, limit: int = 10) -> QuerySet[Job]:
    today = today or timezone.localdate()
    late = Job.objects.filter(status__in=OPEN, due_date__lt=today)
    return top_with_count_queryset(late, "due_date", "id", limit=limit)


def late_jobs(*, today: datetime.date | None = None, limit: int = 10) -> list[Job]:
    today = today or timezone.localdate()
    return list(Job.objects.filter(status__in=OPEN, due_date__lt=today).order_by("due_date", "id")[:limit])


def late_job_count(*, today: datetime.date | None = None) -> int:
    return Job.objects.filter(status__in=OPEN, due_date__lt=today or timezone.localdate()).count()


def short_jobs(*, days: int = SHORT_JOB_DAYS, limit: int = 10) -> tuple[int, list[Job]]:
    """Jobs completed short (fewer good pieces than ordered) in the last `days` days: how many, and the latest."""
    return counted(list(short_jobs_queryset(days=days, limit=limit)))


def short_jobs_queryset(*, days: int = SHORT_JOB_DAYS, limit: int = 10) -> QuerySet[Job]:
    since = timezone.now() - datetime.timedelta(days=days)
    # A datetime range on completed_at: the partial index of complete jobs serves it.
    qs = Job.objects.filter(status=J.COMPLETE, completed_at__gte=since, quantity_completed__lt=F("quantity"))
    return top_with_count_queryset(qs, "-completed_at", "-id", limit=limit)


def orders_at_risk(*, today: datetime.date | None = None, limit: int = 10) -> list[SalesOrder]:
    """Open orders promised within a week with a job late or on hold."""
    return list(orders_at_risk_queryset(today=today, limit=limit))


def orders_at_risk_queryset(*, today: datetime.date | None = None, limit: int = 10) -> QuerySet[SalesOrder]:
    today = today or timezone.localdate()
    troubled = Job.objects.filter(sales_order=OuterRef("pk")).filter(
        Q(status=J.ON_HOLD) | Q(status__in=OPEN, due_date__lt=today)
    )
    return (
        SalesOrder.objects.filter(
            status__in=OPEN_ORDER_STATUSES, promised_date__lte=today + datetime.timedelta(days=7)
        )
        .filter(Exists(troubled))
        .select_related("customer")
        .order_by("promised_date", "id")[:limit]
    )


def wip_by_status() -> list[tuple[str, int]]:
    return wip_by_status_from(list(wip_by_status_queryset()))


def wip_by_status_queryset() -> QuerySet:
    return Job.objects.filter(status__in=OPEN).values_list("status").annotate(n=Count("id")).order_by()


def wip_by_status_from(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    counts = dict(rows)
    return [(label, counts.get(value, 0)) for value, label in Job.Status.choices if value in OPEN]


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


def work_center_load(*, today: datetime.date | None = None, weeks: int = 4) -> list[tuple[str, Decimal]]:
    """Estimated hours still to do per work center on open jobs due within the next weeks."""
    today = today or timezone.localdate()
    rows = (
        _open_operations(today, weeks)
        .values("work_center__code")
        .annotate(hours=Sum(_remaining_hours()))
        .order_by("work_center__code")
    )
    return [(row["work_center__code"], row["hours"] or Decimal(0)) for row in rows]


def work_center_load_by_week(*, today: datetime.date | None = None, weeks: int = 4) -> tuple[list[str], list[list]]:
    """The same hours split by the week the job is due in (week 1 includes everything already late)."""
    today = today or timezone.localdate()
    cells = work_center_load_by_week_queryset(today=today, weeks=weeks)
    return work_center_load_by_week_from(list(cells), today=today, weeks=weeks)


def work_center_load_by_week_queryset(*, today: datetime.date, weeks: int = 4) -> QuerySet:
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
    return cells


def work_center_load_by_week_from(cells: list[dict], *, today: datetime.date, weeks: int = 4):
    table: dict[str, list] = {}
    for cell in cells:
        row = table.setdefault(cell["work_center__code"], [Decimal(0)] * weeks)
        row[cell["week"] - 1] = cell["hours"] or Decimal(0)
    headers = [f"Week {n} (to {today + datetime.timedelta(weeks=n):%b %d})" for n in range(1, weeks + 1)]
    return headers, [[code, *hours] for code, hours in table.items()]
