"""Issue 18's "Done when" in a real Chromium: a buyer buys a job's material (proposal -> draft PO -> send) and
receives it with a heat number (tablet), the job's first operation becomes ready on the floor; a clerk ships
the outside operation's pieces to the plater and receives them back with one reject and a certificate PDF
(tablet); the job page shows the cost by category (labor, material, outside services)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jobs import services as job_services
from purchasing import services as purchasing_services
from purchasing.models import PurchaseOrder
from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT
from tests.factories import ensure_role_groups
from tests.scenarios import plating_job, vendor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_buy_receive_send_out_and_cost_by_category(login_as, live_server, office, manager, buyer, lead, clerk,
                                                   tmp_path, axe_check):  # fmt: skip
    ensure_role_groups()
    job, outside = plating_job(office, manager, quantity=10)
    saw = job.operations.get(sequence=10)
    purchasing_services.requirement_add(job=job, by=buyer, description="Steel bar 40 mm", quantity=Decimal("10"),
                                        unit="m", estimated_cost=Decimal("100.00"), vendor=vendor())  # fmt: skip
    saw.refresh_from_db()
    assert saw.material_ready is False

    # The buyer, at a desk: what the released jobs need -> draft orders -> send the steel one.
    page = login_as("buyer", DESKTOP)
    page.goto(f"{live_server.url}/purchasing/buy/")
    expect(page.get_by_role("heading", name="STEEL · Steel Supply")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=re.compile(r"Make \d+ draft POs?")).click()
    expect(page.get_by_text("Draft orders made")).to_be_visible()
    steel_po = PurchaseOrder.objects.get(vendor__code="STEEL")
    page.get_by_role("link", name=steel_po.number).click()
    expect(page.get_by_role("heading", name=re.compile(steel_po.number))).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Send to vendor").click()
    expect(page.get_by_text(f"Sent {steel_po.number} to the vendor")).to_be_visible()
    steel_po.refresh_from_db()
    assert steel_po.status == "sent"

    # ...and at the dock on a tablet: receive it all with its heat number.
    dock = login_as("buyer", TABLET_PORTRAIT)
    dock.goto(f"{live_server.url}/purchasing/receiving/")
    card = dock.locator("section.card", has_text=steel_po.number)
    axe_check(dock)
    card.get_by_label("Quantity").fill("10")
    card.get_by_label("Lot / heat number").fill("HEAT-4711")
    card.get_by_role("button", name="Receive").click()
    expect(dock.get_by_text(f"Received 10 on {steel_po.number}/1")).to_be_visible()
    saw.refresh_from_db()
    assert saw.material_ready is True

    # The floor sees the first operation ready (no longer waiting for material) and runs it.
    floor = login_as("lead", TABLET_PORTRAIT)
    floor.goto(f"{live_server.url}{job.get_floor_url()}")
    saw_card = floor.locator("section.card", has_text=f"{saw.sequence} · SAW")
    expect(saw_card.get_by_role("button", name="Start")).to_be_visible()
    expect(saw_card.get_by_text("waiting for material")).to_have_count(0)
    job_services.operation_act(operation=saw, action="start", by=lead)
    job_services.operation_report_pieces(operation=saw, good=10, by=lead)
    job_services.operation_act(operation=saw, action="finish", by=lead)

    # The clerk ships the pieces to the plater and receives them back: one reject, the plater's certificate.
    shipping = login_as("clerk", TABLET_PORTRAIT)
    shipping.goto(f"{live_server.url}/purchasing/outside/{outside.pk}/")
    axe_check(shipping)
    shipping.get_by_label("Pieces to ship").fill("10")
    shipping.get_by_role("button", name="Ship to vendor").click()
    expect(shipping.get_by_text("Pieces shipped out")).to_be_visible()
    shipping.get_by_label("Good pieces back").fill("9")
    shipping.get_by_label("Rejected by the vendor or at inspection").fill("1")
    certificate = tmp_path / "plating-cert.pdf"
    certificate.write_bytes(PDF)
    shipping.get_by_label("Vendor certificate (PDF)").set_input_files(str(certificate))
    shipping.get_by_role("button", name="Receive back").click()
    expect(shipping.get_by_text("Pieces received back.")).to_be_visible()
    axe_check(shipping)
    outside.refresh_from_db()
    assert (outside.pieces_sent, outside.pieces_back_good, outside.pieces_rejected) == (10, 9, 1)
    assert outside.returns.get().certificate_name == "plating-cert.pdf"

    # The job page: the material with its heat, the outside operation, and the cost by category.
    desk = login_as("manager", DESKTOP)
    desk.goto(f"{live_server.url}{job.get_absolute_url()}")
    expect(desk.get_by_text("HEAT-4711")).to_be_visible()
    cost = desk.get_by_role("table", name=f"Cost of {job.number}")
    for category in ("Labor", "Material", "Outside services", "Total"):
        expect(cost.get_by_role("cell", name=category, exact=True)).to_be_visible()
    expect(cost.get_by_role("row", name=re.compile(r"^Material 100\.00 "))).to_be_visible()
    axe_check(desk)
