"""Reads of outside operations (pieces at vendors, one operation's history, a job's panel) and of what jobs cost
besides labor (material and outside services), each in a fixed number of queries."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.selectors import OtherCost
from mto import reads

from ..models import (
    PIECES_OUT,
    MaterialRequirement,
    OutsideOperation,
    PurchaseOrderLine,
    Receipt,
    ShipOut,
    Unit,
    VendorReturn,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)
EXACT = DecimalField(max_digits=30, decimal_places=5)  # quantity (3 places) x unit cost (2), not yet rounded
CENT = Decimal("0.01")
ZERO = Value(Decimal(0), output_field=EXACT)


def _open_line(field: str):
    line = PurchaseOrderLine.objects.filter(outside_operation=OuterRef("pk"), is_cancelled=False).order_by("id")
    return Subquery(line.values(field)[:1])


def with_due_dates(rows: list[OutsideOperation]) -> list[OutsideOperation]:
    """Each row's sent date, due back and whether it is overdue (rows of at_vendors_queryset or the detail)."""
    return _with_due(rows)


def _with_due(rows: list[OutsideOperation]) -> list[OutsideOperation]:
    today = timezone.localdate()
    for row in rows:
        sent = row.first_sent_at
        row.sent_on = timezone.localtime(sent).date() if sent else None
        row.due_back = row.sent_on + datetime.timedelta(days=row.lead_days) if sent else None
        row.is_overdue = row.due_back is not None and row.pieces_at_vendor > 0 and row.due_back < today
    return rows


def at_vendors_queryset() -> QuerySet[OutsideOperation]:
    """Outside operations with pieces at the vendor, the one sent longest ago first. The sent date is the first
    ship-out's (the oldest pieces out); due back is that plus the lead days."""
    return (
        OutsideOperation.objects.alias(pieces_out=PIECES_OUT)
        .filter(pieces_out__gt=0)  # the indexed expression, so the planner knows how few rows are out
        .select_related("vendor", "operation__job__sales_order__customer", "operation__work_center")
        .annotate(first_sent_at=Min("ship_outs__shipped_at"))
        .order_by("first_sent_at", "id")
    )


def outside_operation_detail(*, pk: int) -> OutsideOperation:
    row = (
        OutsideOperation.objects.select_related(
            "vendor", "operation__job__sales_order__customer", "operation__work_center"
        )  # fmt: skip
        .annotate(first_sent_at=Min("ship_outs__shipped_at"), po_line_id=_open_line("id"))
        .prefetch_related(
            Prefetch("ship_outs", queryset=ShipOut.objects.select_related("shipped_by", "po_line__purchase_order")),
            Prefetch("returns", queryset=VendorReturn.objects.select_related("received_by")),
        )
        .get(pk=pk)
    )
    row.ship_out_list = list(row.ship_outs.all())
    row.return_list = list(row.returns.all())
    row.po_line = (
        PurchaseOrderLine.objects.select_related("purchase_order").get(pk=row.po_line_id) if row.po_line_id else None
    )
    return _with_due([row])[0]


def ship_out_detail(*, pk: int) -> ShipOut:
    return ShipOut.objects.select_related(
        "outside_operation__vendor", "outside_operation__operation__job__sales_order__customer",
        "outside_operation__operation__work_center", "po_line__purchase_order", "shipped_by",
    ).get(pk=pk)  # fmt: skip


def job_outside_reads(*, job) -> dict:
    """The reads behind job_outside (mto.reads)."""
    return {
        "outside": OutsideOperation.objects.filter(operation__job=job)
        .select_related("vendor", "operation__work_center")
        .annotate(first_sent_at=Min("ship_outs__shipped_at"))
        .order_by("operation__sequence"),
        "returns": VendorReturn.objects.filter(outside_operation__operation__job=job).order_by("id"),
    }


def job_outside_from(rows: dict) -> list[OutsideOperation]:
    reads.attach(rows["outside"], rows["returns"], key="outside_operation_id", cache_name="returns",
                 to_attr="return_list")  # fmt: skip
    return _with_due(rows["outside"])


def job_outside(*, job) -> list[OutsideOperation]:
    """The job's outside operations with their returns (and certificates), in routing order (one statement on
    PostgreSQL)."""
    return job_outside_from(reads.fetch(**job_outside_reads(job=job)))


# --- cost (answers jobs.signals.other_costs_for_jobs) ---------------------------------------------------------


