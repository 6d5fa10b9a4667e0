"""The hot paths' plans on a seeded data set: no sequential scan of a big table (PostgreSQL, EXPLAIN).

The data set is small for a test (2,000 orders, ~8,000 jobs, ~25,000 operations) but ANALYZEd, so the
planner chooses as it would at scale for these LIMITed, index-ordered queries.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from jobs import selectors as job_selectors
from jobs.filters import JobFilter
from jobs.models import Job, WorkCenter
from sales import selectors as sales_selectors
from sales.filters import SalesOrderListFilter
from sales.models import SalesOrder
from shipping import selectors as ship_selectors
from shipping.models import Shipment

BIG_TABLES = ("sales_salesorder", "sales_salesorderline", "jobs_job", "jobs_operation", "shipping_shipment")


@pytest.fixture
def seeded(postgres_only, db):
    call_command("seed_scale", orders=2000, customers=40, batch=500, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _plan(queryset) -> str:
    return queryset.explain()


def _assert_no_seq_scan(queryset):
    plan = _plan(queryset)
    scanned = [table for table in re.findall(r"Seq Scan on (\w+)", plan) if table in BIG_TABLES]
    assert scanned == [], plan


def test_hot_paths_use_indexes(seeded):
    order = SalesOrder.objects.order_by("-id").first()
    center = WorkCenter.objects.get(code="CNC")
    page = slice(0, 26)
    checks = {
        "order list": sales_selectors.order_list_queryset().order_by("-id")[page],
        "order list by status": SalesOrderListFilter({"status": "in_production"},
                                                 queryset=sales_selectors.order_list_queryset()).qs.order_by("-id")[page],
        "order search by number": SalesOrderListFilter({"q": order.number},
                                                   queryset=sales_selectors.order_list_queryset()).qs[page],
        "order lines": order.lines.all(),
        "job list": job_selectors.job_list_queryset().order_by("due_date", "priority", "id")[page],
        "late jobs": JobFilter({"late": "true"}, queryset=job_selectors.job_list_queryset()).qs[page],
        "jobs of an order": Job.objects.filter(sales_order=order),
        "shop floor queue": job_selectors.work_center_queue_queryset(work_center=center),
        "shipments of an order": ship_selectors.shipment_list_queryset().filter(order=order),
        "shipment list": ship_selectors.shipment_list_queryset().order_by("-id")[page],
        "recent shipments (home)": Shipment.objects.filter(status="shipped").order_by("-shipped_at")[:5],
        "ready to ship": ship_selectors.ready_to_ship()[page],
    }  # fmt: skip
    for name, queryset in checks.items():
        try:
            _assert_no_seq_scan(queryset)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
    assert center is not None


@pytest.mark.parametrize("by", ["po", "customer"])
def test_text_search_can_use_indexes(seeded, by):
    """Search by PO or customer: a UNION of the orders of matching customers (customer_id index) and of
    matching POs (trigram index). On 2,000 orders a sequential scan is cheaper, so the planner is asked to
    avoid one: the SQL must match the indexes' expressions (UPPER(customer_po::text)) for them to serve it
    at all. At 100,000 orders the planner picks them by itself (docs/performance.md)."""
    order = SalesOrder.objects.exclude(customer_po="").select_related("customer").order_by("-id").first()
    value = order.customer_po if by == "po" else order.customer.code
    search = SalesOrderListFilter({"q": value}, queryset=sales_selectors.order_list_queryset())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = _plan(search.qs.order_by("-id")[:26])
    assert "sales_order_po_trgm" in plan, plan
    scanned = [table for table in re.findall(r"Seq Scan on (\w+)", plan) if table in BIG_TABLES]
    assert scanned == [], plan
    assert order in search.qs


def test_customers_are_searched_by_the_indexes_of_their_code_and_name(seeded):
    """The search's customers: UPPER(code) = X and UPPER(name) LIKE %X% each from its index (sales 0009),
    asked with sequential scans off (40 customers is a table a scan pays for). At 100,000 orders the indexes'
    statistics turned a walk of 44,000 orders into a sort of 50 (docs/performance.md, round four)."""
    from sales.models import Customer

    customer = Customer.objects.order_by("id").first()
    by_code = Customer.objects.filter(code__iexact=customer.code.lower()).order_by()
    by_name = Customer.objects.filter(name__icontains=customer.name[2:].lower()).order_by()  # not by the name index
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        code_plan, name_plan = _plan(by_code), _plan(by_name)
    assert "customer_code_upper" in code_plan, code_plan
    assert "sales_customer_name_trgm" in name_plan, name_plan
    assert list(by_code) == [customer] and customer in by_name


def test_the_check_can_fail(seeded):
    """A search no index serves is caught (order notes have no trigram index, unlike the PO)."""
    with pytest.raises(AssertionError, match="Seq Scan on sales_salesorder"):
        _assert_no_seq_scan(SalesOrder.objects.filter(notes__icontains="123"))


def test_estimate_accuracy_of_one_work_center_is_one_query_over_indexes(seeded):
    """The figures beside a quote's operation: one aggregate over the samples' (work center, completed at)
    index, which carries the ratios (docs/performance.md has the plan at 100k)."""
    from django.test.utils import CaptureQueriesContext

    from quotes.selectors import estimate_accuracy

    center = WorkCenter.objects.get(code="CNC")
    with CaptureQueriesContext(connection) as ctx:
        figures = estimate_accuracy(work_centers=[center])[center.pk]
    assert len(ctx.captured_queries) == 1
    assert figures.setup.count > 0 and figures.run.count > 0  # seed_scale times recent jobs' setups apart
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a small table: ask whether the index serves, not if it pays
        cursor.execute("EXPLAIN " + ctx.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    # At scale, after seed_scale's VACUUM, an index-only scan; in a test's transaction (no VACUUM) a bitmap one.
    assert "accuracy_wc_completed" in plan and "Seq Scan" not in plan, plan


def test_trace_both_ways_is_index_scans(seeded):
    """Quality's trace (issue 19): every query of a shipment's back trace and of a heat's forward trace can be
    served by an index (asked with sequential scans off: on 2,000 orders some tables are small enough that a scan
    pays, and the question is whether an index serves, as at scale)."""
    from django.test.utils import CaptureQueriesContext

    from purchasing.models import Receipt
    from quality import trace

    shipment = Shipment.objects.filter(status="shipped").order_by("-id").first()
    lot = Receipt.objects.exclude(lot_number="").order_by("-id").values_list("lot_number", flat=True).first()
    with CaptureQueriesContext(connection) as ctx:
        back = trace.shipment_trace(pk=shipment.pk)
        forward = trace.lot_trace(lot=lot.lower())
    assert back.jobs and forward.jobs, "the seeded shipment has jobs, the seeded heat went into some"
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plans = []
        for query in ctx.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("RESET enable_seqscan")
    scanned = [plan for plan in plans if "Seq Scan" in plan]
    assert scanned == [], "\n\n".join(scanned)
    assert any("receipt_lot_upper" in plan for plan in plans), "\n\n".join(plans)


def test_at_vendors_is_estimated_from_the_indexed_expression(seeded):
    """ "At vendors" filters on pieces sent less pieces back. A comparison of columns is a guess to PostgreSQL
    (a third of the table: at 300k orders it hash-joined every outside operation with its job and order for
    299 rows), so the filter is the expression of the index `outside_pieces_out`, whose statistics ANALYZE
    keeps: the planner's estimate is near the rows there are."""
    import json

    from purchasing.models import PIECES_OUT, OutsideOperation
    from purchasing.selectors.outside import at_vendors_queryset

    out = OutsideOperation.objects.alias(n=PIECES_OUT).filter(n__gt=0).count()
    total = OutsideOperation.objects.count()
    assert 0 < out < total / 5, (out, total)  # the seed has some pieces out, most back
    (plan,) = json.loads(at_vendors_queryset()[:500].explain(format="json"))

    def scans(node):
        yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    (scan,) = [n for n in scans(plan["Plan"]) if n.get("Relation Name") == "purchasing_outsideoperation"]
    assert scan["Plan Rows"] <= 3 * out + 10, (scan["Plan Rows"], out, scan)


def test_the_open_orders_index_is_on_the_open_statuses():
    """sales.models cannot import sales.workflow (which imports it), so the partial index names the statuses."""
    from django.db.models import Q

    from sales.workflow import OPEN_STATUSES

    (index,) = [i for i in SalesOrder._meta.indexes if i.name == "so_open_promised"]
    assert index.condition == Q(status__in=[str(s) for s in OPEN_STATUSES])
