"""A kiosk tablet at a work center (issue 21), 800x1280: a manager enrolls it, two operators badge in with their
badges (a USB scanner types the code and Enter), both work on one operation, report pieces as themselves, one
finishes through the confirm; a manager reopens the operation from the job page, which shows labor per operator.
The tablet opens nothing else, and goes back to the badge screen by itself when idle."""

import pytest
from playwright.sync_api import expect

from jobs.models import Job, LaborEntry
from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT
from tests.jobs.kiosk_helpers import make_operator
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _scan(page, profile):
    field = page.get_by_role("textbox", name="Scan your badge")
    expect(field).to_be_focused()  # the scanner's keystrokes land here without a tap
    page.keyboard.type(profile.badge_key)
    page.keyboard.press("Enter")
    expect(page.locator("#kiosk-operator")).to_contain_text(profile.user.get_full_name())


def _card(page, sequence):
    return page.locator("section.card", has_text=f"{sequence} · ")


def _sign_off(page):
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name="Badge in")).to_be_visible()


def test_a_kiosk_tablet_runs_one_operation_with_two_operators(live_server, office, manager, login_as, axe_check,
                                                             settings, screenshot):  # fmt: skip
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=10)).get()
    saw = job.operations.order_by("sequence").first().work_center
    ann = make_operator(manager, "Ann", "Able", rate="30.00")
    bob = make_operator(manager, "Bob", "Baker", rate="40.00")

    # The manager enrolls the tablet on the tablet itself; it is the saw's kiosk from then on.
    tablet = login_as("manager", TABLET_PORTRAIT)
    tablet.goto(live_server.url + "/jobs/kiosks/")
    tablet.get_by_label("Work center").select_option(str(saw.pk))
    tablet.get_by_label("Tablet name").fill("Saw tablet")
    tablet.get_by_role("button", name="Enroll as kiosk").click()
    expect(tablet.get_by_role("heading", name="Badge in")).to_be_visible()
    axe_check(tablet)
    # Nothing but the kiosk: the manager's pages, the API, the office's pages answer 403.
    for path in ("/jobs/kiosks/", "/api/v1/jobs/", "/sales/orders/"):
        assert tablet.goto(live_server.url + path).status == 403, path
    tablet.goto(live_server.url + "/kiosk/")

    # Ann badges in, starts op 10 and reports 3 good.
    _scan(tablet, ann)
    tablet.get_by_role("link", name=job.number).click()
    _card(tablet, 10).get_by_role("button", name="Start").click()
    expect(tablet.locator("#messages")).to_contain_text(f"Started on op 10 on {job.number}.")
    card = _card(tablet, 10)
    card.get_by_label("Good pieces").fill("3")
    card.get_by_role("button", name="Report").click()
    expect(tablet.locator("#messages")).to_contain_text("Reported 3 good")
    axe_check(tablet)
    _sign_off(tablet)

    # Bob badges in and joins: both are on it, each reports as himself.
    _scan(tablet, bob)
    tablet.get_by_role("link", name=job.number).click()
    _card(tablet, 10).get_by_role("button", name="Join").click()
    expect(_card(tablet, 10).locator("[data-on-now]")).to_contain_text("Ann Able")
    expect(_card(tablet, 10).locator("[data-on-now]")).to_contain_text("Bob Baker")
    card = _card(tablet, 10)
    card.get_by_label("Good pieces").fill("2")
    card.get_by_role("button", name="Report").click()
    expect(tablet.locator("#messages")).to_contain_text("Reported 2 good")
    screenshot(tablet, "kiosk-two-operators")

    # Finish asks first (5 not reported); Bob reports the rest and finishes in one tap.
    _card(tablet, 10).get_by_role("button", name="Finish…").click()
    expect(_card(tablet, 10).get_by_text("5 pieces on op 10 not reported yet.")).to_be_visible()
    _card(tablet, 10).get_by_role("button", name="Report the remaining 5 and finish").click()
    expect(tablet.locator("#messages")).to_contain_text(f"Reported 5 good and finished op 10 on {job.number}.")
    expect(_card(tablet, 10).locator(".badge", has_text="Done")).to_be_visible()
    good = dict(LaborEntry.objects.filter(operation__job=job).values_list("operator__first_name", "good_qty"))
    assert good == {"Ann": 3, "Bob": 7}

    # A manager (at a desk) reopens it; the job page shows labor and cost per operator.
    desk = login_as("manager", DESKTOP)
    desk.goto(live_server.url + job.get_absolute_url())
    labor = desk.locator("#labor-by-operator")
    expect(labor.get_by_role("row", name="Ann Able")).to_be_visible()
    expect(labor.get_by_role("row", name="Bob Baker")).to_contain_text("40.00")
    desk.get_by_text("Reopen").first.click()
    desk.get_by_label("Why reopen operation 10").fill("Recount at the saw")
    desk.get_by_role("button", name="Reopen", exact=True).click()
    expect(desk.locator("#messages")).to_contain_text(f"Reopened op 10 on {job.number}.")
    tablet.reload()
    expect(_card(tablet, 10).locator(".badge", has_text="Paused")).to_be_visible()

    # Idle on the tablet: back to the badge screen by itself (and the server forgot Bob).
    settings.KIOSK_IDLE_MINUTES = 0.05
    tablet.reload()
    expect(tablet.get_by_role("heading", name="Badge in")).to_be_visible(timeout=10_000)
    expect(tablet.locator("#messages")).to_contain_text("idle")