def material_costs(job_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """{job_id: (estimated, actual)} of the jobs' material, one query: each requirement's estimate, its receipts
    at their PO line's unit cost, and what was issued from stock at its recorded cost."""
    return material_costs_from(list(material_costs_queryset(job_ids)))


def _material_costs(job_ids: list[int] | QuerySet) -> QuerySet:
    received = (
        Receipt.objects.filter(po_line__requirement=OuterRef("pk"))
        .order_by()
        .values("po_line__requirement")
        .annotate(v=Sum(ExpressionWrapper(F("quantity") * F("po_line__unit_cost"), output_field=EXACT)))
        .values("v")
    )
    return MaterialRequirement.objects.filter(job_id__in=job_ids).annotate(
        received_cost=Subquery(received, output_field=EXACT)
    )


def material_costs_queryset(job_ids: list[int] | QuerySet) -> QuerySet:
    return _material_costs(job_ids).values_list("job_id", "estimated_cost", "received_cost", "stock_cost")


def _cents(amount: Decimal) -> Decimal:
    # Half a cent up, as PostgreSQL's round() does: the home's month total (other_cost_totals_for_jobs) rounds
    # each job in SQL, and must equal the jobs' own figures summed.
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def material_costs_from(rows: list[tuple]) -> dict[int, tuple[Decimal, Decimal]]:
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for job_id, estimated, received_cost, stock_cost in rows:
        est, act = result.get(job_id, (Decimal(0), Decimal(0)))
        result[job_id] = (est + estimated, act + (received_cost or 0) + (stock_cost or 0))
    return {k: (_cents(est), _cents(act)) for k, (est, act) in result.items()}


def outside_costs(job_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """{job_id: (estimated, actual)} of the jobs' outside services, one query."""
    return outside_costs_from(list(outside_costs_queryset(job_ids)))


def _outside_costs(job_ids: list[int] | QuerySet) -> QuerySet:
    """Each outside operation of the jobs with `actual_cost`: the open PO line's unit cost x the pieces back
    (good and rejected: the vendor worked on both); a line bought per lot costs its whole total once any piece
    is back (the vendor bills the lot). Pieces sent without a PO line cost nothing yet (not bought yet)."""
    return (
        OutsideOperation.objects.filter(operation__job_id__in=job_ids)
        .annotate(
            line_cost=_open_line("unit_cost"),
            line_quantity=_open_line("quantity"),
            line_unit=_open_line("unit"),
            back=F("pieces_back_good") + F("pieces_rejected"),
        )
        .annotate(
            actual_cost=Case(
                When(Q(line_cost__isnull=True) | Q(back=0), then=ZERO),
                When(line_unit=Unit.LOT, then=ExpressionWrapper(F("line_quantity") * F("line_cost"), EXACT)),
                default=ExpressionWrapper(F("line_cost") * F("back"), EXACT),
                output_field=EXACT,
            )
        )
    )


def outside_costs_queryset(job_ids: list[int] | QuerySet) -> QuerySet:
    return _outside_costs(job_ids).values_list("operation__job_id", "estimated_cost", "actual_cost")


def outside_costs_from(rows: list[tuple]) -> dict[int, tuple[Decimal, Decimal]]:
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for job_id, estimated, actual in rows:
        est, act = result.get(job_id, (Decimal(0), Decimal(0)))
        result[job_id] = (est + estimated, act + actual)
    return {k: (_cents(est), _cents(act)) for k, (est, act) in result.items()}


def other_cost_totals_for_jobs(jobs: QuerySet) -> tuple[Decimal, Decimal]:
    """(estimated, actual) of the material and outside services of many jobs (a queryset of their ids): what
    other_costs_for_jobs gives per job, each job rounded to the cent, summed. One statement on PostgreSQL, one row
    back, where the per-job answer builds a row per requirement and operation (thousands for a month at 300k)."""
    if connection.vendor != "postgresql":  # the embedded default: the per-job figures, summed here
        costs = [c for per_job in other_costs_for_jobs(jobs).values() for c in per_job]
        return sum((c.estimated for c in costs), Decimal(0)), sum((c.actual for c in costs), Decimal(0))
    material = (
        _material_costs(jobs)
        .order_by()
        .values("job_id")
        .annotate(e=Sum("estimated_cost"), a=Sum(Coalesce("received_cost", ZERO) + Coalesce("stock_cost", ZERO)))
    )
    outside = (
        _outside_costs(jobs)
        .order_by()
        .values("operation__job_id")
        .annotate(e=Sum("estimated_cost"), a=Sum("actual_cost"))
    )
    material_sql, material_params = material.query.sql_with_params()
    outside_sql, outside_params = outside.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(ROUND(t.e, 2)), 0), COALESCE(SUM(ROUND(t.a, 2)), 0) FROM ("
            f"SELECT m.e, m.a FROM ({material_sql}) m UNION ALL SELECT o.e, o.a FROM ({outside_sql}) o) t",
            (*material_params, *outside_params),
        )
        estimated, actual = cursor.fetchone()
    return Decimal(estimated), Decimal(actual)


# One job's (its page): the two reads' SQL compiled once per process (their annotations cost the job page more
# to compile than to run), the job's id bound on each call.
_ONE_JOB_COSTS = reads.CompiledReads(
    lambda pk: {"material": material_costs_queryset([pk]), "outside": outside_costs_queryset([pk])}
)


def other_costs_for_jobs(job_ids: list[int] | QuerySet) -> dict[int, list[OtherCost]]:
    """Material and outside services of the jobs (ids, or a queryset of their ids), two reads whatever their
    number (one statement on PostgreSQL). Only jobs with such costs are keys."""
    if isinstance(job_ids, list) and len(job_ids) == 1:
        rows = _ONE_JOB_COSTS.fetch(job_ids[0])
    else:
        rows = reads.fetch(material=material_costs_queryset(job_ids), outside=outside_costs_queryset(job_ids))
    material, outside = material_costs_from(rows["material"]), outside_costs_from(rows["outside"])
    result: dict[int, list[OtherCost]] = {}
    for job_id in sorted({*material, *outside}):
        costs = []
        if job_id in material:
            costs.append(OtherCost("material", "Material", *material[job_id]))
        if job_id in outside:
            costs.append(OtherCost("outside", "Outside services", *outside[job_id]))
        if costs:
            result[job_id] = costs
    return result
