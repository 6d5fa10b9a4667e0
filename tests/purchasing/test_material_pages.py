"""A job's material on the job page: a buyer or Manager adds, edits, removes and issues from stock through the
panel's forms (the material services); the floor lead and the shipping clerk see it only; Office not at all."""

from decimal import Decimal

import pytest
from django.test import Client

from jobs.models import Operation
from purchasing import services
from purchasing.models import MaterialRequirement
from tests.scenarios import job_with_material, page_queries, sent_purchase_order

D = Decimal
pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ready(job) -> dict[int, bool]:
    return dict(Operation.objects.filter(job=job).values_list("sequence", "material_ready"))


@pytest.mark.parametrize("who", ["buyer", "manager"])
def test_buyer_or_manager_add_edit_issue_and_remove_material(request, who, office, manager, buyer):
    user = request.getfixturevalue(who)
    job, first = job_with_material(office, manager, buyer)
    client = client_for(user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/purchasing/jobs/{job.pk}/material/new/" in page and f"/purchasing/material/{first.pk}/edit/" in page
    second_op = job.operations.get(sequence=20)
    added = client.post(f"/purchasing/jobs/{job.pk}/material/new/", {
        "description": "Dowel pins 6 x 20", "quantity": "40", "unit": "pcs", "estimated_cost": "12.00",
        "operation": second_op.pk})  # fmt: skip
    assert added.status_code == 302 and added.url == f"/jobs/{job.pk}/#material-h"
    pins = MaterialRequirement.objects.get(job=job, description="Dowel pins 6 x 20")
    assert pins.created_by == user and pins.operation == second_op and _ready(job) == {10: False, 20: False, 30: True}
    edited = client.post(f"/purchasing/material/{pins.pk}/edit/", {
        "description": "Dowel pins 6 x 24", "quantity": "44", "unit": "pcs", "estimated_cost": "13.20",
        "operation": ""})  # fmt: skip
    assert edited.status_code == 302
    pins.refresh_from_db()
    assert (pins.description, pins.quantity, pins.operation) == ("Dowel pins 6 x 24", D("44"), None)
    assert _ready(job) == {10: False, 20: True, 30: True}
    form = client.get(f"/purchasing/material/{first.pk}/issue/")
    assert form.status_code == 200 and 'value="120.00"' in form.content.decode()  # the estimate as the default
    issued = client.post(f"/purchasing/material/{first.pk}/issue/", {"cost": "98.50"})
    assert issued.status_code == 302
    first.refresh_from_db()
    assert (first.source, first.stock_cost, first.issued_by) == ("stock", D("98.50"), user)
    assert _ready(job) == {10: False, 20: True, 30: True}  # the pins still hold the first operation
    removed = client.post(f"/purchasing/material/{pins.pk}/remove/")
    assert removed.status_code == 302 and not MaterialRequirement.objects.filter(pk=pins.pk).exists()
    assert _ready(job) == {10: True, 20: True, 30: True}
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "from stock" in page and "98.50" in page and f"/purchasing/material/{first.pk}/edit/" not in page


def test_bad_input_and_settled_material_get_a_clear_reason_and_change_nothing(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    other_job, _ = job_with_material(office, manager, buyer)
    client = client_for(buyer)
    bad = client.post(f"/purchasing/jobs/{job.pk}/material/new/", {
        "description": "Bar", "quantity": "0", "unit": "m", "estimated_cost": "-1",
        "operation": other_job.operations.first().pk})  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 200 and "Ensure this value is greater than or equal to 0.001" in text
    assert "Select a valid choice" in text  # another job's operation
    assert MaterialRequirement.objects.filter(job=job).count() == 1
    po = sent_purchase_order(buyer, requirement)
    body = {"description": "Changed", "quantity": "10", "unit": "m", "estimated_cost": "1"}
    refused = client.post(f"/purchasing/material/{requirement.pk}/edit/", body)
    assert refused.status_code == 200 and f"This material is on {po.number}" in refused.content.decode()
    issue = client.post(f"/purchasing/material/{requirement.pk}/issue/", {"cost": "5"})
    assert issue.status_code == 200 and f"on {po.number}; cancel that order first" in issue.content.decode()
    removed = client.post(f"/purchasing/material/{requirement.pk}/remove/", follow=True)
    assert f"on {po.number}; cancel that order first" in removed.content.decode()
    requirement.refresh_from_db()
    assert requirement.description == "6061-T6 bar 50 mm" and requirement.source == "buy"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/purchasing/material/{requirement.pk}/edit/" not in page and po.number in page  # nothing offered
    assert client.post(f"/purchasing/material/{requirement.pk}/issue/", {"cost": "x"}).status_code == 200
    assert client.get("/purchasing/material/999999/edit/").status_code == 404
    assert client.get("/purchasing/jobs/999999/material/new/").status_code == 404


@pytest.mark.parametrize("who", ["lead", "clerk"])
def test_floor_lead_and_clerk_see_the_material_but_cannot_change_it(request, who, office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    client = client_for(request.getfixturevalue(who))
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "6061-T6 bar 50 mm" in page and "Add material" not in page and "/purchasing/material/" not in page
    assert client.get(f"/purchasing/jobs/{job.pk}/material/new/").status_code == 403
    assert client.post(f"/purchasing/jobs/{job.pk}/material/new/", {"description": "x", "quantity": "1",
                                                                     "unit": "m"}).status_code == 403  # fmt: skip
    assert client.get(f"/purchasing/material/{requirement.pk}/edit/").status_code == 403
    assert client.post(f"/purchasing/material/{requirement.pk}/issue/", {"cost": "1"}).status_code == 403
    assert client.post(f"/purchasing/material/{requirement.pk}/remove/").status_code == 403
    assert MaterialRequirement.objects.filter(pk=requirement.pk, source="buy").exists()


def test_office_does_not_see_the_material_and_is_refused(office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    client = client_for(office)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and "6061-T6 bar 50 mm" not in page.content.decode()
    assert client.get(f"/purchasing/jobs/{job.pk}/material/new/").status_code == 403
    assert client.get(f"/purchasing/material/{requirement.pk}/issue/").status_code == 403
    assert client.post(f"/purchasing/material/{requirement.pk}/remove/").status_code == 403


@pytest.mark.parametrize("who", ["buyer", "manager", "lead"])
def test_job_page_queries_do_not_grow_with_material_rows(request, who, office, manager, buyer):
    job, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    services.receipt_create(po_line=po.lines.get(), quantity=D("3"), lot_number="H-5", by=buyer)
    client = client_for(request.getfixturevalue(who))
    url = f"/jobs/{job.pk}/"
    before = page_queries(client, url)
    services.requirement_add(job=job, by=buyer, description="Pins", quantity=D("5"))
    stock = services.requirement_add(job=job, by=buyer, description="Plate", quantity=D("1"))
    services.requirement_issue_from_stock(requirement=stock, cost=D("10"), by=buyer)
    pins_po = sent_purchase_order(buyer, services.requirement_add(job=job, by=buyer, description="Bolts",
                                                                  quantity=D("8")))  # fmt: skip
    services.receipt_create(po_line=pins_po.lines.get(), quantity=D("8"), lot_number="L-2", by=buyer)
    services.receipt_create(po_line=po.lines.get(), quantity=D("2"), lot_number="H-6", by=buyer)
    assert page_queries(client, url) == before
    for path in (f"/purchasing/jobs/{job.pk}/material/new/", f"/purchasing/material/{stock.pk}/issue/"):
        if who != "lead":
            assert client.get(path).status_code == 200
