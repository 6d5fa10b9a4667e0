"""Change orders (#11) in a real Chromium: the office drafts a change request on an approved order, a manager
approves it on a tablet, and the order, its jobs, travelers and acknowledgments follow; refusals and roles."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from jobs.models import Job
from sales import services as sales_services
from sales.models import ChangeItem, ChangeRequest, SalesOrder
from tests.e2e.helpers import TABLET_LANDSCAPE
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing
from tests.scenarios import run_job, ship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARROW = "\u2192"
# Every visible button, and every link drawn as a button, in the page's main content: [text, width, height].
TOUCH_TARGETS = """() => [...document.querySelectorAll('main button, main a.btn')]
    .filter(el => el.offsetParent !== null)
    .map(el => { const r = el.getBoundingClientRect(); return [el.innerText.trim(), r.width, r.height]; })"""


@pytest.fixture
def order(office, manager):
    """An approved order of Acme's: line 1 is 10 brackets, line 2 is 5, each with its released job."""
    customer = CustomerFactory(code="ACME", name="Acme Packaging")
    item = ItemFactory(part_number="BRK-100", description="Motor bracket")
    give_routing(item, "SAW", "CNC")
    order = SalesOrderFactory(customer=customer, customer_po="PO-CHG-1", created_by=office, lines=0)
    SalesOrderLineFactory(order=order, line_no=1, item=item, quantity=10)
    SalesOrderLineFactory(order=order, line_no=2, item=item, quantity=5)
    sales_services.sales_order_submit(order=order, by=office)
    return sales_services.sales_order_approve(order=order, by=manager)


def assert_touch_targets(page):
    """Buttons (and links drawn as buttons) are at least 44 px high, as on the other pages."""
    targets = page.evaluate(TOUCH_TARGETS)
    small = [t for t in targets if t[2] < 44]
    assert targets and small == [], f"touch targets under 44 px high on {page.url}: {small}"


