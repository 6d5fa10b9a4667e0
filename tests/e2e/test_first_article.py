"""First-article inspection on a tablet held upright (800x1280): the lead sees the saw held back after the first
piece, records every characteristic of the first article (an out-of-tolerance value marked as it is typed), the
inspector accepts it from the job page, and the rest of the pieces pass on."""

import pytest
from playwright.sync_api import expect

from jobs import services as job_services
from jobs.models import Operation
from quality.models import FirstArticle
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.scenarios import inspected_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card(page, sequence):
    return page.locator("section.card", has_text=f"{sequence} · ")


def test_first_article_on_the_tablet(settings, live_server, office, manager, inspector, lead, login_as, axe_check):
    settings.QUALITY_FIRST_ARTICLE = True
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    saw = job.operations.get(sequence=10)
    job_services.operation_act(operation=saw, action="start", by=lead)
    tablet = login_as("lead", TABLET_PORTRAIT)
    tablet.goto(live_server.url + job.get_floor_url())
    expect(tablet.locator("#floor-fai-h")).to_be_visible()
    expect(tablet.get_by_text("operation 10 passes on 1 piece until it is recorded and accepted")).to_be_visible()

    # Two pieces off the saw: refused, the first article alone may pass; then the first article.
    card = _card(tablet, 10)
    card.get_by_label("Good pieces").fill("2")
    card.get_by_role("button", name="Report").click()
    expect(tablet.locator("#messages")).to_contain_text("First-article inspection")
    card = _card(tablet, 10)
    card.get_by_label("Good pieces").fill("1")
    card.get_by_role("button", name="Report").click()
    expect(tablet.locator("#messages")).to_contain_text("Reported 1 good")

    # The sheet: every characteristic on the first piece; out of tolerance is marked as it is typed.
    tablet.get_by_role("link", name="Record first article").click()
    expect(tablet.get_by_role("heading", name=f"First article · {job.number}")).to_be_visible()
    bore = tablet.get_by_label("Measured (mm)")
    bore.fill("10.2")
    expect(tablet.get_by_text("Out of tolerance")).to_be_visible()
    bore.fill("10.01")
    expect(tablet.get_by_text("In tolerance")).to_be_visible()
    tablet.locator("label", has_text="Pass").click()
    axe_check(tablet)
    size = tablet.get_by_role("button", name="Record first article").bounding_box()
    assert size["height"] >= 44, "a large touch target"
    tablet.get_by_role("button", name="Record first article").click()
    expect(tablet.locator("#messages")).to_contain_text("First article recorded")
    expect(tablet.locator('[data-fai-status="recorded"]')).to_be_visible()
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 800, "no sideways scrolling on the tablet"

    # The inspector accepts from the job page (a tablet too); the saw passes the rest on.
    quality = login_as("inspector", TABLET_PORTRAIT)
    quality.goto(live_server.url + job.get_absolute_url())
    panel = quality.locator("section", has=quality.locator("#fai-h"))
    expect(panel.locator('[data-fai-status="recorded"]')).to_be_visible()
    panel.get_by_role("button", name="Accept first article").click()
    expect(quality.locator("#messages")).to_contain_text("accepted")
    assert FirstArticle.objects.get(job=job).status == "accepted"

    tablet.goto(live_server.url + job.get_floor_url())
    expect(tablet.locator("#floor-fai-h")).to_have_count(0)
    card = _card(tablet, 10)
    card.get_by_label("Good pieces").fill("3")
    card.get_by_role("button", name="Report").click()
    expect(tablet.locator("#messages")).to_contain_text("Reported 3 good")
    assert Operation.objects.get(pk=saw.pk).good_qty == 4
