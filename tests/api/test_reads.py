"""The API's reads (issue #22): serializers read rows by a plan (mto/api/reads.py) and orjson encodes them
(mto/api/renderers.py). The answers are the bytes DRF's own serializers and renderer give, on every list
endpoint; the lists take the same queries for 10 rows as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from jobs.models import Job
from mto.api_urls import router
from sales import services as sales_services
from tests.scenarios import approved_order, client_for, inspected_order, plating_job, run_job, ship

LIST_URLS = [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]


@pytest.fixture
def lived_in(office, manager, lead, clerk, inspector):
    """Orders run through and shipped, a change request, an outside operation, an inspected job."""
    for quantity in (2, 3):
        order = approved_order(office, manager, lines=2, quantity=quantity)
        for job in Job.objects.filter(sales_order=order):
            run_job(job, lead, quantity)
        ship(order, clerk, {order.lines.order_by("line_no").first().pk: 1}, tracking_number="1Z\u2028ö")
        change = sales_services.change_request_open(order=order, by=office)
        sales_services.change_item_add(
            change_request=change, kind="quantity", line=order.lines.last(), quantity=quantity + 1,
            reason="Customer called — «urgent»", by=office,
        )  # fmt: skip
    plating_job(office, manager)
    inspected_order(office, manager, inspector)


def test_every_list_reads_the_same_bytes_as_drf(lived_in, superuser, settings):
    client = client_for(superuser)
    answered = 0
    for url in LIST_URLS:
        settings.MTO_API_FAST_READS = False
        plain = client.get(url, {"page_size": 100})
        settings.MTO_API_FAST_READS = True
        fast = client.get(url, {"page_size": 100})
        assert plain.status_code == fast.status_code == 200, url
        assert fast.content == plain.content, url
        # The renderer writes what DRF's JSONRenderer writes for the same data.
        assert fast.content == JSONRenderer().render(fast.data), url
        body = fast.json()
        answered += bool(body["results"] if isinstance(body, dict) and "results" in body else body)
    assert answered >= 12  # lists with rows to compare (orders, jobs, shipments, outside work, quality...)


def test_the_renderer_escapes_what_javascript_cannot_read(lived_in, clerk):
    body = client_for(clerk).get("/api/v1/shipments/").content
    assert b"\\u2028" in body and b"\xe2\x80\xa8" not in body
    assert "ö".encode() in body  # UTF-8 as DRF writes it, not \u escapes


GROWING = {
    "/api/v1/sales-orders/": 1,
    "/api/v1/customers/": 1,
    "/api/v1/items/": 1,
    "/api/v1/jobs/": 1,
    "/api/v1/operations/": 3,
}


def test_lists_take_the_same_queries_for_10_and_50_rows(office, manager, django_assert_num_queries):
    client = client_for(manager)

    def grow(n):
        while Job.objects.count() < n:
            approved_order(office, manager)  # one customer, item, order, job and three operations each

    def read(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200, url
        return len(ctx.captured_queries), len(response.json()["results"])

    grow(10)
    small = {url: read(url) for url in GROWING}
    assert {url: rows for url, (_, rows) in small.items()} == {url: 10 * k for url, k in GROWING.items()}
    grow(50)
    for url, k in GROWING.items():
        with django_assert_num_queries(small[url][0]):
            assert read(url)[1] == 50 * k
