"""The whole order-to-shipment flow through the API, as each role would call it."""

import datetime

from django.utils import timezone

from jobs.models import Job
from tests.factories import CustomerFactory, ItemFactory
from tests.jobs.factories import give_routing
from tests.scenarios import client_for


def test_order_to_shipment_through_the_api(office, manager, lead, clerk):
    item = ItemFactory()
    give_routing(item, "SAW", "INSP")
    customer = CustomerFactory()
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    office_api, manager_api, lead_api, clerk_api = (client_for(u) for u in (office, manager, lead, clerk))

    lines = [{"item": item.pk, "quantity": 3, "due_date": due}]
    order = office_api.post("/api/v1/sales-orders/", {"customer": customer.pk, "lines": lines}, format="json").json()
    assert office_api.post(f"/api/v1/sales-orders/{order['id']}/submit/").status_code == 200
    assert manager_api.post(f"/api/v1/sales-orders/{order['id']}/approve/").status_code == 200

    jobs = lead_api.get("/api/v1/jobs/", {"sales_order__number": order["number"]}).json()["results"]
    assert len(jobs) == 1 and jobs[0]["status"] == "released"
    assert lead_api.get("/api/v1/jobs/", {"operations__work_center__code": "INSP"}).json()["results"]
    for op in jobs[0]["operations"]:
        url = f"/api/v1/operations/{op['id']}/"
        started = lead_api.post(url + "start/", {"version": op["version"]}, format="json")
        assert started.status_code == 200
        stale = lead_api.post(url + "pause/", {"version": op["version"]}, format="json")
        assert stale.status_code == 409 and "reload" in stale.json()["detail"]
        bad = lead_api.post(url + "report/", {"good": -1}, format="json")
        assert bad.status_code == 400 and "good" in bad.json()
        assert lead_api.post(url + "report/", {"good": 3}, format="json").json()["good_qty"] == 3
        assert lead_api.post(url + "finish/").status_code == 200
    assert Job.objects.get(number=jobs[0]["number"]).status == "complete"
    assert office_api.post(f"/api/v1/operations/{op['id']}/start/").status_code == 403

    line_id = order["lines"][0]["id"]
    too_many = clerk_api.post("/api/v1/shipments/", {"order": order["id"], "lines": [{"order_line": line_id,
                              "quantity": 4}]}, format="json")  # fmt: skip
    assert too_many.status_code == 400 and "lines" in too_many.json()
    payload = {"order": order["id"], "lines": [{"order_line": line_id, "quantity": 3}], "tracking_number": "1ZAPI"}
    shipment = clerk_api.post("/api/v1/shipments/", payload, format="json", HTTP_IDEMPOTENCY_KEY="label-1").json()
    again = clerk_api.post("/api/v1/shipments/", payload, format="json", HTTP_IDEMPOTENCY_KEY="label-1").json()
    assert again["number"] == shipment["number"]
    shipped = clerk_api.post(f"/api/v1/shipments/{shipment['id']}/ship/")
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert clerk_api.post(f"/api/v1/shipments/{shipment['id']}/void/", {"reason": "x"}).status_code == 403
    assert office_api.get(f"/api/v1/sales-orders/{order['id']}/").json()["status"] == "shipped"
    notifications = clerk_api.get("/api/v1/notifications/").json()["results"]
    assert any(n["kind"] == "ready_to_ship" for n in notifications)
    read = clerk_api.post(f"/api/v1/notifications/{notifications[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
