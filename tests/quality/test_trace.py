"""Traceability (quality/trace.py) and the certificate pack (quality/pack.py): a shipment back to its heats,
certificates, inspections, operators and work centers, remakes and partial shipments included; a heat forward to
every job and shipment; fixed query counts at two sizes; the pack's PDF read back with pypdf."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from jobs import services as job_services
from jobs.models import Job
from purchasing import services as purchasing_services
from quality import pack, services, trace
from quality.models import JobCharacteristic
from sales import services as sales_services
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing
from tests.scenarios import (
    certificate_pdf,
    client_for,
    inspected_order,
    material_received,
    page_queries,
    plating_job,
    run_job,
    run_to_inspection,
    ship,
)

pytestmark = pytest.mark.django_db


def _chars(op):
    return {c.name: c for c in JobCharacteristic.objects.filter(operation=op)}


def _text(data: bytes) -> tuple[str, int]:
    """The PDF's text with its line breaks as spaces (table cells and paragraphs wrap), and its page count."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), len(reader.pages)


@pytest.fixture
def remade(office, manager, inspector, lead, buyer, clerk):
    """Four shafts: heat HT-100 (with its mill certificate); one ships, then sample 2 fails, its NCR is remade on
    -R1 (heat HT-200, no certificate), and the other three ship: the line complete in two shipments."""
    order, job = inspected_order(office, manager, inspector, quantity=4)
    material_received(job, buyer, lot="HT-100", certificate=certificate_pdf("Mill certificate", "Heat HT-100"))
    op = run_to_inspection(job, lead, 4)
    chars = _chars(op)
    bore, finish = chars["Bore diameter"], chars["Surface finish"]
    services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10.01", finish.pk: "pass"}, by=lead)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    line = order.lines.get()
    first = ship(order, clerk, {line.pk: 1})
    bad = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "10.06"}, by=lead)
    ncr = services.ncr_open(results=bad, by=lead)
    ncr = services.ncr_disposition(ncr=ncr, disposition="remake", by=inspector)
    job_services.operation_report_pieces(operation=op, good=0, scrap=1, scrap_reason="Dimension out of tolerance",
                                         by=lead)  # fmt: skip
    services.inspection_record(operation=op, sample_no=3, values={bore.pk: "10.02"}, by=lead)
    services.inspection_record(operation=op, sample_no=4, values={bore.pk: "10.00"}, by=lead)
    job_services.operation_report_pieces(operation=op, good=2, by=lead)
    job_services.operation_act(operation=op, action="finish", by=lead, short=True)
    remake = ncr.remake_job
    material_received(remake, buyer, lot="HT-200")
    rop = run_to_inspection(remake, lead, 1)
    rchars = _chars(rop)
    passed = {rchars["Bore diameter"].pk: "10.01", rchars["Surface finish"].pk: "pass"}
    services.inspection_record(operation=rop, sample_no=1, by=lead, values=passed)
    job_services.operation_report_pieces(operation=rop, good=1, by=lead)
    job_services.operation_act(operation=rop, action="finish", by=lead)
    second = ship(order, clerk, {line.pk: 3})
    return {"order": order, "job": job, "remake": remake, "ncr": ncr, "first": first, "second": second}


# --- back: a shipment to everything behind it ----------------------------------------------------------------


def test_a_partial_shipment_holds_the_job_that_had_started_not_the_later_remake(remade):
    found = trace.shipment_trace(pk=remade["first"].pk)
    assert [jt.job for jt in found.jobs] == [remade["job"]]
    assert [h.lot for h in found.heats] == ["HT-100"]
    assert found.heats[0].certificates, "the mill certificate is on file"


def test_the_completing_shipment_traces_the_job_and_its_remake(remade, lead):
    job, remake, ncr = remade["job"], remade["remake"], remade["ncr"]
    found = trace.shipment_trace(pk=remade["second"].pk)
    assert [jt.job.number for jt in found.jobs] == [job.number, remake.number]
    assert remake.number == f"{job.number}-R1"
    original, again = found.jobs
    assert again.remake_of == ncr and original.ncrs == [ncr]
    assert sorted(h.lot for h in found.heats) == ["HT-100", "HT-200"]
    # operator and work center per operation
    assert [(o.operation.sequence, o.operation.work_center.code) for o in original.operations] == [
        (10, "SAW"), (20, "CNC"), (30, "INSP")]  # fmt: skip
    assert all(o.operators == ["Lee Lead"] for o in original.operations)
    # every inspection result, the failure on its NCR
    bore = next(c for c in original.characteristics if c.characteristic.name == "Bore diameter")
    assert [(r.sample_no, r.value, r.passed) for r in bore.results] == [
        (1, Decimal("10.0100"), True), (2, Decimal("10.0600"), False), (3, Decimal("10.0200"), True),
        (4, Decimal("10.0000"), True)]  # fmt: skip
    assert bore.failed[0].ncr_id == ncr.pk and not original.unsettled
    assert found.conforms_on_record
    statements = pack.coc_statements(found)
    assert "on these records the parts conform" in statements[1]
    assert any("No heat" in s for s in statements) is False


