import pytest
from django.test import Client
from django.urls import reverse

from jobs import services as job_services
from quality import services
from quality.models import JobCharacteristic, NonConformance
from tests.scenarios import inspected_order, page_queries, run_to_inspection

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _fail(op, lead, sample_no):
    bore = JobCharacteristic.objects.get(operation=op, name="Bore diameter")
    return services.inspection_record(operation=op, sample_no=sample_no, values={bore.pk: "10.5"}, by=lead)


def test_inspection_page_shows_tolerance_and_records_a_failure(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=3)
    op = run_to_inspection(job, lead, 3)
    client = client_for(lead)
    url = reverse("quality:inspect", args=[op.pk])
    page = client.get(url).content.decode()
    assert 'inputmode="decimal"' in page and "10 +0.05/-0.02 mm" in page and 'data-upper="10.05' in page
    bore = JobCharacteristic.objects.get(operation=op, name="Bore diameter")
    response = client.post(url, {"sample_no": "1", f"c{bore.pk}": "10.2", "submit_token": "t1"})
    assert response.status_code == 302
    assert "Open NCR" in client.get(url).content.decode()
    bad = client.post(url, {"sample_no": "2", f"c{bore.pk}": "abc", "submit_token": "t2"})
    assert bad.status_code == 400 and "enter a number" in bad.content.decode()
    floor = client.get(job.get_floor_url()).content.decode()
    assert reverse("quality:ncr-from-inspection", args=[op.pk]) in floor, "two taps: the floor screen, then open"
    response = client.post(reverse("quality:ncr-from-inspection", args=[op.pk]),
                           {"quantity": "1", "reason": "Bore oversize", "submit_token": "t3"})  # fmt: skip
    ncr = NonConformance.objects.get()
    assert response["Location"] == ncr.get_absolute_url() and ncr.opened_by == lead


def test_disposition_buttons_and_remake_from_the_page(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    ncr = services.ncr_open(results=_fail(op, lead, 1), by=lead)
    client = client_for(inspector)
    page = client.get(ncr.get_absolute_url()).content.decode()
    assert 'value="remake"' in page and 'value="use_as_is"' in page
    refused = client.post(reverse("quality:ncr-disposition", args=[ncr.pk]), {"disposition": "use_as_is"})
    assert refused.status_code == 400 and "concession reference" in refused.content.decode()
    client.post(reverse("quality:ncr-disposition", args=[ncr.pk]), {"disposition": "remake"})
    ncr.refresh_from_db()
    assert ncr.status == "dispositioned" and ncr.remake_job.number == f"{job.number}-R1"
    assert ncr.number in client_for(manager).get(job.get_absolute_url()).content.decode()


def test_quality_pages_make_a_fixed_number_of_queries(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=6)
    op = run_to_inspection(job, lead, 6)
    client = client_for(inspector)
    urls = [reverse("quality:inspect", args=[op.pk]), reverse("quality:ncr-list"), job.get_absolute_url(),
            reverse("quality:plan", args=[job.sales_order_line.item_id])]  # fmt: skip
    services.ncr_open(results=_fail(op, lead, 1), by=lead)
    few = [page_queries(client, url) for url in urls]
    for n in (2, 3, 4):
        services.ncr_open(results=_fail(op, lead, n), by=lead)
    job_services.operation_report_pieces(operation=op, good=0, scrap=2, scrap_reason="Other", by=lead)
    many = [page_queries(client, url) for url in urls]
    assert few == many
    ncr = NonConformance.objects.first()
    assert page_queries(client, ncr.get_absolute_url()) == page_queries(
        client, NonConformance.objects.last().get_absolute_url()
    )


def test_a_refused_plan_line_keeps_what_was_typed_and_says_which_field(inspector):
    import re

    from quality.models import PlanCharacteristic
    from tests.factories import ItemFactory

    item = ItemFactory()
    client = client_for(inspector)
    url = reverse("quality:plan-add", args=[item.pk])
    data = {"operation_sequence": "20", "name": "Slot width", "kind": "dimension", "nominal": "", "tolerance_plus":
            "0.05", "tolerance_minus": "0", "unit": "mm", "sampling": "every", "submit_token": "p1"}  # fmt: skip
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400 and not PlanCharacteristic.objects.exists()
    # The service's words on the field (a ModelForm would have named the database's constraint instead).
    assert "A dimension needs its nominal value." in page and "Constraint" not in page
    assert 'value="Slot width"' in page and 'value="0.05"' in page
    assert re.search(r'<input[^>]*name="nominal"[^>]*aria-invalid="true"', page)
    response = client.post(url, {**data, "nominal": "8", "submit_token": "p2"})
    assert response.status_code == 302 and PlanCharacteristic.objects.get().nominal == 8
