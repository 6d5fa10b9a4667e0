from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.models import Job
from mto.models import Notification
from purchasing import services
from purchasing.models import OutsideOperation, PurchaseOrderLine
from tests.scenarios import job_with_material, sent_purchase_order, vendor

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _line(po):
    return po.lines.get()


def test_adding_material_holds_its_operation_and_receiving_it_all_frees_it(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer, quantity="10")
    first, second = job.operations.order_by("sequence")[:2]
    first.refresh_from_db()
    assert first.material_ready is False and second.material_ready is True
    po = sent_purchase_order(buyer, requirement)
    services.receipt_create(po_line=_line(po), quantity=D("4"), lot_number="H-1", by=buyer)
    first.refresh_from_db()
    po.refresh_from_db()
    assert po.status == "partially_received" and first.material_ready is False
    services.receipt_create(po_line=_line(po), quantity=D("6"), lot_number="H-2", by=buyer)
    first.refresh_from_db()
    po.refresh_from_db()
    requirement.refresh_from_db()
    assert po.status == "received" and first.material_ready is True
    assert requirement.quantity_received == D("10") and _line(po).quantity_received == D("10")
    assert list(_line(po).receipts.values_list("lot_number", flat=True)) == ["H-1", "H-2"]


def test_material_for_a_named_operation_holds_that_one(office, manager, buyer):
    job, _ = job_with_material(office, manager, buyer, operation_seq=20)
    ready = dict(job.operations.values_list("sequence", "material_ready"))
    assert ready == {10: True, 20: False, 30: True}


def test_receipt_within_tolerance_passes_beyond_is_refused(office, manager, buyer, settings):
    settings.PURCHASING_RECEIVE_TOLERANCE_PERCENT = D("5")
    _, requirement = job_with_material(office, manager, buyer, quantity="10")
    po = sent_purchase_order(buyer, requirement)
    assert _line(po).receive_limit == D("10.5")
    services.receipt_create(po_line=_line(po), quantity=D("5"), by=buyer)
    with pytest.raises(ValidationError) as exc:
        services.receipt_create(po_line=_line(po), quantity=D("5.501"), by=buyer)
    assert "at most 10.5 with the 5% tolerance, so 5.5 more" in str(exc.value)
    services.receipt_create(po_line=_line(po), quantity=D("5.5"), by=buyer)
    assert _line(po).quantity_received == D("10.5")
    with pytest.raises(ValidationError, match="so 0 more"):
        services.receipt_create(po_line=_line(po), quantity=D("0.001"), by=buyer)


def test_a_received_order_still_takes_an_over_delivery_within_tolerance(office, manager, buyer, clerk):
    _, requirement = job_with_material(office, manager, buyer, quantity="10")
    po = sent_purchase_order(buyer, requirement)
    services.receipt_create(po_line=_line(po), quantity=D("10"), lot_number="H-1", by=clerk)
    po.refresh_from_db()
    assert po.status == "received"
    services.receipt_create(po_line=_line(po), quantity=D("0.3"), lot_number="H-2", by=clerk)  # the vendor's extra
    po.refresh_from_db()
    assert po.status == "received" and _line(po).quantity_received == D("10.3")
    assert po.status_changes.filter(to_status="received").count() == 1
    requirement.refresh_from_db()
    assert requirement.quantity_received == D("10.3")
    with pytest.raises(ValidationError, match="so 0.2 more"):
        services.receipt_create(po_line=_line(po), quantity=D("0.201"), by=clerk)
    services.purchase_order_transition(po=po, name="close", by=buyer)
    with pytest.raises(ValidationError, match="closed; nothing can be received"):
        services.receipt_create(po_line=_line(po), quantity=D("0.1"), by=clerk)


def test_database_refuses_over_receipt_the_service_did_not_see(office, manager, buyer):
    _, requirement = job_with_material(office, manager, buyer, quantity="10")
    line = _line(sent_purchase_order(buyer, requirement))
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrderLine.objects.filter(pk=line.pk).update(quantity_received=D("10.6"))