def test_without_inspection_the_certificate_says_so_and_claims_nothing(office, manager, lead, clerk):
    from tests.scenarios import approved_order

    order = approved_order(office, manager, quantity=2)
    job = Job.objects.get(sales_order=order)
    run_job(job, lead, 2)
    shipment = ship(order, clerk, {order.lines.get().pk: 2})
    found = trace.shipment_trace(pk=shipment.pk)
    assert not found.inspected and not found.conforms_on_record
    text = " ".join(pack.coc_statements(found))
    assert f"does not state that the parts of {job.number} were inspected" in text
    assert "conform" not in text
    assert "No material heat or lot number is recorded" in text


def test_an_open_ncr_is_named_and_blocks_the_conformance_claim(office, manager, inspector, lead, clerk):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    chars = _chars(op)
    passed = {chars["Bore diameter"].pk: "10.00", chars["Surface finish"].pk: "pass"}
    services.inspection_record(operation=op, sample_no=1, by=lead, values=passed)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    bad = services.inspection_record(operation=op, sample_no=2, values={chars["Bore diameter"].pk: "9.90"}, by=lead)
    ncr = services.ncr_open(results=bad, by=lead)
    shipment = ship(order, clerk, {order.lines.get().pk: 1})
    found = trace.shipment_trace(pk=shipment.pk)
    assert not found.conforms_on_record
    text = " ".join(pack.coc_statements(found))
    assert f"still open (not dispositioned): {ncr.number}" in text and "conform to" not in text


def test_outside_process_certificate_and_vendor_lot(office, manager, lead, clerk):
    job, outside = plating_job(office, manager, quantity=3)
    saw, plate, insp = job.operations.order_by("sequence")
    job_services.operation_act(operation=saw, action="start", by=lead)
    job_services.operation_report_pieces(operation=saw, good=3, by=lead)
    job_services.operation_act(operation=saw, action="finish", by=lead)
    purchasing_services.outside_ship_out(outside_operation=outside, quantity=3, by=clerk)
    cert = SimpleUploadedFile("zinc.pdf", certificate_pdf("Plating certificate", "Batch PL-77"), "application/pdf")
    purchasing_services.outside_receive_back(outside_operation=outside, good=3, rejected=0, by=clerk,
                                             lot_number="PL-77", certificate=cert)  # fmt: skip
    job_services.operation_act(operation=insp, action="start", by=lead)
    job_services.operation_report_pieces(operation=insp, good=3, by=lead)
    job_services.operation_act(operation=insp, action="finish", by=lead)
    shipment = ship(job.sales_order, clerk, {job.sales_order_line_id: 3})
    found = trace.shipment_trace(pk=shipment.pk)
    assert [(r.lot_number, r.good) for r in found.outside_returns] == [("PL-77", 3)]
    data = pack.certificate_pack_pdf(found)
    text, _pages = _text(data)
    assert "Batch PL-77" in PdfReader(io.BytesIO(data)).pages[-1].extract_text(), "the certificate is appended last"
    assert "vendor lot PL-77, process certificate on file" in text, text
    assert f"Process certificate, {plate.description} of {job.number}" in text, text
    recall = trace.lot_trace(lot="pl-77")
    assert [h.job for h in recall.jobs] == [job] and recall.shipments == [shipment]


# --- forward: a heat to every job and shipment --------------------------------------------------------------


def test_a_heat_forward_finds_its_jobs_and_every_shipment_holding_them(remade):
    first, second, job, remake = remade["first"], remade["second"], remade["job"], remade["remake"]
    recall = trace.lot_trace(lot=" ht-100 ")
    assert recall.lot == "HT-100" and recall.found
    assert [h.job for h in recall.jobs] == [job]
    assert recall.shipments == [first, second]
    assert [row.quantity for row in recall.jobs[0].shipment_lines] == [1, 3]
    remade_heat = trace.lot_trace(lot="HT-200")
    assert [h.job for h in remade_heat.jobs] == [remake]
    assert remade_heat.shipments == [second], "the remake started after the first shipment left"
    assert not trace.lot_trace(lot="HT-999").found and trace.lot_trace(lot="").lot == ""


def test_voided_and_cancelled_shipments_are_not_in_a_recall(remade, manager):
    from shipping import services as shipping_services

    shipping_services.shipment_transition(shipment=remade["first"], name="void", by=manager, reason="Returned")
    assert trace.lot_trace(lot="HT-100").shipments == [remade["second"]]


