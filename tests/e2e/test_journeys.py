"""The three users' journeys through the UI only, in a real Chromium, at desktop and tablet sizes."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import Job
from sales.models import SalesOrder
from tests.e2e.helpers import TABLET_LANDSCAPE, TABLET_PORTRAIT
from tests.factories import CustomerFactory, ItemFactory
from tests.jobs.factories import give_routing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DUE = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()


@pytest.fixture
def shop(db):
    """Setup through the ORM: a customer, a catalogue item with a two-step routing."""
    customer = CustomerFactory(code="ACME", name="Acme Packaging", email="buyer@acme.example.com")
    item = ItemFactory(part_number="BRK-100", description="Motor bracket")
    give_routing(item, "SAW", "CNC")
    from tests.jobs.factories import WorkCenterFactory

    WorkCenterFactory(code="ENG")
    return {"customer": customer, "item": item}


def run_job_on_tablet(page, live_server, job, *, hold=False):
    """A lead runs each operation: start, (pause/resume on the first), report all pieces, finish."""
    page.goto(f"{live_server.url}{job.get_floor_url()}")
    last = job.operations.order_by("sequence").last().sequence
    for index, op in enumerate(job.operations.order_by("sequence")):
        card = page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")
        card.get_by_role("button", name="Start").click()
        card = page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")
        expect(card.get_by_role("button", name="Pause")).to_be_visible()
        if index == 0:
            card.get_by_role("button", name="Pause").click()
            card = page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")
            card.get_by_role("button", name="Resume").click()
            expect(page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}").get_by_role(
                "button", name="Pause")).to_be_visible()  # fmt: skip
            if hold:
                page.get_by_label("Hold reason").select_option("Waiting for material")
                page.get_by_role("button", name="Put job on hold").click()
                expect(page.get_by_text("Waiting for material").first).to_be_visible()
                page.get_by_role("button", name="Resume job").click()
        card = page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")
        card.get_by_label("Good pieces").fill(str(job.quantity))
        card.get_by_role("button", name="Report").click()
        expect(page.get_by_text(f"Reported {job.quantity} good")).to_be_visible()
        card = page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")
        card.get_by_role("button", name="Finish").click()
        if op.sequence == last:  # its finish completes the job: the tablet asks first
            card.get_by_role("button", name=f"Finish and complete {job.number}").click()
        expect(
            page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}").get_by_text("Done")
        ).to_be_visible()


def test_order_to_shipment_journey(login_as, live_server, shop, office, manager, lead, clerk, tmp_path,
                                   screenshot, axe_check):  # fmt: skip
    # Office enters an order with a standard line and a custom line with a drawing, and submits it.
    page = login_as("office")
    page.goto(f"{live_server.url}/sales/orders/new/")
    axe_check(page)
    page.get_by_label("Customer*").select_option(label="ACME - Acme Packaging")
    page.get_by_label("Customer PO number").fill("PO-E2E-1")
    line1 = page.locator("fieldset[data-line]").nth(0)
    line1.get_by_label("Item").select_option(label=str(shop["item"]))
    line1.get_by_label("Quantity*").fill("4")
    line1.get_by_label("Due date*").fill(DUE)
    page.get_by_role("button", name="Add line").click()
    line2 = page.locator("fieldset[data-line]").nth(1)
    line2.get_by_label("Quantity*").fill("2")
    line2.get_by_label("Unit price").fill("80")
    line2.get_by_label("Due date*").fill(DUE)
    line2.get_by_label("Description").fill("Adapter plate")
    line2.get_by_label("Customer drawing number").fill("AP-7")
    drawing = tmp_path / "ap-7.pdf"
    drawing.write_bytes(PDF)
    line2.get_by_label("Drawing", exact=True).set_input_files(str(drawing))
    expect(page.locator("#order-total")).to_have_text(re.compile(r"210\.00"))
    screenshot(page, "order-form-desktop")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("created as a draft")).to_be_visible()
    expect(page.get_by_role("link", name="ap-7.pdf")).to_be_visible()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    order = SalesOrder.objects.get(customer_po="PO-E2E-1")

    # A manager approves it; the jobs appear on the order.
    mpage = login_as("manager")
    mpage.goto(f"{live_server.url}{order.get_absolute_url()}")
    mpage.get_by_role("button", name="Approve").click()
    expect(mpage.get_by_role("heading", name="On the floor")).to_be_visible()
    axe_check(mpage)
    screenshot(mpage, "order-detail-desktop")

    # A lead on a tablet runs both jobs to complete, with one hold and resume.
    tablet = login_as("lead", TABLET_LANDSCAPE)
    tablet.goto(f"{live_server.url}/jobs/floor/?wc=SAW")
    expect(tablet.get_by_text(f"J-{order.number_digits}-01")).to_be_visible()
    axe_check(tablet)
    screenshot(tablet, "floor-board-tablet-landscape")
    jobs = list(Job.objects.filter(sales_order=order).order_by("number"))
    run_job_on_tablet(tablet, live_server, jobs[0], hold=True)
    screenshot(tablet, "floor-job-tablet-landscape")
    run_job_on_tablet(tablet, live_server, jobs[1])
    order.refresh_from_db()
    assert order.status == "in_production"
    assert {j.status for j in Job.objects.filter(sales_order=order)} == {"complete"}

    # A clerk ships part, then the rest, and prints the packing slip.
    cpage = login_as("clerk")
    cpage.goto(f"{live_server.url}/shipping/")
    axe_check(cpage)
    cpage.get_by_role("link", name=f"Ship {order.number}").first.click()
    first_line, second_line = order.lines.order_by("line_no")
    cpage.get_by_label("Quantity to ship of line 1").fill("3")
    cpage.get_by_label("Quantity to ship of line 2").fill("2")
    cpage.get_by_label("Carrier", exact=True).fill("UPS")
    cpage.get_by_label("Tracking number").fill("1ZE2E0001")
    cpage.get_by_role("button", name="Save draft").click()
    cpage.get_by_role("button", name="Mark shipped").click()
    expect(cpage.get_by_text("Shipped").first).to_be_visible()
    cpage.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(cpage.get_by_text("Partially shipped").first).to_be_visible()
    cpage.get_by_role("link", name="New shipment").click()
    expect(cpage.get_by_label("Quantity to ship of line 1")).to_have_value("1")
    cpage.get_by_role("button", name="Save draft").click()
    cpage.get_by_role("link", name="Packing slip").click()
    expect(cpage.get_by_role("heading", name="Packing slip")).to_be_visible()
    axe_check(cpage)
    screenshot(cpage, "packing-slip-desktop")
    cpage.go_back()
    cpage.get_by_role("button", name="Mark shipped").click()
    order.refresh_from_db()
    assert order.status == "shipped"


def test_wrong_role_gets_403_and_bad_form_shows_errors(login_as, live_server, shop, lead, office):
    page = login_as("lead", TABLET_PORTRAIT)
    response = page.goto(f"{live_server.url}/sales/orders/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page = login_as("office")
    page.goto(f"{live_server.url}/sales/orders/new/")
    page.get_by_label("Customer*").select_option(label="ACME - Acme Packaging")
    line = page.locator("fieldset[data-line]").nth(0)
    line.get_by_label("Quantity*").fill("0")
    line.get_by_label("Due date*").fill(DUE)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 1.")).to_be_visible()
    expect(page.get_by_text("Required for a custom part.").first).to_be_visible()
    assert not SalesOrder.objects.exists()


def test_two_tablets_see_each_others_change(login_as, live_server, shop, office, manager, lead):
    from tests.scenarios import approved_order

    order = approved_order(office, manager, quantity=3)
    job = Job.objects.get(sales_order=order)
    first = login_as("lead", TABLET_LANDSCAPE)
    second = login_as("lead", TABLET_PORTRAIT)
    for page in (first, second):
        page.goto(f"{live_server.url}{job.get_floor_url()}")
    first.get_by_role("button", name="Start").first.click()
    # The other tablet notices within its polling interval, without a reload.
    expect(second.get_by_role("button", name="Pause").first).to_be_visible(timeout=15_000)
    touch_targets = second.evaluate(
        """() => [...document.querySelectorAll('#routing button, #routing input, #routing select')]
              .filter(el => el.offsetParent !== null)
              .map(el => { const r = el.getBoundingClientRect();
                           return [el.textContent.trim() || el.name, r.width, r.height]; })"""
    )
    small = [t for t in touch_targets if t[1] < 44 or t[2] < 44]
    assert touch_targets and small == [], f"touch targets under 44x44 px: {small}"
