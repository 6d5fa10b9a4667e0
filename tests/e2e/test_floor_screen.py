"""The tablet's job screen after each tap (issue 21): the whole screen follows the job, a refused report
keeps what was typed, Finish asks when pieces are unreported, and a lead reopens a mis-tapped finish."""

import pytest
from playwright.sync_api import expect

from jobs.models import Job
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card(page, sequence):
    return page.locator("section.card", has_text=f"{sequence} · ")


def test_the_floor_screen_follows_the_job_through_to_complete(page, live_server, office, manager, lead, login,
                                                              axe_check):  # fmt: skip
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=4)).get()
    page.set_viewport_size(TABLET_PORTRAIT)
    login(page, "lead")
    page.goto(live_server.url + job.get_floor_url())
    page.evaluate("window.stillThisPage = true")  # gone if anything reloads the page
    _card(page, 10).get_by_role("button", name="Start").click()
    expect(_card(page, 10).get_by_role("button", name="Pause")).to_be_visible()

    # Scrap above 0: the reason shows as required at once; refused without it, what was typed stays.
    card = _card(page, 10)
    reason = card.get_by_label("Scrap reason")
    expect(reason).not_to_have_attribute("required", "")
    card.get_by_label("Good pieces").fill("2")
    card.get_by_label("Scrap pieces").fill("1")
    expect(card.get_by_text("(required)")).to_be_visible()
    expect(reason).to_have_attribute("aria-required", "true")
    card.get_by_role("button", name="Report").click()
    expect(page.locator("#messages")).to_contain_text("Pick the reason for the scrap")
    card = _card(page, 10)
    expect(card.get_by_label("Good pieces")).to_have_value("2")
    expect(card.get_by_label("Scrap pieces")).to_have_value("1")
    expect(card.get_by_label("Scrap reason")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    card.get_by_label("Scrap reason").select_option("Setup piece")
    card.get_by_role("button", name="Report").click()
    expect(page.locator("#messages")).to_contain_text(f"Reported 2 good, 1 scrap on op 10 of {job.number}.")

    # Finish with a piece unreported asks first; the mis-tap "finish short" is undone by a reopen.
    _card(page, 10).get_by_role("button", name="Finish…").click()
    expect(_card(page, 10).get_by_text("1 piece on op 10 not reported yet.")).to_be_visible()
    _card(page, 10).get_by_role("button", name="Finish with 1 not reported").click()
    expect(_card(page, 10).locator(".badge", has_text="Done")).to_be_visible()
    _card(page, 10).get_by_role("button", name="Reopen…").click()
    _card(page, 10).get_by_label("Why reopen op 10?").fill("One piece was not counted")
    _card(page, 10).get_by_role("button", name="Reopen op 10").click()
    expect(page.locator("#messages")).to_contain_text(f"Reopened op 10 on {job.number}.")
    expect(_card(page, 10).locator(".badge", has_text="Paused")).to_be_visible()

    # "Report the remaining N and finish", one tap per operation, through to the last.
    for sequence in (10, 20, 30):
        card = _card(page, sequence)
        if sequence != 10:
            card.get_by_role("button", name="Start").click()
            card = _card(page, sequence)
        expect(page.get_by_role("button", name="Put job on hold")).to_be_visible()
        card.get_by_role("button", name="Finish…").click()
        _card(page, sequence).get_by_role("button", name="Report the remaining").click()
        expect(_card(page, sequence).locator(".badge", has_text="Done")).to_be_visible()

    # The last finish completed the job: every part of the screen says so, without a reload.
    expect(page.locator("#floor-screen .job-status-complete")).to_be_visible()
    expect(page.get_by_role("button", name="Put job on hold")).to_have_count(0)
    expect(page.get_by_text("Good off the last operation: 3 of 4")).to_be_visible()
    expect(page.locator(".badge", has_text="Short 3 of 4")).to_be_visible()
    assert page.evaluate("window.stillThisPage") is True
    job.refresh_from_db()
    assert (job.status, job.quantity_completed) == (Job.Status.COMPLETE, 3)


def test_the_last_finish_redraws_the_whole_screen(page, live_server, office, manager, lead, login):
    """Every piece reported, the last Finish completes the job: the hold form goes at once (it stayed until a
    reload when only the routing was redrawn)."""
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=2)).get()
    page.set_viewport_size(TABLET_PORTRAIT)
    login(page, "lead")
    page.goto(live_server.url + job.get_floor_url())
    page.evaluate("window.stillThisPage = true")
    for sequence in (10, 20, 30):
        _card(page, sequence).get_by_role("button", name="Start").click()
        _card(page, sequence).get_by_label("Good pieces").fill("2")
        _card(page, sequence).get_by_role("button", name="Report").click()
        expect(page.locator("#messages")).to_contain_text(f"on op {sequence} of {job.number}.")
        expect(page.get_by_role("button", name="Put job on hold")).to_be_visible()
        if sequence == 30:  # the last finish completes the job: the tablet asks, and says so
            _card(page, sequence).get_by_role("button", name="Finish…").click()
            expect(_card(page, sequence).get_by_text(f"completes {job.number}")).to_be_visible()
            _card(page, sequence).get_by_role("button", name=f"Finish and complete {job.number}").click()
        else:
            _card(page, sequence).get_by_role("button", name="Finish", exact=True).click()
        expect(_card(page, sequence).locator(".badge", has_text="Done")).to_be_visible()
    expect(page.get_by_role("button", name="Put job on hold")).to_have_count(0)
    expect(page.get_by_role("heading", name="Hold")).to_have_count(0)
    assert page.evaluate("window.stillThisPage") is True
