"""Outside operations: ship out, receive back, the jobs services under them, costs, pages and their queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from jobs import selectors as job_selectors
from jobs import services as job_services
from jobs.models import Job, ScrapRecord, TimeEntry, WorkCenter
from jobs.reports import job_cost
from jobs.workflow import VENDOR_REJECT
from purchasing.models import OutsideOperation, ShipOut
from purchasing.services import outside_receive_back, outside_ship_out
from tests.scenarios import page_queries, plating_job, run_together

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ops(job):
    return list(job.operations.order_by("sequence"))


def _through_saw(job, lead, good):
    saw = _ops(job)[0]
    job_services.operation_act(operation=saw, action="start", by=lead)
    job_services.operation_report_pieces(operation=saw, good=good, by=lead)
    job_services.operation_act(operation=saw, action="finish", by=lead, short=True)


def test_every_operation_at_an_outside_center_gets_its_row_on_approval(office, manager):
    job, outside = plating_job(office, manager, vendor=False)
    assert outside.operation.work_center.code == "PLATE"
    assert OutsideOperation.objects.filter(operation__job=job).count() == 1


def test_planner_adding_an_outside_operation_makes_its_row(office, manager):
    job, _ = plating_job(office, manager, vendor=False)
    op = job_services.operation_add(job=job, work_center=WorkCenter.objects.get(code="PLATE"), description="Bake",
                                    setup_hours=Decimal(0), run_hours_per_piece=Decimal(0), by=manager)  # fmt: skip
    assert OutsideOperation.objects.filter(operation=op).exists()


def test_ship_out_starts_the_operation_without_labor_and_makes_a_slip(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    ship = outside_ship_out(outside_operation=outside, quantity=6, by=clerk, carrier="Own truck")
    assert ship.number.startswith("VS-") and ShipOut.objects.count() == 1
    plate = outside.operation
    plate.refresh_from_db()
    assert plate.status == "running" and plate.pieces_at_vendor == 6
    assert not TimeEntry.objects.filter(operation=plate).exists()
    outside.refresh_from_db()
    assert outside.pieces_sent == 6


def test_ship_out_starts_a_released_job(office, manager, clerk):
    job, outside = job_with_outside_first(office, manager)
    assert job.status == "released"
    outside_ship_out(outside_operation=outside, quantity=3, by=clerk)
    job.refresh_from_db()
    assert job.status == "in_progress"


def job_with_outside_first(office, manager):
    from tests.scenarios import approved_order_with_routing

    WorkCenter.objects.update_or_create(
        code="PLATE", defaults={"name": "Plating", "hourly_rate": 0, "is_outside": True}
    )
    order = approved_order_with_routing(office, manager, ("PLATE", "INSP"), quantity=5)
    job = Job.objects.get(sales_order=order)
    from purchasing.models import Vendor
    from purchasing.services import outside_operation_update

    vendor = Vendor.objects.create(code="V1", name="Plater", processes="nickel", is_approved=True)
    outside = outside_operation_update(outside_operation=OutsideOperation.objects.get(operation__job=job),
                                       vendor=vendor, lead_days=3, estimated_cost=Decimal(10), by=manager)  # fmt: skip
    return job, outside


def test_ship_out_refuses_more_than_reached_the_operation(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 8)
    with pytest.raises(ValidationError, match="Only 8 piece"):
        outside_ship_out(outside_operation=outside, quantity=9, by=clerk)
    outside_ship_out(outside_operation=outside, quantity=8, by=clerk)
    with pytest.raises(ValidationError, match="Only 0 piece"):
        outside_ship_out(outside_operation=outside, quantity=1, by=clerk)


def test_floor_cannot_start_or_report_an_outside_operation(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    with pytest.raises(ValidationError, match="done by a vendor"):
        job_services.operation_act(operation=outside.operation, action="start", by=lead)
    outside_ship_out(outside_operation=outside, quantity=2, by=clerk)
    with pytest.raises(ValidationError, match="done by a vendor"):
        job_services.operation_report_pieces(operation=outside.operation, good=1, by=lead)


def test_return_passes_good_pieces_on_and_scraps_rejects_as_vendor_reject(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=10, by=clerk)
    outside_receive_back(outside_operation=outside, good=6, rejected=1, by=clerk)
    plate = outside.operation
    plate.refresh_from_db()
    assert (plate.good_qty, plate.scrap_qty, plate.pieces_at_vendor, plate.status) == (6, 1, 3, "running")
    assert ScrapRecord.objects.get(operation=plate).reason == VENDOR_REJECT
    # The good pieces reached inspection, which may now start and report them.
    insp = _ops(job)[2]
    job_services.operation_act(operation=insp, action="start", by=lead)
    job_services.operation_report_pieces(operation=insp, good=6, by=lead)
    with pytest.raises(ValidationError):
        job_services.operation_report_pieces(operation=insp, good=1, by=lead)


def test_receive_back_refuses_more_than_at_the_vendor(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=4, by=clerk)
    with pytest.raises(ValidationError, match="Only 4 piece"):
        outside_receive_back(outside_operation=outside, good=4, rejected=1, by=clerk)
    outside.refresh_from_db()
    assert outside.pieces_back_good == 0


def test_database_refuses_more_back_than_sent(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutsideOperation.objects.filter(pk=outside.pk).update(pieces_sent=2, pieces_back_good=3)


def test_last_operation_outside_completes_the_job(office, manager, lead, clerk):
    from tests.scenarios import approved_order_with_routing

    WorkCenter.objects.update_or_create(
        code="PLATE", defaults={"name": "Plating", "hourly_rate": 0, "is_outside": True}
    )
    order = approved_order_with_routing(office, manager, ("SAW", "PLATE"), quantity=4)
    job = Job.objects.get(sales_order=order)
    outside = OutsideOperation.objects.get(operation__job=job)
    from purchasing.models import Vendor

    outside.vendor = Vendor.objects.create(code="V2", name="P2", processes="zinc", is_approved=True)
    outside.save()
    _through_saw(job, lead, 4)
    outside_ship_out(outside_operation=outside, quantity=4, by=clerk)
    outside_receive_back(outside_operation=outside, good=3, rejected=0, by=clerk)
    job.refresh_from_db()
    assert job.status == "in_progress" and job.quantity_completed == 3
    outside_receive_back(outside_operation=outside, good=0, rejected=1, by=clerk)
    job.refresh_from_db()
    outside.operation.refresh_from_db()
    assert outside.operation.status == "done"
    assert job.status == "complete" and job.quantity_completed == 3


def test_certificate_must_be_a_pdf_by_content(office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=2, by=clerk)
    fake = SimpleUploadedFile("cert.pdf", b"not a pdf at all")
    with pytest.raises(ValidationError, match="not a PDF"):
        outside_receive_back(outside_operation=outside, good=2, rejected=0, by=clerk, certificate=fake)
    good = SimpleUploadedFile("cert.pdf", PDF)
    back = outside_receive_back(outside_operation=outside, good=2, rejected=0, by=clerk, certificate=good)
    assert back.certificate_name == "cert.pdf" and back.certificate


def test_roles_of_the_services(office, manager, lead, clerk, buyer):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    with pytest.raises(PermissionDenied):
        outside_ship_out(outside_operation=outside, quantity=1, by=lead)
    with pytest.raises(PermissionDenied):
        outside_ship_out(outside_operation=outside, quantity=1, by=office)
    outside_ship_out(outside_operation=outside, quantity=1, by=buyer)
    from purchasing.services import outside_operation_update

    with pytest.raises(PermissionDenied):
        outside_operation_update(outside_operation=outside, vendor=None, lead_days=1, estimated_cost=Decimal(1),
                                 by=clerk)  # fmt: skip


def test_start_refused_while_material_is_waiting(office, manager, lead):
    job, _ = plating_job(office, manager)
    saw = _ops(job)[0]
    type(saw).objects.filter(pk=saw.pk).update(material_ready=False)
    with pytest.raises(ValidationError, match="waiting for material"):
        job_services.operation_act(operation=saw, action="start", by=lead)


def test_floor_shows_at_vendor_and_waiting_for_material(client, office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=7, by=clerk)
    insp = _ops(job)[2]
    type(insp).objects.filter(pk=insp.pk).update(material_ready=False)
    client.force_login(lead)
    html = client.get(reverse("jobs:floor-job", args=[job.pk])).content.decode()
    assert "at vendor (7 pcs)" in html and "waiting for material" in html
    client.get(reverse("jobs:floor-board") + "?wc=PLATE")
    html = client.get(reverse("jobs:floor-board")).content.decode()
    assert "at vendor (7 pcs)" in html


def test_costs_equal_the_hand_sum(office, manager, lead, clerk, buyer):
    """Labor (time entries at their rate) + material (receipt qty x PO unit cost + stock issue) + outside (PO unit
    cost x pieces back)."""
    from purchasing.models import MaterialRequirement, PurchaseOrder, PurchaseOrderLine, Receipt

    job, outside = plating_job(office, manager, quantity=10)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=10, by=clerk)
    outside_receive_back(outside_operation=outside, good=9, rejected=1, by=clerk)
    po = PurchaseOrder.objects.create(number="PO-000001", vendor=outside.vendor, created_by=buyer)
    PurchaseOrderLine.objects.create(purchase_order=po, line_no=1, outside_operation=outside, description="Plate",
                                     quantity=10, unit_cost=Decimal("2.50"), due_date=job.due_date,
                                     receive_limit=10)  # fmt: skip
    bar = MaterialRequirement.objects.create(job=job, description="Bar", quantity=4, estimated_cost=Decimal("30"),
                                             created_by=buyer)  # fmt: skip
    line = PurchaseOrderLine.objects.create(purchase_order=po, line_no=2, requirement=bar, description="Bar",
                                            quantity=4, unit_cost=Decimal("7.25"), due_date=job.due_date,
                                            receive_limit=4)  # fmt: skip
    Receipt.objects.create(po_line=line, quantity=3, received_by=buyer)
    MaterialRequirement.objects.create(job=job, description="Paint", quantity=1, estimated_cost=Decimal("5"),
                                       source="stock", stock_cost=Decimal("4.10"), created_by=buyer)  # fmt: skip
    detail = job_selectors.job_detail(pk=job.pk)
    others = {c.category: c for c in detail.cost_summary.others}
    assert others["material"].actual == Decimal("3") * Decimal("7.25") + Decimal("4.10")
    assert others["material"].estimated == Decimal("35.00")
    assert others["outside"].actual == Decimal("2.50") * 10
    assert others["outside"].estimated == Decimal("50.00")
    labor = detail.cost_total.actual_cost
    assert detail.cost_summary.actual == labor + Decimal("25.85") + Decimal("25.00")
    # Asked with a queryset of jobs (the home's month, as a subquery): the same answer, jobs without costs left out.
    from jobs.models import Job

    other, _ = plating_job(office, manager, quantity=2)
    by_list = job_selectors.other_costs([job, other])
    by_queryset = job_selectors.other_costs(Job.objects.filter(pk__in=[job.pk, other.pk]))
    assert by_queryset == {pk: costs for pk, costs in by_list.items() if costs} and len(by_queryset[job.pk]) == 2
    # One job (its page): the reads compiled once, its id bound; the same answer as asked with others.
    for one in (job, other, job):
        assert job_selectors.other_costs([one]) == {one.pk: by_list[one.pk]}


def test_month_totals_equal_the_jobs_figures_summed(office, manager, lead, clerk, buyer):
    """The home's totals (one statement) against each job's figures: each job rounded to the cent (half a cent
    up) before the sum, lot and per-piece outside lines, material received and issued from stock."""
    from jobs.models import Job
    from purchasing.models import MaterialRequirement, PurchaseOrder, PurchaseOrderLine, Receipt

    jobs, po = [], None
    for n, unit in enumerate(("pcs", "lot")):
        job, outside = plating_job(office, manager, quantity=4)
        po = po or PurchaseOrder.objects.create(number="PO-000009", vendor=outside.vendor, created_by=buyer)
        _through_saw(job, lead, 4)
        outside_ship_out(outside_operation=outside, quantity=4, by=clerk)
        outside_receive_back(outside_operation=outside, good=3, rejected=1, by=clerk)
        PurchaseOrderLine.objects.create(purchase_order=po, line_no=10 + n, outside_operation=outside, unit=unit,
                                         description="Plate", quantity=4, unit_cost=Decimal("1.25"),
                                         due_date=job.due_date, receive_limit=4)  # fmt: skip
        bar = MaterialRequirement.objects.create(job=job, description="Bar", quantity=1, created_by=buyer,
                                                 estimated_cost=Decimal("0.01"))  # fmt: skip
        line = PurchaseOrderLine.objects.create(purchase_order=po, line_no=20 + n, requirement=bar, description="Bar",
                                                quantity=1, unit_cost=Decimal("0.01"), due_date=job.due_date,
                                                receive_limit=1)  # fmt: skip
        Receipt.objects.create(po_line=line, quantity=Decimal("0.5"), received_by=buyer)  # half a cent
        jobs.append(job)
    per_job = job_selectors.other_costs(jobs)
    summed = [sum((c.estimated for cs in per_job.values() for c in cs), Decimal(0)),
              sum((c.actual for cs in per_job.values() for c in cs), Decimal(0))]  # fmt: skip
    material = [c.actual for cs in per_job.values() for c in cs if c.category == "material"]
    assert material == [Decimal("0.01"), Decimal("0.01")]  # 0.005 each, half up; 0.01 if summed first
    outside = sorted(c.actual for cs in per_job.values() for c in cs if c.category == "outside")
    assert outside == [Decimal("1.25") * 4, Decimal("1.25") * 4]  # 4 pieces back; the lot: 4 x 1.25 once
    totals = job_selectors.other_cost_totals_of(Job.objects.filter(pk__in=[j.pk for j in jobs]))
    assert list(totals) == summed and summed[1] == Decimal("10.02")


def test_cost_signal_is_two_queries_whatever_the_jobs(office, manager, lead, clerk, django_assert_num_queries):
    """Two reads (material, outside), one statement on PostgreSQL (mto.reads)."""
    from django.db import connection

    jobs = [plating_job(office, manager)[0] for _ in range(3)]
    expected = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(expected):
        job_selectors.other_costs(jobs[:1])
    with django_assert_num_queries(expected):
        job_selectors.other_costs(jobs)


def test_job_cost_report_includes_outside(office, manager, lead, clerk, buyer):
    from django.utils import timezone

    from purchasing.models import PurchaseOrder, PurchaseOrderLine
    from tests.scenarios import approved_order_with_routing

    WorkCenter.objects.update_or_create(
        code="PLATE", defaults={"name": "Plating", "hourly_rate": 0, "is_outside": True}
    )
    order = approved_order_with_routing(office, manager, ("SAW", "PLATE"), quantity=2)
    job = Job.objects.get(sales_order=order)
    outside = OutsideOperation.objects.get(operation__job=job)
    from purchasing.models import Vendor

    outside.vendor = Vendor.objects.create(code="V3", name="P3", processes="zinc", is_approved=True)
    outside.estimated_cost = Decimal("8")
    outside.save()
    po = PurchaseOrder.objects.create(number="PO-000002", vendor=outside.vendor, created_by=buyer)
    PurchaseOrderLine.objects.create(purchase_order=po, line_no=1, outside_operation=outside, description="Lot",
                                     quantity=1, unit="lot", unit_cost=Decimal("12"), due_date=job.due_date,
                                     receive_limit=1)  # fmt: skip
    _through_saw(job, lead, 2)
    outside_ship_out(outside_operation=outside, quantity=2, by=clerk)
    outside_receive_back(outside_operation=outside, good=2, rejected=0, by=clerk)
    job.refresh_from_db()
    assert job.status == "complete"
    today = timezone.localdate()
    labor_only = job_selectors.job_detail(pk=job.pk).cost_total
    [row] = job_cost(group="job", start=today, end=today)
    assert row[3] == (labor_only.estimated_cost + Decimal("8")).quantize(Decimal("0.01"))
    assert row[4] == (labor_only.actual_cost + Decimal("12")).quantize(Decimal("0.01"))


@pytest.mark.django_db(transaction=True)
def test_two_returns_at_once_never_bring_back_more_than_sent(postgres_only, office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=5, by=clerk)

    def back():
        return outside_receive_back(outside_operation=outside, good=4, rejected=0, by=clerk)

    results = run_together(back, [(), ()])
    outside.refresh_from_db()
    assert outside.pieces_back_good == 4 and outside.pieces_sent == 5
    assert sum(isinstance(r, str) and "Only 1 piece" in r for r in results) == 1


def test_pages_and_their_query_counts(client, office, manager, lead, clerk, buyer):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=3, by=clerk)
    client.force_login(buyer)
    urls = [reverse("purchasing:at-vendors"), reverse("purchasing:outside-detail", args=[outside.pk]),
            reverse("jobs:job-detail", args=[job.pk])]  # fmt: skip
    before = [page_queries(client, url) for url in urls]
    for _ in range(3):
        other, row = plating_job(office, manager)
        _through_saw(other, lead, 10)
        outside_ship_out(outside_operation=row, quantity=2, by=clerk)
        outside_ship_out(outside_operation=outside, quantity=1, by=clerk)
    outside_receive_back(outside_operation=outside, good=1, rejected=1, by=clerk)
    after = [page_queries(client, url) for url in urls]
    assert before == after
    html = client.get(urls[0]).content.decode()
    assert job.number in html
    slip = ShipOut.objects.filter(outside_operation=outside).first()
    assert client.get(reverse("purchasing:vendor-packing-slip", args=[slip.pk])).status_code == 200
    detail = client.get(urls[2]).content.decode()
    assert "Outside operations" in detail and "Outside services" in detail


def test_at_vendors_pages_the_oldest_sent_first(client, office, manager, lead, clerk, buyer, monkeypatch):
    """A busy shop has hundreds of operations out: the page shows them a page at a time (50; 2 here)."""
    from purchasing.views.outside import AtVendorsView

    monkeypatch.setattr(AtVendorsView, "paginate_by", 2)
    jobs = []
    for _ in range(3):
        job, row = plating_job(office, manager)
        _through_saw(job, lead, 10)
        outside_ship_out(outside_operation=row, quantity=2, by=clerk)
        jobs.append(job)
    client.force_login(buyer)
    first = client.get(reverse("purchasing:at-vendors"))
    html = first.content.decode()
    assert [j.number in html for j in jobs] == [True, True, False]  # sent first, listed first
    assert "3 rows · page 1" in html and 'rel="next"' in html
    second = client.get(reverse("purchasing:at-vendors"), {"page": 2}).content.decode()
    assert jobs[2].number in second and jobs[0].number not in second and 'rel="next"' not in second
    assert client.get(reverse("purchasing:at-vendors"), {"page": 9}).status_code == 404


def test_forms_ship_and_receive_with_clear_errors(client, office, manager, lead, clerk):
    job, outside = plating_job(office, manager)
    _through_saw(job, lead, 5)
    client.force_login(clerk)
    url = reverse("purchasing:outside-ship-out", args=[outside.pk])
    response = client.post(url, {"quantity": 6})
    assert response.status_code == 400 and "Only 5 piece" in response.content.decode()
    assert client.post(url, {"quantity": 5}).status_code == 302
    back = reverse("purchasing:outside-receive-back", args=[outside.pk])
    response = client.post(back, {"good": 6, "rejected": 0})
    assert response.status_code == 400 and "Only 5 piece" in response.content.decode()
    assert client.post(back, {"good": 5, "rejected": 0}).status_code == 302
    client.force_login(lead)
    assert client.post(url, {"quantity": 1}).status_code == 403


def test_pieces_back_receive_the_po_line_bought_for_the_operation(office, manager, lead, clerk, buyer):
    """A PO line pegged to an outside operation is received by the vendor's returns, so its order moves to
    partially received and then received like a material order."""
    from datetime import timedelta

    from django.utils import timezone

    from purchasing import services as purchasing_services
    from purchasing.models import PurchaseOrder

    job, outside = plating_job(office, manager, quantity=10)
    po = purchasing_services.purchase_order_create(vendor=outside.vendor, by=buyer, lines=[
        {"description": "Zinc plate", "quantity": Decimal("10"), "unit": "pcs", "unit_cost": Decimal("2.50"),
         "outside_operation": outside, "due_date": timezone.localdate() + timedelta(days=5)}])  # fmt: skip
    purchasing_services.purchase_order_transition(po=po, name="send", by=buyer)
    _through_saw(job, lead, 10)
    outside_ship_out(outside_operation=outside, quantity=10, by=clerk)
    outside_receive_back(outside_operation=outside, good=6, rejected=1, by=clerk)
    po.refresh_from_db()
    assert (po.status, po.lines.get().quantity_received) == (PurchaseOrder.Status.PARTIALLY_RECEIVED, 7)
    outside_receive_back(outside_operation=outside, good=3, rejected=0, by=clerk)
    po.refresh_from_db()
    assert (po.status, po.lines.get().quantity_received) == (PurchaseOrder.Status.RECEIVED, 10)


def test_planner_removes_a_pending_outside_operation_unless_it_was_bought(office, manager, buyer):
    """The outside row goes with its pending operation; once a PO line is bought for it, the removal is refused
    with the reason (the database's protection), not a 500."""
    from datetime import timedelta

    from django.utils import timezone

    from purchasing import services as purchasing_services

    job, outside = plating_job(office, manager)
    plate = outside.operation
    job_services.operation_remove(operation=plate, by=manager)
    assert not OutsideOperation.objects.filter(pk=outside.pk).exists()
    job, outside = plating_job(office, manager)
    purchasing_services.purchase_order_create(vendor=outside.vendor, by=buyer, lines=[
        {"description": "Zinc plate", "quantity": Decimal("10"), "unit": "pcs", "unit_cost": Decimal("2.50"),
         "outside_operation": outside, "due_date": timezone.localdate() + timedelta(days=5)}])  # fmt: skip
    with pytest.raises(ValidationError, match="cannot be removed"):
        job_services.operation_remove(operation=outside.operation, by=manager)
    assert OutsideOperation.objects.filter(pk=outside.pk).exists()
