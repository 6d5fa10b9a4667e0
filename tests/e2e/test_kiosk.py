"""A kiosk tablet at a work center (issue 21), 800x1280: a manager enrolls it, two operators badge in with their
badges (a USB scanner types the code and Enter), both work on one operation, report pieces as themselves, one
finishes through the confirm; a manager reopens the operation from the job page, which shows labor per operator.
Bob's taps are made through a network cut: kept on the tablet, sent when the network is back, done as Bob although
the server signed him off meanwhile; a kept tap the server refuses is shown to him. The tablet opens nothing else,
its screen follows another tablet's changes (not while the operator types), and it goes back to the badge screen
by itself when idle."""

import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from jobs import kiosk, services
from jobs.models import Job, LaborEntry, Operation
from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT, too_small
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


def _server_forgets_the_operator(page):
    """What the idle minutes do on the server (the tablet's session is past KIOSK_IDLE_MINUTES)."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[kiosk.SESSION_SEEN] = time.time() - 3600
    session.save()


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
    assert too_small(tablet) == []
    _sign_off(tablet)

    # Bob badges in and opens the job; then the Wi-Fi drops. He joins, reports 2 and finishes through the
    # confirm (reporting the remaining 5): the tablet keeps the three taps and draws them.
    _scan(tablet, bob)
    tablet.get_by_role("link", name=job.number).click()
    expect(_card(tablet, 10).locator("[data-on-now]")).to_contain_text("Ann Able")
    banner = tablet.locator("#floor-offline")
    tablet.context.set_offline(True)
    _card(tablet, 10).get_by_role("button", name="Join").click()
    expect(banner).to_have_text("Offline, 1 action waiting")
    card = _card(tablet, 10)
    expect(card.get_by_role("button", name="Stop my work")).to_be_visible()
    card.get_by_label("Good pieces").fill("2")
    card.get_by_role("button", name="Report").click()
    expect(banner).to_have_text("Offline, 2 actions waiting")
    expect(card.locator("[data-left]")).to_have_text("5")
    card.get_by_role("button", name="Finish…").click()
    expect(card.get_by_text("5 pieces on op 10 not reported yet.")).to_be_visible()
    screenshot(tablet, "kiosk-offline-confirm")
    assert too_small(tablet) == []  # the card as the tablet drew it offline too
    card.get_by_role("button", name="Report the remaining 5 and finish").click()
    expect(banner).to_have_text("Offline, 3 actions waiting")
    expect(card.locator("[data-op-status]")).to_have_text("Done")
    expect(card.get_by_text("Waiting to send: Join, Report 2 good, Report the remaining 5 and finish")).to_be_visible()
    axe_check(tablet)
    op10 = job.operations.get(sequence=10)
    assert (op10.status, op10.good_qty, LaborEntry.objects.filter(operator=bob.user).count()) == ("running", 3, 0)

    # The network comes back only after the server forgot Bob (his idle minutes): his taps are still his.
    _server_forgets_the_operator(tablet)
    tablet.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=15_000)
    op10.refresh_from_db()
    assert (op10.status, op10.good_qty, op10.scrap_qty) == ("done", 10, 0)
    good = dict(LaborEntry.objects.filter(operation__job=job).values_list("operator__first_name", "good_qty"))
    assert good == {"Ann": 3, "Bob": 7}
    assert not LaborEntry.objects.filter(operation=op10, stopped_at=None).exists()
    assert not tablet.locator("#floor-refused .alert").count()
    # Nobody is badged in now: the screen goes back to the badge screen.
    expect(tablet.get_by_role("heading", name="Badge in")).to_be_visible(timeout=10_000)

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
    _scan(tablet, bob)
    tablet.goto(live_server.url + f"/kiosk/jobs/{job.pk}/")
    expect(_card(tablet, 10).locator(".badge", has_text="Paused")).to_be_visible()

    # Offline again, Bob taps Start; meanwhile he started it on the other saw tablet: the kept tap is refused
    # when it is sent, and the tablet says so until he has seen it.
    tablet.context.set_offline(True)
    _card(tablet, 10).get_by_role("button", name="Start").click()
    expect(banner).to_have_text("Offline, 1 action waiting")
    services.operator_join(operation=Operation.objects.get(pk=op10.pk), operator=bob.user)
    tablet.context.set_offline(False)
    refused = tablet.locator("#floor-refused .alert")
    expect(refused).to_have_count(1, timeout=15_000)
    expect(refused).to_contain_text(f"Not done: Start on op 10 ({job.number})")
    expect(refused).to_contain_text("on this operation already")
    expect(_card(tablet, 10).locator("[data-on-now]")).to_contain_text("Bob Baker")  # the server's state now
    screenshot(tablet, "kiosk-refused-replay")
    refused.get_by_role("button", name="Seen it").click()
    expect(refused).to_have_count(0)
    assert LaborEntry.objects.filter(operation=op10, operator=bob.user, stopped_at=None).count() == 1

    # The screen polls: another tablet's change shows up here, but not while Bob is typing a count.
    _card(tablet, 10).get_by_label("Good pieces").fill("4")
    services.operator_leave(operation=Operation.objects.get(pk=op10.pk), operator=bob.user)  # the other tablet
    tablet.wait_for_timeout(7_000)  # more than one poll (5 s)
    expect(_card(tablet, 10).locator("[data-on-now]")).to_contain_text("Bob Baker")
    expect(_card(tablet, 10).get_by_label("Good pieces")).to_have_value("4")
    tablet.get_by_role("heading", name=job.number).click()  # done typing
    expect(_card(tablet, 10).locator("[data-on-now]")).to_have_text("Nobody on it now.", timeout=15_000)

    # Idle on the tablet: back to the badge screen by itself (and the server forgot Bob).
    settings.KIOSK_IDLE_MINUTES = 0.05
    tablet.reload()
    expect(tablet.get_by_role("heading", name="Badge in")).to_be_visible(timeout=10_000)
    expect(tablet.locator("#messages")).to_contain_text("idle")
