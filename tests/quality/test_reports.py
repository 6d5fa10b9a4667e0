"""The quality reports: the figures (Pareto, cost of poor quality, first-pass yield), who may read them, CSV through
the one helper, a fixed number of queries whatever the period holds."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job, Operation, ScrapRecord, TimeEntry
from quality.models import NonConformance
from quality.reports import cost_of_poor_quality, first_pass_yield, pareto
from tests.role_table import ROLE_NAMES, may
from tests.scenarios import approved_order, page_queries

pytestmark = pytest.mark.django_db

REPORTS = ["quality:report-pareto", "quality:report-copq", "quality:report-fpy"]


def _hours_ago_today(now, hours):
    """`hours` before now, but not before today's midnight: the reports read entries started today, and a test
    run just after midnight must not push them into yesterday (it failed between 00:00 and 02:00)."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(hours=hours), midnight)


def _rows(office, manager, lead, *, orders=1):
    """Per order: scrap at SAW (2 "Machine fault" by the lead) and CNC (1 "Tool wear"), an NCR at CNC of 1 piece
    costing 30.00 + 5.00 used as is, time entries of 10 good + 2 scrap at SAW and 8 good + 1 scrap at CNC.
    Made directly: the reports read rows, whatever made them (the services are tested on their own)."""
    now = timezone.now()
    for _ in range(orders):
        job = Job.objects.get(sales_order=approved_order(office, manager, quantity=12))
        saw, cnc = job.operations.get(sequence=10), job.operations.get(sequence=20)
        scrap = ScrapRecord.objects.create(operation=saw, quantity=2, reason="Machine fault", by=lead)
        ScrapRecord.objects.create(operation=cnc, quantity=1, reason="Tool wear", by=lead)
        NonConformance.objects.create(
            number=f"NCR-9{job.pk:05d}", job=job, operation=cnc, work_center=cnc.work_center, quantity=1,
            reason="Tool wear", opened_by=lead, status="dispositioned", disposition="use_as_is",
            concession_reference="C-1", labor_cost=Decimal("30.00"), material_cost=Decimal("5.00"),
        )  # fmt: skip
        NonConformance.objects.create(
            number=f"NCR-8{job.pk:05d}", job=job, operation=saw, work_center=saw.work_center, quantity=2,
            reason="Machine fault", opened_by=lead, scrap_record=scrap, labor_cost=Decimal("10.00"),
        )  # fmt: skip
        for op, good, bad in ((saw, 10, 2), (cnc, 8, 1)):
            TimeEntry.objects.create(operation=op, started_at=_hours_ago_today(now, 2), stopped_at=now, good_qty=good,
                                     scrap_qty=bad, by=lead, hourly_rate=Decimal("60"))  # fmt: skip
    return job


def test_pareto_by_reason_and_by_work_center(office, manager, lead):
    _rows(office, manager, lead)
    today = timezone.localdate()
    rows = pareto(group="reason", start=today, end=today)
    assert rows == [
        ["Machine fault", 2, 1, 2, Decimal("10.00"), Decimal("66.7"), Decimal("66.7")],
        ["Tool wear", 1, 1, 1, Decimal("35.00"), Decimal("33.3"), Decimal("100.0")],
    ]
    by_center = pareto(group="work_center", start=today, end=today)
    assert [(r[0], r[1], r[4]) for r in by_center] == [("SAW", 2, Decimal("10.00")), ("CNC", 1, Decimal("35.00"))]
    by_operator = pareto(group="operator", start=today, end=today)
    assert by_operator[0][0] == "Lee Lead" and by_operator[0][1] == 3
    job = Job.objects.get()
    assert pareto(group="item", start=today, end=today)[0][0] == job.part_label
    assert pareto(group="customer", start=today, end=today)[0][0] == job.sales_order.customer.name
    yesterday = today - timedelta(days=1)
    assert pareto(group="reason", start=yesterday, end=yesterday) == []


def test_cost_of_poor_quality_per_month(office, manager, lead):
    _rows(office, manager, lead)
    today = timezone.localdate()
    rows = cost_of_poor_quality(start=today.replace(day=1), end=today)
    # 2 NCRs, 3 pieces, labor 40.00, material 5.00; 3 scrap pieces, of which 1 (CNC's) has no NCR.
    assert rows == [[f"{today:%Y-%m}", 2, 3, Decimal("40.00"), Decimal("5.00"), Decimal("45.00"), 3, 1]]


