"""Change requests through the API: the same services and rules as the pages."""

import datetime

from jobs.models import Job
from tests.scenarios import approved_order, client_for


def test_change_request_through_the_api(office, manager, lead):
    order = approved_order(office, manager, lines=2, quantity=10)
    first, second = order.lines.order_by("line_no")
    office_api, manager_api, lead_api = (client_for(u) for u in (office, manager, lead))

    assert lead_api.post("/api/v1/change-requests/", {"order": order.pk}, format="json").status_code == 403
    created = office_api.post("/api/v1/change-requests/", {"order": order.pk}, format="json")
    assert created.status_code == 201
    change = created.json()
    assert (change["number"], change["status"], change["items"]) == (1, "draft", [])
    url = f"/api/v1/change-requests/{change['id']}/"
    # The same order again: the open request comes back, no second one.
    again = office_api.post("/api/v1/change-requests/", {"order": order.pk}, format="json")
    assert again.json()["id"] == change["id"], again.json()

    bad = office_api.post(url + "add-item/", {"kind": "quantity", "line": first.pk, "quantity": 10, "reason": "x"},
                          format="json")  # fmt: skip
    assert bad.status_code == 400 and "already" in str(bad.json())
    missing = office_api.post(url + "add-item/", {"kind": "quantity", "line": first.pk}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    other = approved_order(office, manager).lines.get()
    foreign = office_api.post(url + "add-item/", {"kind": "cancel_line", "line": other.pk, "reason": "x"},
                              format="json")  # fmt: skip
    assert foreign.status_code == 400 and "Pick a line of this order" in str(foreign.json())

    later = (second.due_date + datetime.timedelta(days=5)).isoformat()
    added = office_api.post(url + "add-item/", {"kind": "quantity", "line": first.pk, "quantity": 12,
                            "reason": "PO change 3"}, format="json")  # fmt: skip
    assert added.status_code == 200 and added.json()["items"][0]["summary"] == "Line 1: quantity 10 \u2192 12"
    office_api.post(url + "add-item/", {"kind": "due_date", "line": second.pk, "date": later, "reason": "y"},
                    format="json")  # fmt: skip
    item_id = added.json()["items"][0]["id"]
    assert office_api.post(url + "remove-item/", {"item": 999999}, format="json").status_code == 400
    assert len(office_api.post(url + "remove-item/", {"item": item_id}, format="json").json()["items"]) == 1
    office_api.post(url + "add-item/", {"kind": "quantity", "line": first.pk, "quantity": 12, "reason": "PO 3"},
                    format="json")  # fmt: skip

    assert manager_api.post(url + "approve/").status_code == 409  # still a draft
    assert office_api.post(url + "submit/").json()["status"] == "pending"
    assert office_api.post(url + "approve/").status_code == 403
    assert manager_api.post(url + "reject/", {"reason": ""}, format="json").status_code == 400
    approved = manager_api.post(url + "approve/", {"reason": "Agreed"}, format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["revision"], body["decision_note"]) == ("approved", 1, "Agreed")
    assert body["items"][0]["before"] == {"due_date": second.due_date.isoformat()}
    assert office_api.post(url + "withdraw/").status_code == 409
    order_json = office_api.get(f"/api/v1/sales-orders/{order.pk}/").json()
    assert order_json["revision"] == 1 and order_json["lines"][0]["quantity"] == 12
    assert Job.objects.get(sales_order_line=first).quantity == 12
    listed = office_api.get("/api/v1/change-requests/", {"order": order.pk}).json()["results"]
    assert [c["id"] for c in listed] == [change["id"]]
