"""The quality API: an item's inspection plan, inspection results of an operation and NCRs, per role."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs import services as job_services
from jobs.models import Job
from quality.models import InspectionResult, JobCharacteristic, NonConformance
from tests.factories import ItemFactory
from tests.scenarios import inspected_order, run_to_inspection

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_inspector_keeps_an_items_plan(inspector, lead):
    item = ItemFactory()
    api = _client(inspector)
    body = {"item": item.pk, "operation_sequence": 30, "name": "Bore", "kind": "dimension", "nominal": "10.000",
            "tolerance_plus": "0.05", "tolerance_minus": "0", "unit": "mm"}  # fmt: skip
    created = api.post("/api/v1/inspection-plan/", body, format="json")
    assert created.status_code == 201, created.json()
    line = created.json()
    assert line["tolerance_label"] == "10 +0.05/-0 mm" and line["position"] == 1
    bad = api.post("/api/v1/inspection-plan/", {**body, "nominal": None}, format="json")
    assert bad.status_code == 400 and "nominal" in bad.json()
    changed = api.patch(f"/api/v1/inspection-plan/{line['id']}/", {"tolerance_minus": "0.02"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["tolerance_label"] == "10 +0.05/-0.02 mm" and changed.json()["name"] == "Bore"
    moved = api.patch(f"/api/v1/inspection-plan/{line['id']}/", {"item": ItemFactory().pk}, format="json")
    assert moved.status_code == 400 and "item" in moved.json()
    listed = api.get(f"/api/v1/inspection-plan/?item={item.pk}")
    assert [r["name"] for r in listed.json()["results"]] == ["Bore"]
    floor = _client(lead)
    assert floor.get("/api/v1/inspection-plan/").status_code == 200
    assert floor.patch(f"/api/v1/inspection-plan/{line['id']}/", {"name": "X"}, format="json").status_code == 403


def test_floor_records_a_failed_sample_opens_an_ncr_and_quality_remakes(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = run_to_inspection(job, lead, 4)
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=op)}
    bore, finish = chars["Bore diameter"], chars["Surface finish"]
    floor = _client(lead)
    measured = [{"characteristic": bore.pk, "value": "10.09"}, {"characteristic": finish.pk, "value": "pass"}]
    body = {"operation": op.pk, "sample_no": 1, "measurements": measured}
    recorded = floor.post("/api/v1/inspection-results/", body, format="json")
    assert recorded.status_code == 201, recorded.json()
    assert {r["name"]: r["passed"] for r in recorded.json()} == {"Bore diameter": False, "Surface finish": True}
    again = floor.post("/api/v1/inspection-results/", body, format="json")
    assert again.status_code == 400 and "already recorded" in str(again.json())
    words = floor.post("/api/v1/inspection-results/", {**body, "sample_no": 2, "measurements": [
        {"characteristic": bore.pk, "value": "ten"}]}, format="json")  # fmt: skip
    assert words.status_code == 400 and InspectionResult.objects.count() == 2
    failed = floor.get(f"/api/v1/inspection-results/?operation={op.pk}&passed=false").json()["results"]
    assert [r["characteristic"] for r in failed] == [bore.pk]
    opened = floor.post("/api/v1/ncrs/", {"results": [failed[0]["id"]]}, format="json")
    assert opened.status_code == 201, opened.json()
    ncr = opened.json()
    assert ncr["status"] == "open" and ncr["quantity"] == 1 and ncr["reason"] == "Failed inspection: Bore diameter"
    twice = floor.post("/api/v1/ncrs/", {"results": [failed[0]["id"]]}, format="json")
    assert twice.status_code == 409
    url = f"/api/v1/ncrs/{ncr['id']}/disposition/"
    assert floor.post(url, {"disposition": "scrap"}, format="json").status_code == 403
    quality = _client(inspector)
    no_reference = quality.post(url, {"disposition": "use_as_is"}, format="json")
    assert no_reference.status_code == 400 and "concession_reference" in no_reference.json()
    remade = quality.post(url, {"disposition": "remake", "remake_quantity": 1}, format="json")
    assert remade.status_code == 200, remade.json()
    assert remade.json()["status"] == "dispositioned" and remade.json()["remake_job"]
    remake = Job.objects.get(pk=remade.json()["remake_job"])
    assert remake.quantity == 1 and remake.number.endswith("-R1")
    late = quality.post(url, {"disposition": "scrap"}, format="json")
    assert late.status_code == 409 and NonConformance.objects.get(pk=ncr["id"]).disposition == "remake"
    listed = quality.get("/api/v1/ncrs/?status=dispositioned&disposition=remake").json()["results"]
    assert [n["number"] for n in listed] == [ncr["number"]]
    job_services.operation_report_pieces(operation=op, good=1, by=lead)  # the settled failure no longer holds


def test_an_ncr_from_scrap_and_bad_bodies(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = run_to_inspection(job, lead, 4)
    job_services.operation_report_pieces(operation=op, good=0, scrap=2, scrap_reason="Other", by=lead)
    scrap = op.scrap_records.get()
    floor = _client(lead)
    assert floor.post("/api/v1/ncrs/", {}, format="json").status_code == 400
    both = floor.post("/api/v1/ncrs/", {"scrap_record": scrap.pk, "results": [1]}, format="json")
    assert both.status_code == 400
    too_many = floor.post("/api/v1/ncrs/", {"scrap_record": scrap.pk, "quantity": 9}, format="json")
    assert too_many.status_code == 400 and "quantity" in too_many.json()
    opened = floor.post("/api/v1/ncrs/", {"scrap_record": scrap.pk}, format="json")
    assert opened.status_code == 201 and opened.json()["quantity"] == 2
    assert _client(office).get("/api/v1/ncrs/").status_code == 403  # office has no view_quality
