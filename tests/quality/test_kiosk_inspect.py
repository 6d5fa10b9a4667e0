"""In-process inspection on a kiosk tablet (issue 21): operators hold record_inspections; the kiosk's job screen
links the inspection sheet of its work center's operations (quality's kiosk panel), the results record the operator
as the inspector, a failed result opens an NCR from the kiosk; nothing of another work center, no ordinary browser."""

import pytest
from django.test import Client

from quality.models import InspectionResult, JobCharacteristic, NonConformance
from tests.jobs.kiosk_helpers import badge_in, kiosk_client, make_operator
from tests.scenarios import inspected_order, run_to_inspection

pytestmark = pytest.mark.django_db


def test_an_operator_inspects_at_the_kiosk_and_opens_an_ncr_from_a_failed_result(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    run_to_inspection(job, lead, good=4)
    saw, insp = job.operations.get(sequence=10), job.operations.get(sequence=30)
    client, _device = kiosk_client(manager, insp.work_center)
    ann = make_operator(manager, "Ann", "Able")
    badge_in(client, ann)
    url = f"/kiosk/quality/operations/{insp.pk}/inspect/"
    assert url in client.get(f"/kiosk/jobs/{job.pk}/").content.decode()  # "Inspect op 30" on the job screen
    sheet = client.get(url)
    assert sheet.status_code == 200 and "Bore diameter" in sheet.content.decode()
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=insp)}
    bore, finish = chars["Bore diameter"], chars["Surface finish"]
    ok = {"sample_no": 1, f"c{bore.pk}": "10.01", f"c{finish.pk}": "pass", "operator": ann.user.pk,
          "submit_token": sheet.context["submit_token"]}  # fmt: skip
    response = client.post(url, ok)
    assert response.status_code == 302 and response["Location"] == url
    assert set(InspectionResult.objects.filter(sample_no=1).values_list("by", flat=True)) == {ann.user.pk}
    # Sample 2 out of tolerance: the kiosk offers the NCR, opened by Ann.
    sheet = client.get(url)
    out = {"sample_no": 2, f"c{bore.pk}": "10.20", "operator": ann.user.pk,
           "submit_token": sheet.context["submit_token"]}  # fmt: skip
    assert client.post(url, out).status_code == 302
    ncr_url = f"/kiosk/quality/operations/{insp.pk}/ncr/"
    assert ncr_url in client.get(url).content.decode()
    assert ncr_url in client.get(f"/kiosk/jobs/{job.pk}/").content.decode()
    form = client.get(ncr_url)
    assert form.status_code == 200
    opened = client.post(ncr_url, {"operator": ann.user.pk, "quantity": 1, "reason": "Bore oversize",
                                   "submit_token": form.context["submit_token"]})  # fmt: skip
    assert opened.status_code == 302 and opened["Location"] == f"/kiosk/jobs/{job.pk}/"
    assert NonConformance.objects.get(job=job).opened_by == ann.user
    # Not another work center's operation, not from an ordinary browser, not with nobody badged in.
    assert client.get(f"/kiosk/quality/operations/{saw.pk}/inspect/").status_code == 403
    assert Client().get(url).status_code == 403
    client.post("/kiosk/sign-off/")
    assert client.get(url).status_code == 303
    assert client.post(url, {**ok, "sample_no": 3}).status_code == 409
    assert not InspectionResult.objects.filter(sample_no=3).exists()
