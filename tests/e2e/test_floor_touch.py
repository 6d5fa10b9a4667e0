"""The floor pages by touch on an 800x1280 tablet (issue 21): every control at least 48 px, two taps from the
board to start or to finish an operation, a numeric keypad for pieces, axe-core clean, a traveler scanned
from the board, and a half-typed report that survives another tablet's change."""

import pytest
from playwright.sync_api import expect

from jobs import services
from jobs.models import Job
from tests.e2e.helpers import TABLET_PORTRAIT, too_small
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card(page, sequence):
    return page.locator("section.card", has_text=f"{sequence} · ")


@pytest.fixture
def job(office, manager):
    return Job.objects.filter(sales_order=approved_order(office, manager, quantity=5)).get()


def test_every_floor_control_is_big_enough_and_axe_finds_nothing(live_server, job, lead, login_as, axe_check):
    first = job.operations.order_by("sequence").first()
    services.operation_act(operation=first, action="start", by=lead)
    page = login_as("lead", TABLET_PORTRAIT)
    page.goto(f"{live_server.url}/jobs/floor/?wc=SAW")
    expect(page.get_by_role("link", name="Finish op 10…")).to_be_visible()
    assert too_small(page) == []
    axe_check(page)

    page.goto(live_server.url + job.get_floor_url())
    card = _card(page, 10)
    for label in ("Good pieces", "Scrap pieces"):
        expect(card.get_by_label(label)).to_have_attribute("inputmode", "numeric")
    assert too_small(page) == []
    axe_check(page)
    card.get_by_role("button", name="Finish…").click()
    expect(card.get_by_role("button", name="Report the remaining 5 and finish")).to_be_visible()
    assert too_small(page) == []
    axe_check(page)


def test_two_taps_from_the_board_start_and_two_finish(live_server, job, lead, login_as):
    first = job.operations.order_by("sequence").first()
    page = login_as("lead", TABLET_PORTRAIT)
    page.goto(f"{live_server.url}/jobs/floor/?wc=SAW")
    page.get_by_role("link", name=job.number).click()  # 1
    _card(page, 10).get_by_role("button", name="Start").click()  # 2
    expect(_card(page, 10).locator("[data-op-status]")).to_have_text("Running")
    first.refresh_from_db()
    assert first.status == "running"

    page.goto(f"{live_server.url}/jobs/floor/")
    page.get_by_role("link", name="Finish op 10…").click()  # 1: the job opens at the finish question
    _card(page, 10).get_by_role("button", name="Report the remaining 5 and finish").click()  # 2
    expect(_card(page, 10).locator("[data-op-status]")).to_have_text("Done")
    first.refresh_from_db()
    assert (first.status, first.good_qty) == ("done", 5)


def test_a_usb_scanner_typing_a_travelers_qr_opens_the_job(live_server, job, lead, login_as):
    page = login_as("lead", TABLET_PORTRAIT)
    page.goto(f"{live_server.url}/jobs/floor/?wc=SAW")
    page.locator("h1").click()  # the focus anywhere but the field: the scanner's keys still land there
    page.keyboard.type(live_server.url + job.get_floor_url())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(job.number)


def test_another_tablets_change_keeps_what_is_half_typed_here(live_server, job, lead, login_as):
    first, second = job.operations.order_by("sequence")[:2]
    services.operation_act(operation=first, action="start", by=lead)
    page = login_as("lead", TABLET_PORTRAIT)
    page.goto(live_server.url + job.get_floor_url())
    card = _card(page, 10)
    card.get_by_label("Good pieces").fill("3")
    card.get_by_label("Scrap pieces").fill("1")
    card.get_by_label("Scrap reason").select_option("Setup piece")
    services.operation_report_pieces(operation=first, good=1, by=lead)  # another tablet, meanwhile
    expect(_card(page, 10).locator("[data-good]")).to_have_text("1", timeout=15_000)  # the probe redrew
    card = _card(page, 10)
    expect(card.get_by_label("Good pieces")).to_have_value("3")
    expect(card.get_by_label("Scrap pieces")).to_have_value("1")
    expect(card.get_by_label("Scrap reason")).to_have_value("Setup piece")
    expect(card.get_by_text("(required)")).to_be_visible()
