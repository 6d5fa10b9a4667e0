"""Purchasing pages: fixed query counts whatever the number of rows, receiving through the page, the panel."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from purchasing import services
from tests.scenarios import job_with_material, page_queries, sent_purchase_order, vendor

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _orders(office, manager, buyer, n):
    made = []
    for _ in range(n):
        _, requirement = job_with_material(office, manager, buyer, preferred=vendor())
        po = sent_purchase_order(buyer, requirement)
        services.receipt_create(po_line=po.lines.get(), quantity=Decimal("2"), lot_number="H-1", by=buyer)
        made.append(po)
    return made


def test_pages_make_the_same_number_of_queries_for_one_row_or_many(office, manager, buyer):
    client = client_for(buyer)
    first = _orders(office, manager, buyer, 1)[0]
    urls = ["/purchasing/", "/purchasing/vendors/", "/purchasing/receiving/", "/purchasing/buy/",
            f"/purchasing/orders/{first.pk}/", f"/purchasing/orders/{first.pk}/print/",
            f"/jobs/{first.lines.get().requirement.job_id}/"]  # fmt: skip
    before = {url: page_queries(client, url) for url in urls}
    more = _orders(office, manager, buyer, 3)
    job = first.lines.get().requirement.job
    services.requirement_add(job=job, by=buyer, description="Second bar", quantity=Decimal("2"))
    services.receipt_create(po_line=first.lines.get(), quantity=Decimal("1"), lot_number="H-2", by=buyer)
    after = {url: page_queries(client, url) for url in urls}
    assert after == before, {u: (before[u], after[u]) for u in urls if before[u] != after[u]}
    assert len(more) == 3


def test_receive_on_the_page_with_a_heat_and_a_certificate_and_an_over_receipt_refused(office, manager, buyer, clerk,
                                                                                        inspector):  # fmt: skip
    _, requirement = job_with_material(office, manager, buyer)
    line = sent_purchase_order(buyer, requirement).lines.get()
    client = client_for(clerk)
    page = client.get("/purchasing/receiving/")
    assert page.status_code == 200 and line.description in page.content.decode()
    ok = client.post(f"/purchasing/receiving/lines/{line.pk}/", {
        f"l{line.pk}-quantity": "4", f"l{line.pk}-lot_number": "HEAT-9",
        f"l{line.pk}-certificate": SimpleUploadedFile("cert.pdf", PDF)})  # fmt: skip
    assert ok.status_code == 302
    refused = client.post(f"/purchasing/receiving/lines/{line.pk}/", {f"l{line.pk}-quantity": "7"})
    assert refused.status_code == 400 and "tolerance" in refused.content.decode()
    line.refresh_from_db()
    assert line.quantity_received == Decimal("4") and line.receipts.get().lot_number == "HEAT-9"
    panel = client_for(manager).get(f"/jobs/{requirement.job_id}/").content.decode()
    assert "Material" in panel and "HEAT-9" in panel and line.purchase_order.number in panel
    # The certificate as it came, from the PO's page (Quality reads it there too); a receipt without one is 404.
    receipt = line.receipts.get()
    download = f"/purchasing/receipts/{receipt.pk}/certificate/"
    assert download in client_for(buyer).get(line.purchase_order.get_absolute_url()).content.decode()
    pdf = client_for(inspector).get(download)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == PDF
    assert "cert.pdf" in pdf["Content-Disposition"]
    bare = services.receipt_create(po_line=line, quantity=Decimal("1"), by=clerk)
    assert client_for(inspector).get(f"/purchasing/receipts/{bare.pk}/certificate/").status_code == 404


def test_receiving_page_finds_a_received_order_by_number_and_books_its_over_delivery(office, manager, buyer, clerk):
    _, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    line = po.lines.get()
    services.receipt_create(po_line=line, quantity=Decimal("10"), by=clerk)
    client = client_for(clerk)
    assert po.number not in client.get("/purchasing/receiving/").content.decode()  # not expected any more
    found = client.get(f"/purchasing/receiving/?po={po.number}")
    assert found.status_code == 200 and f"/purchasing/receiving/lines/{line.pk}/" in found.content.decode()
    done = client.post(f"/purchasing/receiving/lines/{line.pk}/", {"po": po.number, f"l{line.pk}-quantity": "0.5",
                                                                   f"l{line.pk}-lot_number": "H-3"})  # fmt: skip
    assert done.status_code == 302 and done.url == f"/purchasing/receiving/?po={po.number}"
    line.refresh_from_db()
    po.refresh_from_db()
    assert line.quantity_received == Decimal("10.5") and po.status == "received"
    at_limit = client.get(f"/purchasing/receiving/?po={po.number}").content.decode()
    assert f"/purchasing/receiving/lines/{line.pk}/" not in at_limit and "its lines are at their limit" in at_limit


def test_an_empty_receiving_line_prints_the_forms_own_names_and_a_refused_one_its_bound_form(office, manager, buyer):
    """Empty lines print the receipt form's fields without building it: the names, ids and labels must be the
    ones the form reads back (ReceiptForm with the line's prefix), or a receipt typed there would be lost."""
    import re

    from purchasing.forms import ReceiptForm

    _, requirement = job_with_material(office, manager, buyer)
    line = sent_purchase_order(buyer, requirement).lines.get()
    client = client_for(buyer)
    page = client.get("/purchasing/receiving/").content.decode()
    form = ReceiptForm(prefix=f"l{line.pk}")
    printed = re.findall(
        rf'<label[^>]*for="(id_l{line.pk}-[a-z_]+)">([^<]+)</label>\s*<input[^>]*name="([^"]+)"', page
    )
    assert printed == [(field.id_for_label, field.label, field.html_name) for field in form]
    refused = client.post(f"/purchasing/receiving/lines/{line.pk}/", {f"l{line.pk}-quantity": "-1",
                                                                      f"l{line.pk}-lot_number": "H-9"})  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400 and 'value="H-9"' in body and "is-invalid" in body