def test_receipt_refused_on_a_draft_and_for_a_clerk_allowed_for_an_office_refused(office, manager, buyer, clerk):
    _, requirement = job_with_material(office, manager, buyer)
    po = services.purchase_order_create(vendor=vendor(), by=buyer, lines=[{
        "description": "bar", "quantity": D("10"), "unit": "m", "unit_cost": D("1.00"), "requirement": requirement,
        "due_date": timezone.localdate()}])  # fmt: skip
    with pytest.raises(ValidationError, match="draft"):
        services.receipt_create(po_line=_line(po), quantity=D("1"), by=clerk)
    services.purchase_order_transition(po=po, name="send", by=buyer)
    services.receipt_create(po_line=_line(po), quantity=D("1"), by=clerk)  # shipping clerks receive
    with pytest.raises(PermissionDenied):
        services.receipt_create(po_line=_line(po), quantity=D("1"), by=office)


def test_certificate_must_be_a_pdf_by_content(office, manager, buyer):
    _, requirement = job_with_material(office, manager, buyer)
    line = _line(sent_purchase_order(buyer, requirement))
    fake = SimpleUploadedFile("cert.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError, match="not a PDF"):
        services.receipt_create(po_line=line, quantity=D("1"), certificate=fake, by=buyer)
    receipt = services.receipt_create(
        po_line=line, quantity=D("1"), certificate=SimpleUploadedFile("Mill cert.pdf", PDF), by=buyer
    )
    assert receipt.certificate_name == "Mill cert.pdf" and receipt.certificate.name.endswith(".pdf")
    assert "Mill" not in receipt.certificate.name
    assert line.receipts.count() == 1  # the refused one left nothing


def test_send_mails_the_vendor_through_the_outbox_after_commit(
    office, manager, buyer, django_capture_on_commit_callbacks
):
    _, requirement = job_with_material(office, manager, buyer)
    with django_capture_on_commit_callbacks() as callbacks:
        po = sent_purchase_order(buyer, requirement, vendor_row=vendor("ACME", email="orders@acme.example.com"))
    mail = Notification.objects.get(kind="purchase_order_sent")
    assert mail.email == "orders@acme.example.com" and po.number in mail.subject
    assert f"/purchasing/orders/{po.pk}/print/" in mail.body_text
    assert callbacks  # the send task is published only after commit
    po.refresh_from_db()
    assert po.sent_at is not None and po.status == "sent"


def test_cancel_needs_a_reason_frees_the_requirement_for_another_po(office, manager, buyer):
    _, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    with pytest.raises(ValidationError):
        services.purchase_order_transition(po=po, name="cancel", by=buyer, reason="")
    with pytest.raises(ValidationError, match="already on"):
        sent_purchase_order(buyer, requirement)
    services.purchase_order_transition(po=po, name="cancel", by=buyer, reason="Vendor cannot deliver")
    assert _line(po).is_cancelled
    again = sent_purchase_order(buyer, requirement, vendor_row=vendor("OTHER"))
    assert again.status == "sent" and again.pk != po.pk


def test_cancel_refused_once_something_was_received_short_close_needs_a_reason(office, manager, buyer):
    _, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    services.receipt_create(po_line=_line(po), quantity=D("3"), by=buyer)
    with pytest.raises(ValidationError, match="Cannot cancel"):
        services.purchase_order_transition(po=po, name="cancel", by=buyer, reason="x")
    with pytest.raises(ValidationError):
        services.purchase_order_transition(po=po, name="short_close", by=buyer)
    po = services.purchase_order_transition(po=po, name="short_close", by=buyer, reason="Rest not needed")
    assert po.status == "closed"
    assert list(po.status_changes.values_list("to_status", flat=True)) == [
        "draft", "sent", "partially_received", "closed"
    ]  # fmt: skip


def test_propose_groups_by_vendor_and_lists_those_without_one(office, manager, buyer):
    steel, alu = vendor("STEEL"), vendor("ALU")
    job1, r1 = job_with_material(office, manager, buyer, preferred=steel)
    job2, r2 = job_with_material(office, manager, buyer, preferred=steel)
    _, r3 = job_with_material(office, manager, buyer, preferred=alu)
    _, r4 = job_with_material(office, manager, buyer)
    plater = vendor("PLATE", supplies_material=False, processes="plating")
    outside = OutsideOperation.objects.create(operation=job1.operations.last(), vendor=plater,
                                              estimated_cost=D("50.00"), lead_days=3)  # fmt: skip
    proposal = services.purchase_proposal()
    grouped = {g.vendor.code: [line.requirement or line.outside_operation for line in g.lines]
               for g in proposal.groups}  # fmt: skip
    assert grouped == {"ALU": [r3], "PLATE": [outside], "STEEL": [r1, r2]}
    assert proposal.without_vendor == [r4]
    made = services.purchase_orders_create_proposed(by=buyer)
    assert sorted(po.vendor.code for po in made) == ["ALU", "PLATE", "STEEL"]
    assert all(po.status == "draft" for po in made)
    assert services.purchase_proposal().groups == []  # all on an open line now
    with pytest.raises(ValidationError, match="Nothing to buy"):
        services.purchase_orders_create_proposed(by=buyer)


def test_proposal_skips_jobs_not_released(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer, preferred=vendor())
    Job.objects.filter(pk=job.pk).update(status="planned")
    assert services.purchase_proposal().groups == []


def test_issue_from_stock_records_its_cost_and_frees_the_operation(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    requirement = services.requirement_issue_from_stock(requirement=requirement, cost="85.50", by=buyer)
    assert requirement.source == "stock" and requirement.stock_cost == D("85.50") and requirement.issued_by == buyer
    assert job.operations.order_by("sequence").first().material_ready is True
    with pytest.raises(ValidationError):
        sent_purchase_order(buyer, requirement)
    with pytest.raises(ValidationError, match="issued from stock"):
        services.requirement_issue_from_stock(requirement=requirement, cost="1", by=buyer)


def test_requirement_on_an_open_po_cannot_change_removing_one_frees_the_operation(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    with pytest.raises(ValidationError, match=po.number):
        services.requirement_update(requirement=requirement, quantity="3", by=buyer)
    _, other = job_with_material(office, manager, buyer)
    services.requirement_remove(requirement=other, by=buyer)
    assert other.job.operations.order_by("sequence").first().material_ready is True


def test_material_only_on_open_jobs_and_by_buyer_or_planner(office, manager, buyer, lead):
    job, requirement = job_with_material(office, manager, buyer)
    with pytest.raises(PermissionDenied):
        services.requirement_add(job=job, by=office, description="x", quantity=1)
    services.requirement_add(job=job, by=manager, description="Planner's bolts", quantity=4)
    Job.objects.filter(pk=job.pk).update(status="complete")
    with pytest.raises(ValidationError, match="complete"):
        services.requirement_add(job=job, by=buyer, description="x", quantity=1)


def test_bad_quantities_are_refused_with_a_reason(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    for bad in ("abc", "-1", "0", "NaN", "1e20"):
        with pytest.raises(ValidationError):
            services.requirement_add(job=job, by=buyer, description="x", quantity=bad)
    line = _line(sent_purchase_order(buyer, requirement))
    for bad in ("0", "-2", "0.0001", "Infinity"):
        with pytest.raises(ValidationError):
            services.receipt_create(po_line=line, quantity=bad, by=buyer)


def test_draft_edit_replaces_lines_sent_is_read_only(office, manager, buyer):
    _, requirement = job_with_material(office, manager, buyer)
    due = timezone.localdate() + timedelta(days=3)
    po = services.purchase_order_create(
        vendor=vendor(),
        by=buyer,
        lines=[
            {"description": "Shop rags", "quantity": D("2"), "unit": "lot", "unit_cost": D("9.00"), "due_date": due}
        ],
    )
    po = services.purchase_order_update(po=po, by=buyer, lines=[
        {"description": "Shop rags", "quantity": D("3"), "unit": "lot", "unit_cost": D("9.00"), "due_date": due},
        {"description": "bar", "quantity": D("10"), "unit": "m", "unit_cost": D("2.00"), "due_date": due,
         "requirement": requirement}])  # fmt: skip
    assert [(line.line_no, line.quantity) for line in po.lines.all()] == [(1, D("3")), (2, D("10"))]
    services.purchase_order_transition(po=po, name="send", by=buyer)
    with pytest.raises(ValidationError, match="read-only"):
        services.purchase_order_update(po=po, by=buyer, lines=[])


def test_vendor_create_and_update_buyers_only(buyer, lead):
    created = services.vendor_create(by=buyer, code=" acme ", name="Acme Steel", processes="plating, , anodize")
    assert created.code == "ACME" and created.process_list == ["plating", "anodize"]
    services.vendor_update(vendor=created, by=buyer, name="Acme Steel Ltd")
    created.refresh_from_db()
    assert created.name == "Acme Steel Ltd"
    with pytest.raises(PermissionDenied):
        services.vendor_update(vendor=created, by=lead, name="x")
    with pytest.raises(ValidationError):
        services.vendor_create(by=buyer, code="ACME", name="again")
