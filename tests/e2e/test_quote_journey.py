"""A quote's journey in the browser: priced as it is typed, adjusted by what the floor's jobs actually took,
sent, won at one break, and the job made with the routing that was sold."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jobs.models import Job
from quotes.models import Quote
from sales.models import SalesOrder
from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import completed_job

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def shop(db, lead):
    """A customer, two work centers, and three jobs completed at CNC that took 25 % longer to set up and 20 %
    longer per piece than estimated (the accuracy figures the quote applies)."""
    customer = CustomerFactory(code="ACME", name="Acme Packaging", email="buyer@acme.example.com")
    saw = WorkCenterFactory(code="SAW", name="Band saw", hourly_rate=D("60.00"))
    cnc = WorkCenterFactory(code="CNC", name="Machining center", hourly_rate=D("90.00"))
    for _ in range(3):
        completed_job(by=lead, center=cnc, setup_est=D("2"), run_est=D("0.1"), setup_actual=D("2.5"),
                      run_actual=D("1.2"), pieces=10)  # fmt: skip
    return {"customer": customer, "saw": saw, "cnc": cnc}


def fill_operation(row, center, description, setup, run):
    row.get_by_label("Work center").select_option(label=str(center))
    row.get_by_label("Description").fill(description)
    row.get_by_label("Setup h").fill(setup)
    row.get_by_label("Run h/pc").fill(run)


def test_quote_priced_as_typed_adjusted_sent_won_and_made(login_as, live_server, shop, office, manager, axe_check,
                                                          screenshot):  # fmt: skip
    # Office starts a quote for a custom part from the quote list.
    page = login_as("office")
    page.goto(f"{live_server.url}/quotes/")
    page.get_by_role("link", name="New quote").click()
    expect(page.get_by_role("heading", name="New quote")).to_be_visible()
    page.get_by_label("Customer", exact=True).select_option(label=str(shop["customer"]))
    page.get_by_label("Contact name").fill("Ann Buyer")
    page.get_by_label("Contact e-mail").fill("ann@acme.example.com")
    page.get_by_label("Customer's RFQ reference").fill("RFQ-E2E-7")
    page.get_by_label("Markup %", exact=False).first.fill("12")

    line = page.locator("fieldset[data-line]").first
    token = line.get_attribute("id").removeprefix("line-")
    page.locator(f"#id_line-{token}-description").fill("Mounting bracket, 6061-T6")
    line.get_by_label("Customer drawing number").fill("DWG-4471")
    line.get_by_label("Drawing revision").fill("C")
    line.get_by_label("Quantity breaks").fill("1, 10, 100")
    ops = line.locator(f"#ops-{token} [data-row]")
    fill_operation(ops.nth(0), shop["saw"], "Saw blanks", "0.5", "0.05")
    line.get_by_role("button", name="Add operation").click()
    expect(ops).to_have_count(2)
    fill_operation(ops.nth(1), shop["cnc"], "Mill complete", "2", "0.25")
    line.get_by_role("button", name="Add material").click()
    material = line.locator(f"#mat-{token} [data-row]").first
    material.get_by_label("Description / spec").fill("6061-T6 bar 50 x 20")
    material.get_by_label("Cost").fill("4.20")
    material.get_by_label("Scrap %").fill("5")
    line.get_by_role("button", name="Add outside service").click()
    outside = line.locator(f"#out-{token} [data-row]").first
    outside.get_by_label("Vendor name").fill("Anodize Co")
    outside.get_by_label("Cost").fill("120")
    outside.get_by_label("Lead days").fill("7")

    # The price per break appears without a reload, and changes as the run hours are typed.
    pricing = page.locator(f"#pricing-{token}")
    ten = pricing.locator('tr[data-break="10"] [data-unit-price]')
    # 10 pcs: labor (0.5x60 + 0.05x10x60 + 2x90 + 0.25x10x90)/10 = 46.50, material 4.41, outside 12.00
    expect(ten).to_have_text("70.46")  # 62.91 x 1.12
    expect(pricing.locator("tr[data-break]")).to_have_count(3)
    ops.nth(1).get_by_label("Run h/pc").fill("0.3")
    expect(ten).to_have_text("75.50")  # labor 51.00: 67.41 x 1.12
    expect(page.get_by_test_id("pricing-summary")).to_contain_text("below the shop's threshold")
    assert Quote.objects.count() == 0  # the preview saved nothing

    # The page fits a tablet held upright and a laptop: nothing scrolls sideways.
    for viewport in (TABLET_PORTRAIT, {"width": 1366, "height": 900}):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the edit page scrolls sideways at {viewport}"
        screenshot(page, f"quote-edit-{viewport['width']}")
    axe_check(page)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The quote was saved as a draft.")).to_be_visible()
    quote = Quote.objects.get()
    expect(page.get_by_test_id("pricing-1").locator("tbody tr").nth(1)).to_contain_text("75.50")

    # The floor ran CNC work 25 % / 20 % over: the quote applies it to the line, visibly.
    expect(page.get_by_text("CNC setups ran +25% over 3 operations")).to_be_visible()
    page.get_by_role("button", name="Apply the accuracy figures to the whole line").click()
    expect(page.get_by_text("2.000 × 1.25 = 2.500")).to_be_visible()
    expect(page.get_by_text("0.300 × 1.20 = 0.360")).to_be_visible()
    # 10 pcs: labor (30 + 30 + 2.5x90 + 0.36x10x90)/10 = 60.90 -> cost 77.31, unit price 86.59
    expect(page.get_by_test_id("pricing-1").locator("tbody tr").nth(1)).to_contain_text("86.59")

    # A margin of 10.7 % is under the shop's 15 %: the office may not send it until a manager approves.
    expect(page.get_by_text("a Manager must approve it before it is sent")).to_be_visible()
    mpage = login_as("manager")
    mpage.goto(f"{live_server.url}{quote.get_absolute_url()}")
    mpage.get_by_role("button", name="Approve margin of 10.7%").click()
    expect(mpage.get_by_text("margin approved")).to_be_visible()

    page.reload()
    page.get_by_role("button", name="Send quote").click()
    expect(page.locator("h1 .badge")).to_have_text("Sent")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    # The customer takes the 10-piece break; the order goes for approval at once.
    page.get_by_label("Accept 10 pieces").check()
    page.get_by_label("Submit the order for approval at once").check()
    page.get_by_role("button", name="Accept and make the order").click()
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    order = SalesOrder.objects.get()
    line = order.lines.get()
    assert (line.quantity, line.unit_price, line.drawing_number) == (10, D("86.59"), "DWG-4471")

    # The manager approves the order; its job carries the quoted routing, adjusted as quoted.
    mpage.goto(f"{live_server.url}{order.get_absolute_url()}")
    mpage.get_by_role("button", name="Approve").click()
    expect(mpage.get_by_role("heading", name="On the floor")).to_be_visible()
    job = Job.objects.get(sales_order=order)
    routing = [(o.sequence, o.work_center.code, o.description, o.setup_hours, o.run_hours_per_piece)
               for o in job.operations.order_by("sequence")]  # fmt: skip
    assert routing == [(10, "SAW", "Saw blanks", D("0.500"), D("0.050")),
                       (20, "CNC", "Mill complete", D("2.500"), D("0.360"))]  # fmt: skip
    mpage.goto(f"{live_server.url}{job.get_absolute_url()}")
    expect(mpage.get_by_text("Mill complete")).to_be_visible()


def test_edit_copies_a_jobs_routing_and_removes_rows_without_a_reload(login_as, live_server, shop, office):
    from quotes import services
    from tests.scenarios import bracket_line

    quote = services.quote_create(by=office, customer=shop["customer"], markup_percent=D("30"),
                                  lines=[bracket_line({"SAW": shop["saw"], "CNC": shop["cnc"]})])  # fmt: skip
    job = Job.objects.filter(status="complete").order_by("id").first()
    page = login_as("office", TABLET_PORTRAIT)
    page.goto(f"{live_server.url}{quote.get_absolute_url()}")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name=f"Edit quote {quote.label}")).to_be_visible()
    line = page.locator("fieldset[data-line]").first
    token = line.get_attribute("id").removeprefix("line-")
    ten = page.locator(f'#pricing-{token} tr[data-break="10"] [data-unit-price]')
    expect(ten).to_have_text("89.32")  # the saved quote's price, as on its page
    expect(line.get_by_text("CNC setups ran +25% over 3 operations")).to_be_visible()  # beside the CNC operation

    # Remove the fixture plate (50.00 a lot): 5.00 a piece less at 10 pieces, re-priced at once.
    line.locator(f"#mat-{token} [data-row]").nth(1).get_by_role("button", name="Remove this material").click()
    expect(line.locator(f"#mat-{token} [data-row]")).to_have_count(1)
    expect(ten).to_have_text("82.82")  # (68.71 - 5.00) x 1.3

    # Start the routing from a completed job instead: its one CNC operation at 2 h setup, 0.1 h a piece.
    line.get_by_text("Copy the routing from").click()
    line.get_by_label("Part number, drawing number or description").fill(job.number)
    line.get_by_role("button", name="Copy routing").click()
    ops = line.locator(f"#ops-{token} [data-row]")
    expect(ops).to_have_count(1)
    expect(line.get_by_text(f"Copied the routing of job {job.number}")).to_be_visible()
    expect(ops.first.get_by_label("Setup h")).to_have_value("2.000")
    # labor (2x90 + 0.1x10x90)/10 = 27.00, material 4.41, outside 12.80 -> 44.21 x 1.3
    expect(ten).to_have_text("57.47")

    # A second line, added and removed again, leaves one.
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("fieldset[data-line]")).to_have_count(2)
    page.locator("fieldset[data-line]").nth(1).get_by_role("button", name="Remove line").click()
    expect(page.locator("fieldset[data-line]")).to_have_count(1)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(f"{quote.label} saved.")).to_be_visible()
    saved = quote.lines.get()
    assert [(o.work_center.code, o.setup_hours) for o in saved.operations.all()] == [("CNC", D("2.000"))]
    assert saved.materials.count() == 1 and saved.pk == quote.lines.get().pk
