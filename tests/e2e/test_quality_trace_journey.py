"""Issue 19's "Done when" in a real Chromium on a tablet held upright (800x1280): a lead records an out-of-tolerance
measurement and opens an NCR, the inspector disposes of it as a remake, the lead runs the remake (inspected too),
the clerk ships the line complete and downloads the certificate pack, which lists the inspections and the heat
with its mill certificate appended; a forward trace from the heat finds that shipment."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from jobs import services as job_services
from jobs.models import Job
from quality import services as quality_services
from quality.models import JobCharacteristic, NonConformance
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.factories import ensure_role_groups
from tests.scenarios import certificate_pdf, inspected_order, material_received, run_to_inspection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEAT = "HEAT-E2E-58"


def _card(page, op):
    return page.locator("section.card", has_text=f"{op.sequence} · {op.work_center.code}")


def run_on_tablet(page, live_server, job, good, *, before_last=None):
    """The lead runs each operation on the floor screen: start, report the good pieces, finish; `before_last`
    runs after the last operation starts (the inspection)."""
    page.goto(f"{live_server.url}{job.get_floor_url()}")
    operations = list(job.operations.order_by("sequence"))
    for op in operations:
        _card(page, op).get_by_role("button", name="Start").click()
        expect(_card(page, op).get_by_role("button", name="Pause")).to_be_visible()
        if op == operations[-1] and before_last:
            before_last(op)
            page.goto(f"{live_server.url}{job.get_floor_url()}")
        _card(page, op).get_by_label("Good pieces").fill(str(good))
        _card(page, op).get_by_role("button", name="Report").click()
        expect(page.get_by_text(f"Reported {good} good")).to_be_visible()
        _card(page, op).get_by_role("button", name="Finish").click()
        if op == operations[-1]:  # its finish completes the job: the tablet asks first
            _card(page, op).get_by_role("button", name=f"Finish and complete {job.number}").click()
        expect(_card(page, op).get_by_text("Done")).to_be_visible()


def test_out_of_tolerance_to_remake_to_pack_and_recall(login_as, live_server, office, manager, inspector, lead,
                                                       buyer, clerk, tmp_path, axe_check):  # fmt: skip
    ensure_role_groups()
    order, job = inspected_order(office, manager, inspector, quantity=2)
    mill = certificate_pdf("Northern Mill test certificate", f"Heat {HEAT}")
    material_received(job, buyer, lot=HEAT, certificate=mill)
    op = run_to_inspection(job, lead, 2)

    # The lead, on the tablet: sample 1's bore is out of tolerance, marked at once; the NCR opens in two taps.
    floor = login_as("lead", TABLET_PORTRAIT)
    floor.goto(f"{live_server.url}{job.get_floor_url()}")
    floor.get_by_role("link", name=f"Inspect operation {op.sequence}").click()
    expect(floor.get_by_role("heading", name=re.compile(f"Inspect {job.number}"))).to_be_visible()
    floor.get_by_label("Measured (mm)").fill("10.09")
    floor.get_by_text("Pass", exact=True).click()
    floor.get_by_role("button", name="Record sample").click()
    expect(floor.get_by_text("Out of tolerance: open an NCR")).to_be_visible()
    axe_check(floor)
    floor.get_by_role("link", name="Open NCR").first.click()
    floor.get_by_role("button", name="Open NCR").click()
    expect(floor.get_by_text("NCR opened.")).to_be_visible()
    ncr = NonConformance.objects.get(job=job)

    # The inspector, on a tablet too, disposes of it as a remake.
    desk = login_as("inspector", TABLET_PORTRAIT)
    desk.goto(f"{live_server.url}{ncr.get_absolute_url()}")
    desk.get_by_role("button", name="Remake", exact=True).click()
    expect(desk.get_by_text(f"{ncr.number} dispositioned.")).to_be_visible()
    ncr.refresh_from_db()
    remake = ncr.remake_job
    assert remake.number == f"{job.number}-R1" and remake.quantity == 1

    # The original job: the bad shaft is scrapped, sample 2 passes, one good shaft off; finished short.
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=op)}
    job_services.operation_report_pieces(operation=op, good=0, scrap=1, scrap_reason="Dimension out of tolerance",
                                         by=lead)  # fmt: skip
    quality_services.inspection_record(operation=op, sample_no=2, values={chars["Bore diameter"].pk: "10.01"}, by=lead)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    job_services.operation_act(operation=op, action="finish", by=lead, short=True)

    # The lead runs the remake on the tablet, inspecting its shaft at the last operation.
    def inspect_remake(last):
        floor.goto(f"{live_server.url}/quality/operations/{last.pk}/inspect/")
        floor.get_by_label("Measured (mm)").fill("10.02")
        floor.get_by_text("Pass", exact=True).click()
        floor.get_by_role("button", name="Record sample").click()
        expect(floor.get_by_text("Sample 1 recorded.")).to_be_visible()

    run_on_tablet(floor, live_server, remake, 1, before_last=inspect_remake)
    remake.refresh_from_db()
    assert remake.status == Job.Status.COMPLETE and remake.quantity_completed == 1

    # The clerk ships the line complete (one shaft of each job) and downloads the certificate pack.
    dock = login_as("clerk", TABLET_PORTRAIT)
    dock.goto(f"{live_server.url}/shipping/")
    dock.get_by_role("link", name=f"Ship {order.number}").first.click()
    expect(dock.get_by_label("Quantity to ship of line 1")).to_have_value("2")
    dock.get_by_role("button", name="Save draft").click()
    dock.get_by_role("button", name="Mark shipped").click()
    expect(dock.get_by_text("Shipped").first).to_be_visible()
    order.refresh_from_db()
    assert order.status == "shipped"
    axe_check(dock)
    with dock.expect_download() as download:
        dock.get_by_role("link", name="Certificate pack (PDF)").click()
    saved = tmp_path / "pack.pdf"
    download.value.save_as(saved)
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in ("Certificate of conformance", job.number, remake.number, "Bore diameter", "10.09",
                     f"FAIL ({ncr.number})", "10.02", f"heat / lot {HEAT}", "mill certificate on file",
                     f"remade on {remake.number}", f"Northern Mill test certificate Heat {HEAT}"):  # fmt: skip
        assert expected in text, expected
    assert f"Heat {HEAT}" in reader.pages[-1].extract_text(), "the mill certificate is the last page"

    # The inspector: a forward trace from the heat finds that shipment.
    desk.goto(f"{live_server.url}/")
    desk.get_by_role("button", name="Toggle navigation").click()  # the menu folds away on a tablet held upright
    desk.get_by_role("link", name="Recall").click()
    desk.get_by_label("Heat / lot number").fill(HEAT.lower())
    desk.get_by_role("button", name="Find").click()
    shipment_number = order.lines.get().shipment_lines.get().shipment.number
    expect(desk.get_by_role("link", name=f"Trace {shipment_number}")).to_be_visible()
    axe_check(desk)
    desk.get_by_role("link", name=f"Trace {shipment_number}").click()
    expect(desk.get_by_role("heading", name=f"Trace of {shipment_number}")).to_be_visible()
    expect(desk.get_by_role("link", name=remake.number).first).to_be_visible()
    axe_check(desk)