# --- query counts at two sizes --------------------------------------------------------------------------------


def _shipped(office, manager, inspector, lead, buyer, clerk, n: int, lot: str):
    """An order of n lines of an inspected item, each job with material of `lot`, run with time entries and
    two inspected samples, shipped complete in n shipments (one per line)."""
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    services.plan_characteristic_add(item=item, by=inspector, operation_sequence=30, name="Length", kind="dimension",
                                     nominal=Decimal("50"), tolerance_plus=Decimal("0.1"),
                                     tolerance_minus=Decimal("0.1"))  # fmt: skip
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for i in range(1, n + 1):
        SalesOrderLineFactory(order=order, line_no=i, item=item, quantity=2)
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    shipments = []
    for job in Job.objects.filter(sales_order=order).order_by("number"):
        material_received(job, buyer, lot=lot, certificate=certificate_pdf(f"Heat {lot}"))
        op = run_to_inspection(job, lead, 2)
        char = JobCharacteristic.objects.get(operation=op)
        for sample in (1, 2):
            services.inspection_record(operation=op, sample_no=sample, values={char.pk: "50.02"}, by=lead)
        job_services.operation_act(operation=op, action="pause", by=lead)  # one more time entry
        job_services.operation_act(operation=op, action="resume", by=lead)
        job_services.operation_report_pieces(operation=op, good=2, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
        shipments.append(ship(order, clerk, {job.sales_order_line_id: 2}))
    # and one shipment of every line
    return order, shipments


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_both_directions_take_a_fixed_number_of_queries(office, manager, inspector, lead, buyer, clerk):
    small_order, small = _shipped(office, manager, inspector, lead, buyer, clerk, 1, "SMALL-1")
    large_order, large = _shipped(office, manager, inspector, lead, buyer, clerk, 4, "LARGE-1")
    back = [_count(lambda s=s: trace.shipment_trace(pk=s.pk)) for s in (small[0], large[-1])]
    forward = [_count(lambda lot=lot: trace.lot_trace(lot=lot)) for lot in ("SMALL-1", "LARGE-1")]
    assert back[0] == back[1] <= 12, back
    assert forward[0] == forward[1] <= 3, forward
    assert len(trace.lot_trace(lot="LARGE-1").shipments) == 4


def test_the_pages_and_endpoints_take_a_fixed_number_of_queries(client, office, manager, inspector, lead, buyer,
                                                                clerk):  # fmt: skip
    _o, small = _shipped(office, manager, inspector, lead, buyer, clerk, 1, "PG-1")
    _o, large = _shipped(office, manager, inspector, lead, buyer, clerk, 3, "PG-3")
    client.force_login(inspector)
    urls = [lambda s: reverse("quality:trace-shipment", args=[s.pk]),
            lambda s: reverse("quality:certificate-pack", args=[s.pk])]  # fmt: skip
    for url in urls:
        counts = [page_queries(client, url(s)) for s in (small[0], large[-1])]
        assert counts[0] == counts[1], (url(small[0]), counts)
    recall = [page_queries(client, reverse("quality:recall") + f"?lot={lot}") for lot in ("PG-1", "PG-3")]
    assert recall[0] == recall[1], recall
    api = client_for(inspector)
    for path in ([f"/api/v1/trace/shipments/{s.pk}/" for s in (small[0], large[-1])],
                 ["/api/v1/trace/?lot=pg-1", "/api/v1/trace/?lot=pg-3"]):  # fmt: skip
        counts = []
        for p in path:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(p).status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], (path, counts)


# --- the certificate pack ------------------------------------------------------------------------------------


def test_the_pack_lists_jobs_inspections_heats_and_appends_the_mill_certificate(remade):
    job, remake, ncr = remade["job"], remade["remake"], remade["ncr"]
    found = trace.shipment_trace(pk=remade["second"].pk)
    text, pages = _text(pack.certificate_pack_pdf(found))
    coc_pages = pages - 1  # one attached page: HT-100's mill certificate (HT-200 has none on file)
    assert coc_pages >= 1
    for expected in ("Certificate of conformance", remade["second"].number, job.number, remake.number,
                     "Bore diameter", "10 +0.05/-0.02 mm", "10.06", f"FAIL ({ncr.number})", "Surface finish",
                     "heat / lot HT-100", "mill certificate on file", "heat / lot HT-200",
                     "no mill certificate on file", f"remade on {remake.number}", "Lee Lead", "INSP",
                     "Mill certificate Heat HT-100", f"page {coc_pages + 1}"):  # fmt: skip
        assert expected in text, expected
    assert "Every job was inspected" in text