def change_rows(page):
    """The rows of 'Changes in this request': [kind, summary, reason] each."""
    rows = page.get_by_role("region", name="Changes in this request").locator("tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()[:3]] for row in rows.all()]


def add_change(page, link_name, fields, reason):
    """From the change request page: open one 'add a change' form, fill it, save, and be back."""
    page.get_by_role("link", name=link_name, exact=True).click()
    expect(page.get_by_label("Reason")).to_be_visible()
    for label, value in fields.items():
        field = page.get_by_label(label)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Changes in this request")).to_be_visible()


def ack_rows(page):
    """The acknowledgment's lines: [line no, part, description, due, qty, ...] each (a cancelled line: 4 cells)."""
    return [[c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator("article tbody tr").all()]


def test_change_order_journey(login_as, live_server, order, office, manager, screenshot, axe_check):
    line1, line2 = order.lines.order_by("line_no")
    item = line1.item
    new_due = (line1.due_date + datetime.timedelta(days=7)).isoformat()
    added_due = (line1.due_date + datetime.timedelta(days=10)).isoformat()

    # The office opens the approved order and starts a change order: a draft request, nothing changed yet.
    page = login_as("office")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.get_by_role("button", name="Change order").click()
    expect(page.get_by_role("heading", name=f"{order.number} change 1")).to_be_visible()
    expect(page.get_by_text("Nothing on the order changes until a manager approves")).to_be_visible()
    expect(page.get_by_text("No changes yet.")).to_be_visible()
    change = ChangeRequest.objects.get(order=order)
    assert (change.status, change.number) == (ChangeRequest.Status.DRAFT, 1)
    axe_check(page)

    # The add form passes axe; line 1's quantity goes in through it (and is edited), then line 1's due date.
    page.get_by_role("link", name="Quantity of line 1", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"quantity, line 1"))).to_be_visible()
    axe_check(page)
    screenshot(page, "change-item-form-desktop")
    page.get_by_role("link", name="Cancel").click()
    add_change(page, "Quantity of line 1", {"New quantity": "15"}, "Customer PO amendment 2")
    # A draft's change is edited in place: the form comes back filled in.
    page.get_by_role("link", name=f"Edit Line 1: quantity 10 {ARROW} 15").click()
    expect(page.get_by_label("New quantity")).to_have_value("15")
    expect(page.get_by_label("Reason")).to_have_value("Customer PO amendment 2")
    page.get_by_label("New quantity").fill("14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name=f"Line 1: quantity 10 {ARROW} 14", exact=True)).to_be_visible()
    add_change(page, "Due date of line 1", {"New due date": new_due}, "Customer can take them later")
    # A new line of the catalogue item, and line 2 cancelled.
    add_change(
        page, "Add a line", {"Standard item": str(item), "Quantity": "3", "Due date": added_due}, "Spares for line 1"
    )
    add_change(page, "Cancel line of line 2", {}, "Customer dropped the second bracket")
    assert change_rows(page) == [
        ["Line quantity", f"Line 1: quantity 10 {ARROW} 14", "Customer PO amendment 2"],
        ["Line due date", f"Line 1: due {line1.due_date:%Y-%m-%d} {ARROW} {new_due}", "Customer can take them later"],
        ["Add line", f"New line: 3 x {item.part_number} rev {item.revision} added, due {added_due}",
         "Spares for line 1"],
        ["Cancel line", f"Line 2 cancelled (5 x {item.part_number} rev {item.revision})",
         "Customer dropped the second bracket"],
    ]  # fmt: skip
    # Line 1 is offered no second quantity change (the first is edited instead); the cancelled line 2 none.
    expect(page.get_by_role("link", name="Quantity of line 1", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Due date of line 2", exact=True)).to_have_count(0)
    expect(page.get_by_text("Cancelled by this request")).to_be_visible()
    # Typed in by hand, the URL of a second quantity change is refused with a message.
    page.goto(f"{live_server.url}{reverse('sales:change-item-create', args=[change.pk, 'quantity'])}"
              f"?line={order.lines.get(line_no=1).pk}")  # fmt: skip
    page.get_by_label("New quantity").fill("15")
    page.get_by_label("Reason").fill("Twice")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Line 1 already has a line quantity change here; edit that one.")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    assert ChangeItem.objects.filter(change_request=change).count() == 4
    order.refresh_from_db()
    assert order.revision == 0 and order.lines.get(line_no=1).quantity == 10  # nothing applied yet
    axe_check(page)
    assert_touch_targets(page)
    screenshot(page, "change-request-draft-desktop")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve change")).to_have_count(0)  # the office cannot decide
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING

    # The manager, on a 10-inch tablet, finds the request on the home page and approves it with a note.
    tablet = login_as("manager", TABLET_LANDSCAPE)
    tablet.goto(f"{live_server.url}/")
    waiting = tablet.get_by_role("region", name="Order changes awaiting approval")
    expect(waiting.get_by_text("1", exact=True)).to_be_visible()
    waiting.get_by_role("link", name=f"{order.number} change 1").click()
    expect(tablet.get_by_role("heading", name=f"{order.number} change 1")).to_be_visible()
    expect(tablet.get_by_text(f"Line 1: quantity 10 {ARROW} 14")).to_be_visible()
    axe_check(tablet)
    assert_touch_targets(tablet)
    screenshot(tablet, "change-request-pending-tablet-landscape")
    tablet.get_by_label("Note (optional)").fill("Agreed with Acme by phone")
    tablet.get_by_role("button", name="Approve change").click()
    expect(tablet.get_by_text(f"Change 1 of {order.number} approved")).to_be_visible()

    # The order shows revision 1, the cancelled line struck through, the added line and the approved change.
    tablet.wait_for_url(f"**{order.get_absolute_url()}")
    expect(tablet.get_by_text("Revision 1", exact=True)).to_be_visible()
    lines = tablet.get_by_role("region", name="Lines").locator("tbody tr")
    expect(lines).to_have_count(3)
    cancelled = lines.nth(1)
    expect(cancelled).to_have_class(re.compile(r"\bline-cancelled\b"))
    expect(cancelled.get_by_text("Cancelled")).to_be_visible()
    decoration = cancelled.locator("td").nth(1).evaluate("el => getComputedStyle(el).textDecorationLine")
    assert decoration == "line-through"
    expect(lines.nth(0).locator("td").nth(5)).to_have_text("14")
    expect(lines.nth(2).locator("td").nth(5)).to_have_text("3")
    history = tablet.get_by_role("region", name="Changes after approval")
    expect(history.get_by_text("made revision 1")).to_be_visible()
    expect(history.get_by_text(f"Line 1: quantity 10 {ARROW} 14")).to_be_visible()
    expect(history.get_by_text("Note: Agreed with Acme by phone")).to_be_visible()
    screenshot(tablet, "order-after-change-tablet-landscape")
    order.refresh_from_db()
    change.refresh_from_db()
    assert (order.revision, change.status, change.revision) == (1, ChangeRequest.Status.APPROVED, 1)
    assert change.decision_note == "Agreed with Acme by phone"

    # The office sees the same; the job of line 1 shows 14 pieces, its new due date and "rev 1" on its traveler.
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.get_by_text("Revision 1", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Changes after approval")).to_be_visible()
    expect(page.get_by_role("button", name="Change order")).to_be_visible()  # a next change can start
    axe_check(page)
    screenshot(page, "order-after-change-desktop")
    job = Job.objects.get(sales_order_line=line1, origin=Job.Origin.ORDER)
    assert (job.quantity, job.due_date.isoformat(), job.order_revision) == (14, new_due, 1)
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    expect(page.get_by_text(f"{order.number} rev 1 line 1")).to_be_visible()
    expect(page.get_by_text("14 (0 good off the last operation)")).to_be_visible()
    page.get_by_role("link", name="Traveler").click()
    expect(page.get_by_role("heading", name=job.number)).to_be_visible()
    expect(page.get_by_text(f"Order {order.number} rev 1 line 1")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"Quantity: 14 · Due: {new_due}"))).to_be_visible()
    screenshot(page, "traveler-after-change-desktop")
    # Line 2's unstarted job is cancelled; the added line 3 has its own job of 3.
    assert Job.objects.get(sales_order_line=line2).status == Job.Status.CANCELLED
    added = Job.objects.get(sales_order_line__order=order, sales_order_line__line_no=3)
    assert (added.quantity, added.due_date.isoformat()) == (3, added_due)

    # The acknowledgment offers "As approved" and "Rev 1", each with its own lines and quantities.
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.get_by_role("link", name="Acknowledgment", exact=True).click()
    revisions = page.get_by_role("navigation", name="Revisions")
    expect(revisions.get_by_role("link", name="Rev 1")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(f"{order.number} rev 1", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Changed in revision 1")).to_be_visible()
    rev1 = ack_rows(page)
    assert [r[0] for r in rev1] == ["1", "2", "3"]
    assert rev1[0][3:5] == [new_due, "14"]
    assert rev1[1][3] == "Cancelled" and len(rev1[1]) == 4
    assert rev1[2][3:5] == [added_due, "3"]
    axe_check(page)
    screenshot(page, "acknowledgment-rev1-desktop")
    revisions.get_by_role("link", name="As approved").click()
    expect(revisions.get_by_role("link", name="As approved")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(order.number, exact=True)).to_be_visible()  # no "rev" on the original
    expect(page.get_by_role("heading", name=re.compile("Changed in revision"))).to_have_count(0)
    as_approved = ack_rows(page)
    assert [r[0] for r in as_approved] == ["1", "2"]
    assert as_approved[0][3:5] == [f"{line1.due_date:%Y-%m-%d}", "10"]
    assert as_approved[1][3:5] == [f"{line2.due_date:%Y-%m-%d}", "5"]
    # 10 + 5 pieces at 12.50 as approved; 14 + 3 at 12.50 in revision 1.
    expect(page.locator("article tfoot")).to_contain_text("187.50")
    screenshot(page, "acknowledgment-as-approved-desktop")
    revisions.get_by_role("link", name="Rev 1").click()
    expect(page.locator("article tfoot")).to_contain_text("212.50")


def _ship(order, lead, clerk, pieces):
    """Line 1's job runs to complete with `pieces` good, and those pieces ship."""
    line = order.lines.get(line_no=1)
    run_job(Job.objects.get(sales_order_line=line, origin=Job.Origin.ORDER), lead, pieces)
    ship(order, clerk, {line.pk: pieces})


def test_bad_quantity_shows_the_field_error_and_saves_nothing(
    login_as, live_server, order, office, lead, clerk, screenshot, axe_check
):
    _ship(order, lead, clerk, 8)  # 8 of line 1's 10 pieces have gone
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
    page = login_as("office")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.get_by_role("button", name="Change order").click()
    page.get_by_role("link", name="Quantity of line 1", exact=True).click()
    form_url = page.url
    quantity = page.get_by_label("New quantity")
    for value, message in [
        ("7", "8 pieces of line 1 have shipped; the quantity cannot go below 8."),
        ("10", "Line 1 is for 10 already."),
        ("0", "Ensure this value is greater than or equal to 1."),
    ]:
        quantity.fill(value)
        page.get_by_label("Reason").fill("Customer asked")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(message)).to_be_visible()
        assert page.url == form_url
        # The error belongs to the field: it is marked invalid and the message is tied to it.
        expect(quantity).to_have_attribute("aria-invalid", "true")
        expect(quantity).to_have_value(value)
        described = quantity.get_attribute("aria-describedby") or ""
        assert any(message in (page.locator(f"#{ref}").inner_text() or "") for ref in described.split()), described
        assert not ChangeItem.objects.exists()
    axe_check(page)
    screenshot(page, "change-item-form-error-desktop")
    # The shipped figure itself is accepted (and would finish the order on approval).
    quantity.fill("8")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name=f"Line 1: quantity 10 {ARROW} 8", exact=True)).to_be_visible()
    assert ChangeItem.objects.get().quantity == 8
    order.refresh_from_db()
    assert order.revision == 0 and order.lines.get(line_no=1).quantity == 10


def test_a_rejection_needs_a_reason_and_changes_nothing(login_as, live_server, order, office, manager, axe_check):
    line = order.lines.get(line_no=1)
    change = sales_services.change_request_open(order=order, by=office)
    sales_services.change_item_add(change_request=change, kind="quantity", line=line, quantity=20,
                                   reason="Customer e-mail", by=office)  # fmt: skip
    sales_services.change_request_submit(change_request=change, by=office)

    tablet = login_as("manager", TABLET_LANDSCAPE)
    tablet.goto(f"{live_server.url}{change.get_absolute_url()}")
    reject = tablet.get_by_role("button", name="Reject")
    # The browser asks for the reason first...
    reject.click()
    assert tablet.get_by_label("Reason to reject").evaluate("el => !el.validity.valid")
    expect(tablet.get_by_text("Pending approval").first).to_be_visible()
    # ... and the server refuses a blank one all the same (a browser that skips the check).
    tablet.get_by_label("Reason to reject").fill("   ")
    tablet.get_by_label("Reason to reject").evaluate("el => el.removeAttribute('required')")
    reject.click()
    expect(tablet.get_by_text("Please give a reason.")).to_be_visible()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING
    tablet.get_by_label("Reason to reject").fill("Price not agreed yet")
    tablet.get_by_role("button", name="Reject").click()
    expect(tablet.get_by_text(f"Change 1 of {order.number} rejected")).to_be_visible()
    expect(tablet.get_by_text("Rejected: Price not agreed yet")).to_be_visible()
    expect(tablet.get_by_role("button", name="Approve change")).to_have_count(0)
    axe_check(tablet)
    change.refresh_from_db()
    order.refresh_from_db()
    line.refresh_from_db()
    assert (change.status, change.decision_note) == (ChangeRequest.Status.REJECTED, "Price not agreed yet")
    assert (order.revision, line.quantity) == (0, 10)
    assert Job.objects.get(sales_order_line=line).quantity == 10


def test_the_shop_floor_lead_cannot_add_changes(login_as, live_server, order, office, lead):
    change = sales_services.change_request_open(order=order, by=office)
    line = order.lines.get(line_no=1)
    page = login_as("lead", TABLET_LANDSCAPE)
    # The lead may read the request but gets no editing controls ...
    page.goto(f"{live_server.url}{change.get_absolute_url()}")
    expect(page.get_by_role("heading", name=f"{order.number} change 1")).to_be_visible()
    expect(page.get_by_role("link", name="Add a line")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for approval")).to_have_count(0)
    # ... nor the add form, nor a way to open a change from the order.
    for kind, query in (("quantity", f"?line={line.pk}"), ("add_line", "")):
        response = page.goto(live_server.url + reverse("sales:change-item-create", args=[change.pk, kind]) + query)
        assert response.status == 403, kind
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.get_by_role("heading", name=order.number)).to_be_visible()
    expect(page.get_by_role("button", name="Change order")).to_have_count(0)
    assert not ChangeItem.objects.exists()


@pytest.mark.parametrize("kind", ["add_line", "revision"])
def test_editing_an_added_line_or_a_revision_change(login_as, live_server, order, office, kind):
    line = order.lines.get(line_no=1)
    rev_b = ItemFactory(part_number="BRK-100", revision="B", description="Motor bracket")
    change = sales_services.change_request_open(order=order, by=office)
    if kind == "add_line":
        sales_services.change_item_add(change_request=change, kind=kind, item=line.item, quantity=2,
                                       date=line.due_date, reason="Spares", by=office)  # fmt: skip
        link, label, value, summary = "Edit New line", "Quantity", "6", "New line: 6 x BRK-100 rev A added"
    else:
        sales_services.change_item_add(change_request=change, kind=kind, line=line, item=rev_b, reason="ECN 7",
                                       by=office)  # fmt: skip
        link, label, value, summary = "Edit Line 1: revision", "Reason", "ECN 7b", f"Line 1: revision A {ARROW} B"
    page = login_as("office")
    page.goto(f"{live_server.url}{change.get_absolute_url()}")
    page.get_by_role("link", name=link).click()
    page.get_by_label(label).fill(value)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save").click()
    assert posted.value.status == 302, f"saving the edited {kind} change answered {posted.value.status}"
    expect(page.get_by_role("cell", name=re.compile("^" + re.escape(summary)))).to_be_visible()
    edited = ChangeItem.objects.get()
    assert str(edited.quantity if kind == "add_line" else edited.reason) == value
