"""Quotes through the API: create with lines and breaks, price, send, accept with chosen breaks, decline."""

import pytest

from quotes.models import Quote
from sales.models import SalesOrder
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def payload(db):
    WorkCenterFactory(code="SAW", hourly_rate="60.00")
    WorkCenterFactory(code="CNC", hourly_rate="90.00")
    customer = CustomerFactory()
    return {
        "customer": customer.pk,
        "contact_email": "ann@example.com",
        "rfq_reference": "RFQ-1",
        "markup_percent": "30.00",
        "lines": [{
            "description": "Mounting bracket", "drawing_number": "DWG-4471", "drawing_revision": "C",
            "breaks": [1, 10, 100],
            "operations": [
                {"work_center": "SAW", "description": "Saw", "setup_hours": "0.5", "run_hours_per_piece": "0.05"},
                {"work_center": "CNC", "description": "Mill", "setup_hours": "2.0", "run_hours_per_piece": "0.25"},
            ],
            "materials": [{"description": "bar", "cost": "4.20", "basis": "piece", "scrap_percent": "5.00"},
                          {"description": "plate", "cost": "50.00", "basis": "lot"}],
            "outside": [{"vendor_name": "Anodize Co", "cost": "120.00", "basis": "lot", "lead_days": 7},
                        {"vendor_name": "Passivate Inc", "cost": "0.80", "basis": "piece"}],
        }],
    }  # fmt: skip


def test_create_price_send_accept(office, payload):
    api = client_for(office)
    created = api.post("/api/v1/quotes/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "Q-000001" and body["status"] == "draft" and body["lines"][0]["breaks"] == [1, 10, 100]
    quote_id, line_id = body["id"], body["lines"][0]["id"]
    price = api.get(f"/api/v1/quotes/{quote_id}/price/").json()
    ten = price["lines"][0]["breaks"][1]
    assert (ten["quantity"], ten["cost"], ten["unit_price"], ten["total"]) == (10, "68.71", "89.32", "893.20")
    assert api.post(f"/api/v1/quotes/{quote_id}/send/").json()["status"] == "sent"
    accepted = api.post(f"/api/v1/quotes/{quote_id}/accept/",
                        {"breaks": [{"line": line_id, "quantity": 10}], "submit": True}, format="json")  # fmt: skip
    assert accepted.status_code == 200, accepted.content
    order = SalesOrder.objects.get(number=accepted.json()["sales_order"])
    assert order.status == "pending_approval" and str(order.lines.get().unit_price) == "89.32"
    again = api.post(f"/api/v1/quotes/{quote_id}/accept/", {"breaks": [{"line": line_id, "quantity": 10}]},
                     format="json")  # fmt: skip
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    assert SalesOrder.objects.count() == 1


def test_bad_input_is_a_400_and_saves_nothing(office, payload):
    api = client_for(office)
    payload["lines"][0]["breaks"] = [10, 10]
    response = api.post("/api/v1/quotes/", payload, format="json")
    assert response.status_code == 400 and "each break quantity once" in str(response.json())
    payload["lines"][0]["breaks"] = [0]
    assert api.post("/api/v1/quotes/", payload, format="json").status_code == 400
    payload["lines"] = []
    assert api.post("/api/v1/quotes/", payload, format="json").status_code == 400
    assert not Quote.objects.exists()


def test_decline_needs_a_listed_reason(office, payload):
    api = client_for(office)
    quote_id = api.post("/api/v1/quotes/", payload, format="json").json()["id"]
    api.post(f"/api/v1/quotes/{quote_id}/send/")
    assert api.post(f"/api/v1/quotes/{quote_id}/decline/", {"reason": "meh"}, format="json").status_code == 400
    declined = api.post(f"/api/v1/quotes/{quote_id}/decline/", {"reason": "price", "note": "10% high"},
                        format="json")  # fmt: skip
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "price"
    assert api.post(f"/api/v1/quotes/{quote_id}/send/").status_code == 409


def test_low_margin_send_is_refused_until_a_manager_approves(office, manager, payload, settings):
    settings.QUOTE_MIN_MARGIN_PERCENT = 25
    quote_id = client_for(office).post("/api/v1/quotes/", payload, format="json").json()["id"]
    refused = client_for(office).post(f"/api/v1/quotes/{quote_id}/send/")
    assert refused.status_code == 400 and "Manager must approve" in str(refused.json())
    assert client_for(office).post(f"/api/v1/quotes/{quote_id}/approve-margin/").status_code == 403
    assert client_for(manager).post(f"/api/v1/quotes/{quote_id}/approve-margin/").status_code == 200
    assert client_for(office).post(f"/api/v1/quotes/{quote_id}/send/").json()["status"] == "sent"


@pytest.mark.parametrize("role", ["lead", "clerk"])
def test_floor_and_shipping_may_read_but_not_write(request, office, payload, role):
    quote_id = client_for(office).post("/api/v1/quotes/", payload, format="json").json()["id"]
    api = client_for(request.getfixturevalue(role))
    assert api.get(f"/api/v1/quotes/{quote_id}/").status_code == 200
    assert api.get(f"/api/v1/quotes/{quote_id}/price/").status_code == 200
    assert api.post("/api/v1/quotes/", payload, format="json").status_code == 403
    assert api.post(f"/api/v1/quotes/{quote_id}/send/").status_code == 403


def test_actions_say_what_the_caller_may_do_now(office, clerk, payload):
    created = client_for(office).post("/api/v1/quotes/", payload, format="json").json()
    assert created["actions"] == ["send"]
    assert client_for(clerk).get(f"/api/v1/quotes/{created['id']}/").json()["actions"] == []
    sent = client_for(office).post(f"/api/v1/quotes/{created['id']}/send/").json()
    assert sent["actions"] == ["accept", "decline", "revise"]
