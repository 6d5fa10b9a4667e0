import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sales.models import SalesOrder
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory
from tests.scenarios import client_for

DUE = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def item(db):
    return ItemFactory()


def order_payload(customer, item, **overrides):
    payload = {
        "customer": customer.pk if customer else None,
        "customer_po": "WEB-77",
        "ship_to": customer.ship_tos.first().pk,
        "lines": [
            {"item": item.pk, "quantity": 4, "due_date": DUE},
            {
                "item": None,
                "description": "Adapter plate",
                "drawing_number": "D-9",
                "drawing_revision": "A",
                "quantity": 2,
                "unit_price": "50.00",
                "due_date": DUE,
            },
        ],
    }
    payload.update(overrides)
    return payload


def test_order_flow_through_the_api(office, manager, customer, item):
    office_api, manager_api = client_for(office), client_for(manager)
    created = office_api.post("/api/v1/sales-orders/", order_payload(customer, item), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "SO-000001" and body["status"] == "draft"
    assert [line["line_no"] for line in body["lines"]] == [1, 2]
    assert body["total"] == str(4 * item.unit_price + 100)
    order_url = f"/api/v1/sales-orders/{body['id']}/"

    assert office_api.post(order_url + "submit/").json()["status"] == "pending_approval"
    assert office_api.post(order_url + "approve/").status_code == 403
    approved = manager_api.post(order_url + "approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = manager_api.post(order_url + "approve/")
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]
    assert office_api.patch(order_url, {"notes": "x"}, format="json").status_code == 400


def test_anonymous_gets_401_not_a_login_redirect(db):
    response = APIClient().get("/api/v1/sales-orders/")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "lines, field",
    [
        ([], "lines"),
        ([{"item": None, "description": "x", "quantity": 1, "due_date": DUE}], "lines"),
        ([{"quantity": 0, "due_date": DUE}], "lines"),
        ([{"quantity": "ten", "due_date": DUE}], "lines"),
    ],
)
def test_bad_orders_are_400_and_change_nothing(office, customer, item, lines, field):
    for line in lines:
        line.setdefault("item", item.pk)
    response = client_for(office).post(
        "/api/v1/sales-orders/", order_payload(customer, item, lines=lines), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not SalesOrder.objects.exists()


def test_unknown_customer_is_400(office, item, customer):
    response = client_for(office).post(
        "/api/v1/sales-orders/", {**order_payload(customer, item), "customer": 999999, "ship_to": None}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_roles_on_the_api(lead, clerk, office, customer, item):
    assert client_for(lead).get("/api/v1/sales-orders/").status_code == 200
    assert (
        client_for(clerk).post("/api/v1/sales-orders/", order_payload(customer, item), format="json").status_code
        == 403
    )
    assert client_for(lead).post("/api/v1/items/", {"part_number": "X"}, format="json").status_code == 403
    created = client_for(office).post(
        "/api/v1/items/",
        {"part_number": "X-1", "revision": "A", "description": "x", "unit_price": "-1"},
        format="json",
    )
    assert created.status_code == 400 and "unit_price" in created.json()


def test_if_match_refuses_a_stale_update(office, customer, item):
    order = SalesOrderFactory(customer=customer, created_by=office)
    api = client_for(office)
    url = f"/api/v1/sales-orders/{order.pk}/"
    etag = api.get(url)["ETag"]
    first = api.patch(url, {"notes": "first"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    stale = api.patch(url, {"notes": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    order.refresh_from_db()
    assert order.notes == "first"


def test_cursor_pagination(office, customer):
    for _ in range(3):
        SalesOrderFactory(customer=customer)
    page = client_for(office).get("/api/v1/sales-orders/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client_for(office).get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None


def test_schema_and_docs(office):
    api = client_for(office)
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/sales-orders/{id}/approve/" in schema.content


def test_idempotency_key_replays_instead_of_creating_twice(office, customer, item):
    api = client_for(office)
    payload = order_payload(customer, item)
    first = api.post("/api/v1/sales-orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="web-shop-123")
    again = api.post("/api/v1/sales-orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="web-shop-123")
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replay"] == "true"
    assert SalesOrder.objects.count() == 1
    other = api.post(
        "/api/v1/sales-orders/",
        {**payload, "customer_po": "other"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="web-shop-123",
    )
    assert other.status_code == 400
    assert SalesOrder.objects.count() == 1


def test_failed_request_does_not_burn_its_key(office, customer, item):
    api = client_for(office)
    bad = api.post(
        "/api/v1/sales-orders/", order_payload(customer, item, lines=[]), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert bad.status_code == 400
    good = api.post("/api/v1/sales-orders/", order_payload(customer, item), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert good.status_code == 201


def test_idempotent_action(office, manager, customer, item):
    order = SalesOrderFactory(customer=customer, created_by=office)
    api = client_for(office)
    url = f"/api/v1/sales-orders/{order.pk}/submit/"
    assert api.post(url, HTTP_IDEMPOTENCY_KEY="s1").status_code == 200
    replay = api.post(url, HTTP_IDEMPOTENCY_KEY="s1")
    assert replay.status_code == 200 and replay.json()["status"] == "pending_approval"
    assert api.post(url, HTTP_IDEMPOTENCY_KEY="s2").status_code == 409


def test_docs_page_loads_nothing_from_a_cdn(client, office):
    client.force_login(office)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_tokens_are_managed_on_the_profile_page(client, clerk):
    client.force_login(clerk)
    client.post("/profile/", {"action": "create"})
    token = Token.objects.get(user=clerk)
    assert token.key in client.get("/profile/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/shipments/").status_code == 200
    client.post("/profile/", {"action": "revoke"})
    assert api.get("/api/v1/shipments/").status_code == 401
