"""The purchasing API beyond orders: a job's material requirements, outside operations, ship-outs, vendor returns
and the certificate upload (multipart, a PDF by its content), per role and with bad input refused."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.models import Operation
from purchasing import services
from purchasing.models import MaterialRequirement
from tests.scenarios import job_with_material, plating_job, sent_purchase_order

D = Decimal
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_material_requirements_list_by_job_create_update_issue_and_remove(office, manager, buyer, lead):
    job, first = job_with_material(office, manager, buyer)
    other, _ = job_with_material(office, manager, buyer)
    api = _client(buyer)
    listed = api.get(f"/api/v1/material-requirements/?job={job.pk}")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [first.pk]
    second_op = job.operations.get(sequence=20)
    made = api.post("/api/v1/material-requirements/", {"job": job.pk, "description": "Pins", "quantity": "40",
                                                       "operation": second_op.pk, "estimated_cost": "8.00"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    pins = made.json()
    assert pins["source"] == "buy" and pins["unit"] == "pcs"
    assert Operation.objects.get(pk=second_op.pk).material_ready is False
    changed = api.patch(f"/api/v1/material-requirements/{pins['id']}/", {"quantity": "44"}, format="json")
    assert changed.status_code == 200 and changed.json()["quantity"] == "44.000"
    assert changed.json()["operation"] == second_op.pk and changed.json()["estimated_cost"] == "8.00"  # kept
    moved = api.patch(f"/api/v1/material-requirements/{pins['id']}/", {"job": other.pk}, format="json")
    assert moved.status_code == 400 and "stays on its job" in moved.json()["job"][0]
    foreign = api.patch(f"/api/v1/material-requirements/{pins['id']}/",
                        {"operation": other.operations.first().pk}, format="json")  # fmt: skip
    assert foreign.status_code == 400 and "this job" in str(foreign.json())
    issued = api.post(f"/api/v1/material-requirements/{pins['id']}/issue-from-stock/", {"cost": "7.50"}, format="json")
    assert issued.status_code == 200 and issued.json()["source"] == "stock" and issued.json()["stock_cost"] == "7.50"
    assert Operation.objects.get(pk=second_op.pk).material_ready is True
    again = api.post(f"/api/v1/material-requirements/{pins['id']}/issue-from-stock/", {"cost": "1"}, format="json")
    assert again.status_code == 409
    assert (
        api.post(f"/api/v1/material-requirements/{first.pk}/issue-from-stock/", {}, format="json").status_code == 400
    )
    po = sent_purchase_order(buyer, first)
    on_po = api.delete(f"/api/v1/material-requirements/{first.pk}/")
    assert on_po.status_code == 409 and po.number in on_po.json()["detail"]
    removable = services.requirement_add(job=job, by=buyer, description="Spare", quantity=D("1"))
    floor = _client(lead)
    assert floor.get(f"/api/v1/material-requirements/{removable.pk}/").status_code == 200  # the floor sees
    assert floor.delete(f"/api/v1/material-requirements/{removable.pk}/").status_code == 403
    assert floor.patch(f"/api/v1/material-requirements/{removable.pk}/", {"quantity": "2"},
                       format="json").status_code == 403  # fmt: skip
    assert _client(office).get("/api/v1/material-requirements/").status_code == 403
    assert _client(manager).delete(f"/api/v1/material-requirements/{removable.pk}/").status_code == 204
    assert not MaterialRequirement.objects.filter(pk=removable.pk).exists()
    for body in ({"job": job.pk, "description": "x", "quantity": "0"}, {"job": 10**9, "description": "x",
                 "quantity": "1"}, {"job": job.pk, "description": "x", "quantity": 1}):  # fmt: skip
        assert api.post("/api/v1/material-requirements/", body, format="json").status_code == 400


def test_outside_operations_filters_and_update(office, manager, buyer, lead, clerk):
    job, outside = plating_job(office, manager)
    _, blank = plating_job(office, manager, vendor=False)
    api = _client(buyer)
    every = api.get("/api/v1/outside-operations/").json()["results"]
    assert {row["id"] for row in every} == {outside.pk, blank.pk}
    assert [r["id"] for r in api.get("/api/v1/outside-operations/?no_vendor=true").json()["results"]] == [blank.pk]
    assert [r["id"] for r in api.get(f"/api/v1/outside-operations/?job={job.pk}").json()["results"]] == [outside.pk]
    assert api.get("/api/v1/outside-operations/?at_vendor=true").json()["results"] == []
    assert api.get("/api/v1/outside-operations/?at_vendor=maybe").status_code == 400
    detail = api.get(f"/api/v1/outside-operations/{blank.pk}/")
    assert detail.status_code == 200 and detail.json()["work_center"] == "PLATE"
    changed = api.patch(f"/api/v1/outside-operations/{blank.pk}/", {"vendor": outside.vendor_id, "lead_days": 9},
                        format="json", HTTP_IF_MATCH=detail["ETag"])  # fmt: skip
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["vendor"], changed.json()["lead_days"], changed.json()["estimated_cost"]) == (
        outside.vendor_id,
        9,
        "0.00",
    )
    stale = api.patch(f"/api/v1/outside-operations/{blank.pk}/", {"lead_days": 1}, format="json",
                      HTTP_IF_MATCH=detail["ETag"])  # fmt: skip
    assert stale.status_code == 412
    from purchasing.models import Vendor

    unapproved = Vendor.objects.create(code="NOPE", name="Not approved", processes="plating")
    refused = api.patch(f"/api/v1/outside-operations/{blank.pk}/", {"vendor": unapproved.pk}, format="json")
    assert refused.status_code == 400 and "approved" in refused.json()["vendor"][0]
    assert api.patch(f"/api/v1/outside-operations/{blank.pk}/", {"lead_days": 400}, format="json").status_code == 400
    assert _client(clerk).patch(f"/api/v1/outside-operations/{blank.pk}/", {"lead_days": 1},
                                format="json").status_code == 403  # fmt: skip
    assert _client(lead).get("/api/v1/outside-operations/").status_code == 200


def test_ship_out_return_with_a_reject_and_a_certificate_upload(office, manager, lead, clerk, buyer):
    job, outside = plating_job(office, manager)
    saw = job.operations.get(sequence=10)
    from jobs import services as job_services

    job_services.operation_act(operation=saw, action="start", by=lead)
    job_services.operation_report_pieces(operation=saw, good=10, by=lead)
    api = _client(clerk)
    assert _client(lead).post("/api/v1/ship-outs/", {"outside_operation": outside.pk, "quantity": 4},
                              format="json").status_code == 403  # fmt: skip
    shipped = api.post("/api/v1/ship-outs/", {"outside_operation": outside.pk, "quantity": 4, "carrier": "Van"},
                       format="json")  # fmt: skip
    assert shipped.status_code == 201, shipped.json()
    assert shipped.json()["number"].startswith("VS-")
    too_many = api.post("/api/v1/ship-outs/", {"outside_operation": outside.pk, "quantity": 7}, format="json")
    assert too_many.status_code == 400
    assert api.get(f"/api/v1/outside-operations/?at_vendor=true&job={job.pk}").json()["results"][0]["id"] == outside.pk
    none = api.post("/api/v1/vendor-returns/", {"outside_operation": outside.pk}, format="json")
    assert none.status_code == 400 and "at least one" in none.json()["good"][0]
    over = api.post("/api/v1/vendor-returns/", {"outside_operation": outside.pk, "good": 5}, format="json")
    assert over.status_code == 400
    back = api.post("/api/v1/vendor-returns/", {"outside_operation": outside.pk, "good": 3, "rejected": 1,
                                                "lot_number": "B-12"}, format="json")  # fmt: skip
    assert back.status_code == 201, back.json()
    returned = back.json()["id"]
    url = f"/api/v1/vendor-returns/{returned}/certificate/"
    fake = api.post(url, {"certificate": SimpleUploadedFile("cert.pdf", b"<html>no</html>")}, format="multipart")
    assert fake.status_code == 400 and "not a PDF" in fake.json()["certificate"][0]
    assert api.post(url, {}, format="multipart").status_code == 400
    assert api.post(url, {"certificate": "text"}, format="json").status_code in (400, 415)
    assert _client(lead).post(url, {"certificate": SimpleUploadedFile("c.pdf", PDF)},
                              format="multipart").status_code == 403  # fmt: skip
    done = api.post(url, {"certificate": SimpleUploadedFile("Plating cert.pdf", PDF)}, format="multipart")
    assert done.status_code == 200 and done.json()["certificate_name"] == "Plating cert.pdf"
    twice = api.post(url, {"certificate": SimpleUploadedFile("again.pdf", PDF)}, format="multipart")
    assert twice.status_code == 409
    outside.refresh_from_db()
    assert (outside.pieces_sent, outside.pieces_back_good, outside.pieces_rejected) == (4, 3, 1)


def test_certificate_for_a_receipt(office, manager, buyer, clerk):
    _, requirement = job_with_material(office, manager, buyer)
    line = sent_purchase_order(buyer, requirement).lines.get()
    receipt = services.receipt_create(po_line=line, quantity=D("4"), lot_number="H-1", by=clerk)
    api = _client(clerk)
    url = f"/api/v1/receipts/{receipt.pk}/certificate/"
    named = api.post(url, {"certificate": SimpleUploadedFile("cert.txt", PDF)}, format="multipart")
    assert named.status_code == 400 and "named .pdf" in named.json()["certificate"][0]
    done = api.post(url, {"certificate": SimpleUploadedFile("Mill\x00 cert.pdf", PDF)}, format="multipart")
    assert done.status_code == 200, done.json()
    receipt.refresh_from_db()
    assert receipt.certificate.read().startswith(b"%PDF-") and "Mill" not in receipt.certificate.name
    assert _client(office).post(url, {}, format="multipart").status_code == 403
    assert api.post("/api/v1/receipts/999999/certificate/", {"certificate": SimpleUploadedFile("c.pdf", PDF)},
                    format="multipart").status_code == 404  # fmt: skip
