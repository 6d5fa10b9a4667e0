"""The purchasing API: vendors, purchase orders (create with lines, send, cancel) and receipts, per role."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from purchasing.models import PurchaseOrder
from tests.scenarios import job_with_material, vendor

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _po_body(requirement, supplier, quantity="10"):
    due = (timezone.localdate() + timedelta(days=4)).isoformat()
    return {"vendor": supplier.pk, "notes": "", "lines": [
        {"requirement": requirement.pk, "description": "Bar", "quantity": quantity, "unit": "m",
         "unit_cost": "12.50", "due_date": due}]}  # fmt: skip


def test_buyer_creates_sends_and_a_clerk_receives_within_tolerance(office, manager, buyer, clerk):
    _, requirement = job_with_material(office, manager, buyer)
    api = _client(buyer)
    created = api.post("/api/v1/purchase-orders/", _po_body(requirement, vendor()), format="json")
    assert created.status_code == 201, created.json()
    po = created.json()
    assert po["status"] == "draft" and po["lines"][0]["receive_limit"] == "10.500" and "send" in po["actions"]
    sent = api.post(f"/api/v1/purchase-orders/{po['id']}/send/", {}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    line = po["lines"][0]["id"]
    receiving = _client(clerk)
    first = receiving.post(
        "/api/v1/receipts/", {"po_line": line, "quantity": "4", "lot_number": "H-77"}, format="json"
    )
    assert first.status_code == 201, first.json()
    over = receiving.post("/api/v1/receipts/", {"po_line": line, "quantity": "6.6"}, format="json")
    assert over.status_code == 400 and "tolerance" in over.json()["quantity"][0]
    assert PurchaseOrder.objects.get(pk=po["id"]).status == "partially_received"
    refused = api.post(f"/api/v1/purchase-orders/{po['id']}/cancel/", {"reason": "x"}, format="json")
    assert refused.status_code == 409


def test_cancel_needs_a_reason_and_roles_are_kept(office, manager, buyer, lead):
    _, requirement = job_with_material(office, manager, buyer)
    api = _client(buyer)
    po = api.post("/api/v1/purchase-orders/", _po_body(requirement, vendor()), format="json").json()
    assert api.post(f"/api/v1/purchase-orders/{po['id']}/cancel/", {}, format="json").status_code == 400
    floor = _client(lead)
    assert floor.get("/api/v1/purchase-orders/").status_code == 200  # the floor sees
    assert floor.post(f"/api/v1/purchase-orders/{po['id']}/cancel/", {"reason": "x"}, format="json").status_code == 403
    assert _client(office).get("/api/v1/purchase-orders/").status_code == 403
    done = api.post(f"/api/v1/purchase-orders/{po['id']}/cancel/", {"reason": "Wrong vendor"}, format="json")
    assert done.status_code == 200 and done.json()["lines"][0]["is_cancelled"] is True


def test_vendor_create_update_and_bad_input(buyer, lead):
    api = _client(buyer)
    made = api.post("/api/v1/vendors/", {"code": "HT1", "name": "Heat Treat Co", "processes": "heat treat"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    again = api.post("/api/v1/vendors/", {"code": "HT1", "name": "Copy"}, format="json")
    assert again.status_code == 400
    changed = api.patch(f"/api/v1/vendors/{made.json()['id']}/", {"lead_days": 10}, format="json")
    assert changed.status_code == 200 and changed.json()["lead_days"] == 10
    pk = made.json()["id"]
    assert _client(lead).patch(f"/api/v1/vendors/{pk}/", {"lead_days": 1}, format="json").status_code == 403
    for body in ({"vendor": pk, "lines": []}, {"vendor": pk, "lines": [{"quantity": "x"}]}, {"vendor": 10**9}):
        assert api.post("/api/v1/purchase-orders/", body, format="json").status_code == 400
