"""The printed quote: a quote of 5 lines x 4 breaks is one page of A4 and of Letter (Chromium's print to PDF,
print media), the letterhead and prices on it; a long quote runs on, so the count is not trivially 1."""

import re

import pytest

from quotes import services
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import bracket_line

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _quote(office, lines):
    centers = {"SAW": WorkCenterFactory(code="SAW"), "CNC": WorkCenterFactory(code="CNC")}
    customer = CustomerFactory(name="Boreal Instruments Ltd",
                               billing_address="Accounts payable\n400 Harbour Street\nHalifax NS B3H 1A1")  # fmt: skip
    return services.quote_create(
        by=office, customer=customer, contact_name="Ann Buyer", contact_email="ann@boreal.example.com",
        rfq_reference="RFQ-2026-0412",
        notes="Prices include material certificates (EN 10204 3.1).\nFirst-article inspection report on request.",
        lines=[bracket_line(centers, breaks=(1, 10, 50, 250),
                            description=f"Sensor housing, 6061-T6, anodised black, variant {n}")
               for n in range(lines)],
    )  # fmt: skip


def test_a_five_line_four_break_quote_prints_on_one_page(login_as, live_server, office):
    short, long = _quote(office, 5), _quote(office, 20)
    page = login_as("office")
    page.goto(f"{live_server.url}/quotes/{short.pk}/")
    page.get_by_role("link", name="Print").click()
    page.wait_for_url(f"**/quotes/{short.pk}/print/")
    assert page.get_by_role("heading", name="Quotation").is_visible()
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.get_by_role("button", name="Print").is_hidden()
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        assert _pages(pdf) == 1, f"{paper}: {_pages(pdf)} pages"
    page.goto(f"{live_server.url}/quotes/{long.pk}/print/")
    assert _pages(page.pdf(format="A4")) > 1