def test_an_unreadable_certificate_is_named_not_appended(office, manager, lead, buyer, clerk):
    from tests.scenarios import approved_order

    order = approved_order(office, manager, quantity=1)
    job = Job.objects.get(sales_order=order)
    material_received(job, buyer, lot="BROKEN-1", certificate=b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    run_job(job, lead, 1)
    shipment = ship(order, clerk, {order.lines.get().pk: 1})
    data = pack.certificate_pack_pdf(trace.shipment_trace(pk=shipment.pk))
    text, _pages = _text(data)
    assert "not appended: it" in text and "cert-BROKEN-1.pdf" in text
    assert "No inspection was recorded" in text
    last = PdfReader(io.BytesIO(data)).pages[-1].extract_text()
    assert "Certificates attached" in last and "not appended" in last, "nothing is appended behind the index"


def test_the_pack_downloads_as_a_pdf_attachment(client, remade, clerk):
    client.force_login(clerk)
    response = client.get(reverse("quality:certificate-pack", args=[remade["second"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="certificate-pack-{remade["second"].number}.pdf"' in response["Content-Disposition"]
    assert "HT-100" in _text(response.content)[0]
    assert client.get(reverse("quality:certificate-pack", args=[999999])).status_code == 404


# --- pages, the plain certificate, roles --------------------------------------------------------------------


def test_the_shipment_page_links_its_trace_and_pack_to_who_may(client, remade, manager, clerk, office):
    url = remade["second"].get_absolute_url()
    trace_url = reverse("quality:trace-shipment", args=[remade["second"].pk])
    pack_url = reverse("quality:certificate-pack", args=[remade["second"].pk])
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert trace_url in page and pack_url in page
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert trace_url not in page and pack_url in page
    client.force_login(office)
    page = client.get(url).content.decode()
    assert trace_url not in page and pack_url not in page


def test_the_trace_and_recall_pages_show_what_is_behind(client, remade, inspector):
    client.force_login(inspector)
    page = client.get(reverse("quality:trace-shipment", args=[remade["second"].pk])).content.decode()
    for expected in (remade["remake"].number, "HT-100", "HT-200", "10.06", remade["ncr"].number, "Lee Lead"):
        assert expected in page
    page = client.get(reverse("quality:recall"), {"lot": "ht-100"}).content.decode()
    assert remade["first"].number in page and remade["second"].number in page
    page = client.get(reverse("quality:recall"), {"lot": "NOPE"}).content.decode()
    assert "No receipt or outside return has heat or lot NOPE" in page
    response = client.get(reverse("quality:recall"), {"shipment": remade["first"].number.lower()})
    assert response.status_code == 302 and response["Location"].endswith(f"/shipments/{remade['first'].pk}/trace/")
    assert client.get(reverse("quality:recall"), {"lot": "x" * 61}).status_code == 200


def test_the_plain_certificate_states_jobs_and_heats_and_no_inspection(client, remade, clerk):
    client.force_login(clerk)
    page = client.get(reverse("shipping:certificate", args=[remade["second"].pk])).content.decode()
    assert remade["remake"].number in page and "HT-100" in page and "certificate on file" in page
    assert "does not report inspection results" in page
    assert "inspected in accordance" not in page and "conform to those requirements" not in page


@pytest.mark.parametrize("role", ["office", "manager", "lead", "clerk", "buyer", "inspector"])
def test_the_trace_endpoints_follow_the_role_table(request, remade, role):
    from tests.role_table import may

    api = client_for(request.getfixturevalue(role))
    shipment = api.get(f"/api/v1/trace/shipments/{remade['second'].pk}/")
    recall = api.get("/api/v1/trace/", {"lot": "HT-100"})
    expected = 200 if may(role, "trace_shipments") else 403
    assert (shipment.status_code, recall.status_code) == (expected, expected)
    if expected == 200:
        body = shipment.json()
        assert [j["number"] for j in body["jobs"]] == [remade["job"].number, remade["remake"].number]
        assert {h["lot"] for h in body["heats"]} == {"HT-100", "HT-200"} and body["conforms_on_record"] is True
        assert body["jobs"][0]["characteristics"][0]["results"][1]["ncr"] == remade["ncr"].number
        assert [s["number"] for s in recall.json()["shipments"]] == [remade["first"].number, remade["second"].number]
        assert api.get("/api/v1/trace/shipments/999999/").status_code == 404
        assert api.get("/api/v1/trace/", {"lot": "x" * 61}).status_code == 400
    assert client_for(None).get("/api/v1/trace/").status_code == 401


def test_the_schema_has_both_trace_directions(superuser):
    response = client_for(superuser).get("/api/v1/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert "/api/v1/trace/" in paths and "/api/v1/trace/shipments/{shipment_pk}/" in paths
    assert paths["/api/v1/trace/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/LotTrace")
