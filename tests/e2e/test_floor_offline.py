"""The floor job screen through a network cut (issue 21): taps are kept on the tablet and sent in order when
the network is back; a tap the server refuses on replay is shown to the operator, not dropped."""

import pytest
from playwright.sync_api import expect

from jobs import services
from jobs.models import Job, JobNote, TimeEntry
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card(page, sequence):
    return page.locator("section.card", has_text=f"{sequence} · ")


def _floor(login_as, job, live_server):
    page = login_as("lead", TABLET_PORTRAIT)
    page.goto(live_server.url + job.get_floor_url())
    page.evaluate("window.stillThisPage = true")  # gone if anything reloads the page
    return page


def test_start_report_finish_and_a_note_offline_reach_the_server_as_tapped(live_server, office, manager, lead,
                                                                           login_as):  # fmt: skip
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=4)).get()
    first, second = job.operations.order_by("sequence")[:2]
    page = _floor(login_as, job, live_server)
    banner = page.locator("#floor-offline")
    expect(banner).to_be_hidden()

    page.context.set_offline(True)
    _card(page, 10).get_by_role("button", name="Start").click()
    expect(banner).to_have_text("Offline, 1 action waiting")
    card = _card(page, 10)
    expect(card.locator("[data-op-status]")).to_have_text("Running")
    card.get_by_label("Good pieces").fill("3")
    card.get_by_label("Scrap pieces").fill("1")
    card.get_by_label("Scrap reason").select_option("Setup piece")
    card.get_by_role("button", name="Report").click()
    expect(banner).to_have_text("Offline, 2 actions waiting")
    expect(card.get_by_label("Good pieces")).to_have_value("0")  # sent (to the queue): a fresh form
    expect(card.locator("[data-left]")).to_have_text("0")
    card.get_by_role("button", name="Finish", exact=True).click()  # every piece reported: no question
    expect(card.locator("[data-op-status]")).to_have_text("Done")
    page.get_by_role("textbox", name="Note").fill("Burr on the left edge")
    page.get_by_role("button", name="Add note").click()
    expect(banner).to_have_text("Offline, 4 actions waiting")
    expect(card.get_by_text("Waiting to send: Start, Report 3 good, 1 scrap, Finish")).to_be_visible()

    # Nothing reached the server yet.
    first.refresh_from_db()
    assert (first.status, first.good_qty, JobNote.objects.filter(job=job).count()) == ("pending", 0, 0)

    page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=15_000)
    expect(_card(page, 10).locator(".badge", has_text="Done")).to_be_visible()
    expect(_card(page, 20).get_by_role("button", name="Start")).to_be_enabled()
    assert page.evaluate("window.stillThisPage") is True
    first.refresh_from_db()
    second.refresh_from_db()
    job.refresh_from_db()
    assert (first.status, first.good_qty, first.scrap_qty) == ("done", 3, 1)
    assert first.scrap_records.get().reason == "Setup piece"
    assert TimeEntry.objects.filter(operation=first).count() == 1
    assert (second.status, job.status) == ("pending", "in_progress")
    assert list(JobNote.objects.filter(job=job).values_list("text", flat=True)) == ["Burr on the left edge"]
    assert page.evaluate("async () => (await idbKeyval.get('mto-floor-queue')).length") == 0


def test_a_replayed_tap_the_server_refuses_is_shown_until_seen(live_server, office, manager, lead, login_as):
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=4)).get()
    first = job.operations.order_by("sequence").first()
    page = _floor(login_as, job, live_server)
    page.context.set_offline(True)
    _card(page, 10).get_by_role("button", name="Start").click()
    _card(page, 10).get_by_label("Good pieces").fill("2")
    _card(page, 10).get_by_role("button", name="Report").click()
    expect(page.locator("#floor-offline")).to_have_text("Offline, 2 actions waiting")

    # Meanwhile another tablet started op 10 and reported a piece: this tablet's taps were drawn on old news.
    services.operation_act(operation=first, action="start", by=lead)
    services.operation_report_pieces(operation=first, good=1, by=lead)

    page.context.set_offline(False)
    expect(page.locator("#floor-offline")).to_be_hidden(timeout=15_000)
    refused = page.locator("#floor-refused .alert")
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("Not done: Start on op 10")
    expect(refused.first).to_contain_text("changed")
    expect(refused.nth(1)).to_contain_text("Not done: Report 2 good on op 10")
    first.refresh_from_db()
    assert (first.status, first.good_qty, TimeEntry.objects.filter(operation=first).count()) == ("running", 1, 1)
    # The screen shows the server's state now, and the refusals stay until the operator has seen them.
    expect(_card(page, 10).locator("[data-good]")).to_have_text("1")
    page.reload()
    expect(refused).to_have_count(2)
    refused.first.get_by_role("button", name="Seen it").click()
    expect(refused).to_have_count(1)
