"""Screenshots of the main pages at both tablet sizes, saved under test-artifacts/ (not committed),
each page also checked with axe. `docs/` holds a few current ones for the README."""

import pytest

from jobs.models import Job
from tests.e2e.helpers import TABLET_LANDSCAPE, TABLET_PORTRAIT
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = {
    "office": ["/", "/sales/orders/", "/sales/customers/", "/sales/items/", "/jobs/"],
    "manager": [
        "/",
        "/sales/orders/{order}/",
        "/jobs/{job}/",
        "/jobs/{job}/traveler/",
        "/shipping/reports/on-time/",
        "/jobs/reports/job-cost/",
        "/sales/reports/order-book/",
    ],
    "lead": ["/jobs/floor/?wc=SAW", "/jobs/floor/jobs/{job}/", "/notifications/"],
    "clerk": ["/shipping/", "/shipping/shipments/"],
}


@pytest.mark.parametrize("viewport", [TABLET_LANDSCAPE, TABLET_PORTRAIT], ids=["1280x800", "800x1280"])
def test_main_pages(login_as, live_server, office, manager, lead, clerk, viewport, screenshot, axe_check):
    order = approved_order(office, manager, lines=3, custom=True)
    job = Job.objects.filter(sales_order=order).order_by("number").first()
    for username, paths in PAGES.items():
        page = login_as(username, viewport)
        for path in paths:
            response = page.goto(live_server.url + path.format(order=order.pk, job=job.pk))
            assert response.status == 200, path
            axe_check(page)
            name = path.strip("/").replace("/", "-").replace("?wc=", "-").format(order="order", job="job") or "home"
            screenshot(page, f"{username}-{name}-{viewport['width']}x{viewport['height']}")
        page.context.close()
