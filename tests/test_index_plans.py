"""The hot paths' plans on a seeded data set: no sequential scan of a big table (PostgreSQL, EXPLAIN).

The data set is small for a test (2,000 orders, ~8,000 jobs, ~25,000 operations) but ANALYZEd, so the
planner chooses as it would at scale for these LIMITed, index-ordered queries.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from jobs import selectors as job_selectors
from jobs.filters import JobFilter
from jobs.models import Job, WorkCenter
from sales import selectors as sales_selectors
from sales.filters import SalesOrderFilter
from sales.models import SalesOrder
from shipping import selectors as ship_selectors

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
        "order list by status": SalesOrderFilter({"status": "in_production"},
                                                 queryset=sales_selectors.order_list_queryset()).qs.order_by("-id")[page],
        "order search by number": SalesOrderFilter({"q": order.number},
                                                   queryset=sales_selectors.order_list_queryset()).qs[page],
        "order lines": order.lines.all(),
        "job list": job_selectors.job_list_queryset().order_by("due_date", "priority", "id")[page],
        "late jobs": JobFilter({"late": "true"}, queryset=job_selectors.job_list_queryset()).qs[page],
        "jobs of an order": Job.objects.filter(sales_order=order),
        "shipments of an order": ship_selectors.shipment_list_queryset().filter(order=order),
        "shipment list": ship_selectors.shipment_list_queryset().order_by("-id")[page],
        "ready to ship": ship_selectors.ready_to_ship()[page],
    }  # fmt: skip
    for name, queryset in checks.items():
        try:
            _assert_no_seq_scan(queryset)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
    assert center is not None


def test_the_check_can_fail(seeded):
    """A search no B-tree index can serve is caught (this is also why PO search is slower; see
    docs/performance.md)."""
    with pytest.raises(AssertionError, match="Seq Scan on sales_salesorder"):
        _assert_no_seq_scan(SalesOrder.objects.filter(customer_po__icontains="123"))
