"""A page never links to what its viewer may not open (issue 15): every link on the main pages, followed
as each role, answers something other than 403."""

import re

import pytest
from django.urls import reverse

from jobs.models import Job
from shipping.models import Shipment
from tests.role_table import ROLE_NAMES
from tests.scenarios import approved_order, produce, ship

ROLES = ROLE_NAMES
SKIP = ("/static/", "/logout/", "/admin/", "/api/")


@pytest.fixture
def order(office, manager, lead, clerk):
    order = approved_order(office, manager, lines=2, quantity=4)
    produce(order, lead, 4)
    ship(order, clerk, {line.pk: 2 for line in order.lines.all()}, carrier="UPS", tracking_number="1Z")
    return order


def _links(html: str) -> set[str]:
    hrefs = {href.replace("&amp;", "&") for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)"', html)}
    return {href for href in hrefs if href.startswith("/") and not href.startswith(SKIP)}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_links_to_a_page_its_viewer_may_not_open(role, order, client, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    job = Job.objects.filter(sales_order=order).first()
    shipment = Shipment.objects.get(order=order)
    pages = [reverse("home"), order.get_absolute_url(), job.get_absolute_url(), shipment.get_absolute_url(),
             order.customer.get_absolute_url(), reverse("sales:order-list"), reverse("jobs:job-list"),
             reverse("shipping:shipment-list"), reverse("quality:trace-shipment", args=[shipment.pk]),
             reverse("quality:recall") + "?lot=HT-1"]  # fmt: skip
    refused = []
    for page in pages:
        response = client.get(page)
        if response.status_code == 403:
            continue  # the page itself is not this role's; the access tests cover that
        assert response.status_code == 200, (role, page, response.status_code)
        for link in sorted(_links(response.content.decode())):
            if client.get(link).status_code == 403:
                refused.append((page, link))
    assert not refused, (role, refused)


def test_the_order_page_shows_shipments_only_to_who_may_open_them(order, client, lead, office):
    client.force_login(lead)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "/shipping/shipments/" not in page
    client.force_login(office)
    assert "/shipping/shipments/" in client.get(order.get_absolute_url()).content.decode()