def test_first_pass_yield_per_work_center(office, manager, lead):
    _rows(office, manager, lead)
    today = timezone.localdate()
    rows = first_pass_yield(start=today, end=today)
    # CNC: 9 handled, 1 scrap, 1 went on by concession: 7 good first time of 9. SAW: 10 of 12.
    assert rows == [
        ["CNC - Center CNC", 9, 1, 1, 7, Decimal("77.8")],
        ["SAW - Center SAW", 12, 2, 0, 10, Decimal("83.3")],
    ]


def test_first_pass_yield_leaves_a_reworks_second_pass_out(office, manager, lead):
    """The 2 pieces reworked at CNC pass CNC twice; the second pass is not handled pieces of their first pass."""
    job = _rows(office, manager, lead)
    cnc = job.operations.get(sequence=20)
    rework = Operation.objects.create(job=job, sequence=90, work_center=cnc.work_center, description="Re-bore",
                                      setup_hours=0, run_hours_per_piece=0)  # fmt: skip
    NonConformance.objects.create(
        number="NCR-700001", job=job, operation=cnc, work_center=cnc.work_center, quantity=2, reason="Bore",
        opened_by=lead, status="dispositioned", disposition="rework", rework_operation=rework,
    )  # fmt: skip
    now = timezone.now()
    TimeEntry.objects.create(operation=rework, started_at=_hours_ago_today(now, 1), stopped_at=now, good_qty=2,
                             by=lead, hourly_rate=Decimal("60"))  # fmt: skip
    today = timezone.localdate()
    # CNC: still 9 handled; 1 by concession and 2 after rework went on: 5 good first time of 9.
    assert first_pass_yield(start=today, end=today)[0] == ["CNC - Center CNC", 9, 1, 3, 5, Decimal("55.6")]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_who_may_read_the_quality_reports(role, client, request):
    client.force_login(request.getfixturevalue(role))
    for name in REPORTS:
        status = client.get(reverse(name)).status_code
        assert status == (200 if may(role, "view_quality_reports") else 403), (role, name)


def test_reports_page_links_the_quality_reports_for_those_who_may(client, inspector, manager):
    client.force_login(inspector)
    page = client.get(reverse("quality:report-pareto")).content.decode()
    assert reverse("quality:report-copq") in page and reverse("jobs:report-job-cost") not in page
    assert reverse("quality:report-pareto") in client.get(reverse("home")).content.decode()
    client.force_login(manager)
    page = client.get(reverse("jobs:report-job-cost")).content.decode()
    assert reverse("quality:report-fpy") in page


def test_the_pareto_page_draws_its_chart_with_the_numbers_and_exports_csv(client, office, manager, lead, inspector):
    _rows(office, manager, lead)
    client.force_login(inspector)
    page = client.get(reverse("quality:report-pareto"), {"group": "reason"}).content.decode()
    assert 'class="pareto-chart"' in page and "<polyline" in page and "Machine fault" in page
    assert "NCR cost by Reason" in page
    response = client.get(reverse("quality:report-pareto"), {"group": "reason", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Reason", "Scrap pieces", "NCRs"] and rows[1][:2] == ["Machine fault", "2"]
    copq = client.get(reverse("quality:report-copq"), {"format": "csv"})
    assert list(csv.reader(io.StringIO(copq.content.decode())))[1][5] == "45.00"


def test_a_formula_in_a_reason_is_escaped_in_the_csv(client, office, manager, lead, inspector):
    job = _rows(office, manager, lead)
    ScrapRecord.objects.create(operation=job.operations.first(), quantity=9, reason="=HYPERLINK(1)", by=lead)
    client.force_login(inspector)
    response = client.get(reverse("quality:report-pareto"), {"group": "reason", "format": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode()


@pytest.mark.parametrize("name", REPORTS)
def test_fixed_queries_whatever_the_rows(name, client, office, manager, lead, inspector):
    client.force_login(inspector)
    url = reverse(name)
    _rows(office, manager, lead, orders=1)
    small = page_queries(client, url)
    _rows(office, manager, lead, orders=3)
    assert page_queries(client, url) == small
