"""Each resource with a lifecycle shows the caller's available transitions (`actions`), per role, without a
query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs import services as job_services
from jobs.models import Job, Operation
from sales import services as sales_services
from shipping import services as shipping_services
from shipping.models import Shipment
from tests.factories import SalesOrderFactory
from tests.scenarios import approved_order, client_for, run_job


def _actions(user, url) -> list[str] | int:
    response = client_for(user).get(url)
    return response.json()["actions"] if response.status_code == 200 else response.status_code


def test_order_actions_per_role(office, manager, lead, clerk):
    order = SalesOrderFactory(created_by=office)
    url = f"/api/v1/sales-orders/{order.pk}/"
    expected = {office: ["submit", "cancel"], manager: ["submit", "cancel"], lead: [], clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected
    submitted = client_for(office).post(url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["actions"] == ["cancel"]
    expected = {office: ["cancel"], manager: ["approve", "reject", "cancel"], lead: [], clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected


def test_change_request_actions_per_role(office, manager, lead, clerk):
    order = approved_order(office, manager)
    change = sales_services.change_request_open(order=order, by=office)
    url = f"/api/v1/change-requests/{change.pk}/"
    # An empty draft cannot be submitted.
    expected = {office: ["withdraw"], manager: ["withdraw"], lead: [], clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected
    added = client_for(office).post(
        url + "add-item/", {"kind": "quantity", "line": order.lines.get().pk, "quantity": 12, "reason": "PO 2"}
    )
    assert added.status_code == 200 and added.json()["actions"] == ["submit", "withdraw"]
    expected = {office: ["submit", "withdraw"], manager: ["submit", "withdraw"], lead: [], clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected
    sales_services.change_request_submit(change_request=change, by=office)
    expected = {office: ["withdraw"], manager: ["approve", "reject", "withdraw"], lead: [], clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected


def test_job_and_operation_actions_per_role(office, manager, lead, clerk):
    order = approved_order(office, manager)
    job = Job.objects.get(sales_order=order)
    first, second = job.operations.order_by("sequence")[:2]
    job_url, op_url = f"/api/v1/jobs/{job.pk}/", f"/api/v1/operations/{first.pk}/"
    expected = {office: [], manager: ["hold", "cancel"], lead: ["hold"], clerk: []}
    assert {u: _actions(u, job_url) for u in expected} == expected
    expected = {office: [], manager: [], lead: ["start"], clerk: []}
    assert {u: _actions(u, op_url) for u in expected} == expected
    started = client_for(lead).post(op_url + "start/")
    assert started.status_code == 200 and started.json()["actions"] == ["pause", "finish"]
    # The job's own representation carries its operations' actions too.
    nested = client_for(lead).get(job_url).json()["operations"]
    assert [op["actions"] for op in nested[:2]] == [["pause", "finish"], ["start"]]
    job_services.job_act(job=job, action="hold", by=lead, reason="Machine down")
    expected = {office: [], manager: ["resume", "cancel"], lead: ["resume"], clerk: []}
    assert {u: _actions(u, job_url) for u in expected} == expected
    # Nothing moves on a job on hold.
    assert _actions(lead, op_url) == [] and _actions(lead, f"/api/v1/operations/{second.pk}/") == []


def test_shipment_actions_per_role(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=2)
    run_job(Job.objects.get(sales_order=order), lead, 2)
    shipment = shipping_services.shipment_create(order=order, lines={order.lines.get().pk: 2}, by=clerk)
    url = f"/api/v1/shipments/{shipment.pk}/"
    # The shop floor does not see shipments at all.
    expected = {office: [], manager: [], lead: 403, clerk: ["ship", "cancel"]}
    assert {u: _actions(u, url) for u in expected} == expected
    shipped = client_for(clerk).post(url + "ship/")
    assert shipped.status_code == 200 and shipped.json()["actions"] == []
    expected = {office: [], manager: ["void"], lead: 403, clerk: []}
    assert {u: _actions(u, url) for u in expected} == expected


LISTS = {
    "/api/v1/sales-orders/": "manager",
    "/api/v1/change-requests/": "manager",
    "/api/v1/jobs/": "manager",
    "/api/v1/operations/": "lead",
    "/api/v1/shipments/": "clerk",
}


def test_lists_with_actions_take_the_same_queries_for_2_and_20_rows(
    office, manager, lead, clerk, django_assert_num_queries
):
    users = {"manager": manager, "lead": lead, "clerk": clerk}

    def grow(n):
        # Per order: a draft change request with one change, a job run through, a draft shipment.
        while Shipment.objects.count() < n:
            order = approved_order(office, manager, quantity=2)
            change = sales_services.change_request_open(order=order, by=office)
            sales_services.change_item_add(
                change_request=change, kind="quantity", line=order.lines.get(), quantity=3, reason="PO 2", by=office
            )
            run_job(Job.objects.get(sales_order=order), lead, 2)
            shipping_services.shipment_create(order=order, lines={order.lines.get().pk: 1}, by=clerk)

    def counts():
        result = {}
        for url, username in LISTS.items():
            client = client_for(users[username])
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, {"page_size": 100})
            assert response.status_code == 200
            rows = response.json()["results"]
            assert all("actions" in row for row in rows), url
            result[url] = (len(ctx.captured_queries), len(rows))
        return result

    grow(2)
    small = counts()
    assert {url: rows for url, (_, rows) in small.items()} == {
        "/api/v1/sales-orders/": 2, "/api/v1/change-requests/": 2, "/api/v1/jobs/": 2,
        "/api/v1/operations/": 6, "/api/v1/shipments/": 2,
    }  # fmt: skip
    grow(20)
    assert Operation.objects.count() == 60
    for url, username in LISTS.items():
        client = client_for(users[username])
        with django_assert_num_queries(small[url][0]):
            assert len(client.get(url, {"page_size": 100}).json()["results"]) == small[url][1] * 10


def test_an_order_action_reads_the_order_alone_before_the_service_and_answers_with_its_lines(office, manager, lead):
    """The action's target is the order row (the service locks it and reads its lines itself); the answer is
    the order read again, with its lines and actions. A missing or malformed id is a 404, a role without the
    capability a 403."""
    order = SalesOrderFactory(created_by=office)
    url = f"/api/v1/sales-orders/{order.pk}/submit/"
    client = client_for(office)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending_approval" and [line["id"] for line in body["lines"]] == [
        line.pk for line in order.lines.order_by("line_no")
    ]
    before_service = []
    for query in ctx.captured_queries:
        if query["sql"].startswith(("BEGIN", "SAVEPOINT")):
            break
        before_service.append(query["sql"])
    assert not any('FROM "sales_salesorderline"' in sql for sql in before_service), before_service
    assert any('FROM "sales_salesorder"' in sql for sql in before_service), before_service
    assert client_for(office).post("/api/v1/sales-orders/999999/submit/").status_code == 404
    assert client_for(office).post("/api/v1/sales-orders/abc/submit/").status_code == 404
    assert client_for(lead).post(f"/api/v1/sales-orders/{order.pk}/approve/").status_code == 403


@pytest.mark.parametrize("url", ["/api/v1/operations/{}/report/", "/api/v1/sales-orders/{}/submit/"])
def test_an_action_on_an_id_that_is_none_is_a_404(office, manager, lead, url):
    """The compiled target reads (detail_read, target_read) answer as get_object did: missing, malformed, past a
    bigint, negative."""
    client = client_for(lead if "operations" in url else office)
    for pk in ("999999", "abc", "1e3", str(2**70), "-4"):
        response = client.post(url.format(pk), {"good": 1}, format="json")
        assert response.status_code == 404, (pk, response.content)
        assert response.json()["detail"] == "Not found.", pk
