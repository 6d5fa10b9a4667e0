"""Demo traceability through the services: an order for four drive shafts (SHF-220, with its inspection plan) whose
bar stock came in as heat H-58217 with the mill's certificate; one shaft fails inspection, its NCR is remade on
J-...-R1 (bar from stock), the rest pass, and the line ships complete with a certificate: its certificate pack
lists the inspections and the heat and appends the mill certificate. Idempotent: keyed by the order's PO number.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF

from jobs import services as job_services
from jobs.models import Job
from purchasing import services as purchasing_services
from purchasing.models import Vendor
from sales import services as sales_services
from sales.models import Customer, Item, SalesOrder
from shipping import services as shipping_services

from . import services
from .models import JobCharacteristic

PART = "SHF-220"
PO = "DEMO-Q-2004"
HEAT = "H-58217"
BAR = "4140 QT bar 25 mm (demo)"


def mill_certificate_pdf(*, heat: str, vendor: str, material: str) -> bytes:
    """A one-page stand-in for a steel mill's inspection certificate (EN 10204 3.1), as a vendor would send it."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, f"{vendor} - Inspection certificate EN 10204 3.1", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in (f"Heat number: {heat}", f"Material: {material}", "Grade: 42CrMo4 / AISI 4140, quenched and tempered",
                 "C 0.41  Mn 0.82  Si 0.25  Cr 1.02  Mo 0.21  P 0.012  S 0.018",
                 "Tensile strength 1012 MPa  Yield 868 MPa  Elongation 14 %  Hardness 302 HB"):  # fmt: skip
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def seed_traced_shipment(*, users) -> int:
    """Returns 1 when the demo shipment was made, 0 when it is there already (or the catalogue lacks the part)."""
    item = Item.objects.filter(part_number=PART).first()
    metals = Vendor.objects.filter(code="METALS").first()
    if item is None or metals is None or SalesOrder.objects.filter(customer_po=PO).exists():
        return 0
    if not item.inspection_plan.exists():
        return 0
    office, manager, lead = users["office"], users["manager"], users["lead"]
    inspector, buyer, clerk = users["inspector"], users["buyer"], users["clerk"]
    customer = Customer.objects.order_by("code").last()
    today = timezone.localdate()
    order = sales_services.sales_order_create(
        by=office, customer=customer, customer_po=PO, ship_to=customer.ship_tos.first(),
        order_date=today - timedelta(days=14), requested_date=today + timedelta(days=7),
        promised_date=today + timedelta(days=7),
        lines=[{"item": item, "quantity": 4, "unit_price": item.unit_price, "due_date": today + timedelta(days=7)}],
    )  # fmt: skip
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    from .demo import pass_first_articles  # quality/demo.py imports this module

    pass_first_articles(jobs=[job], users=users)  # the part's first article, where the shop requires one

    # The bar stock, bought for the job and received with its heat number and the mill's certificate.
    need = purchasing_services.requirement_add(job=job, by=buyer, description=BAR, quantity=Decimal("1.2"), unit="m",
                                               estimated_cost=Decimal("38.00"), vendor=metals)  # fmt: skip
    po = purchasing_services.purchase_order_create(vendor=metals, by=buyer, lines=[
        {"description": BAR, "quantity": Decimal("1.2"), "unit": "m", "unit_cost": Decimal("31.50"),
         "requirement": need, "due_date": today - timedelta(days=10)}])  # fmt: skip
    po = purchasing_services.purchase_order_transition(po=po, name="send", by=buyer)
    certificate = SimpleUploadedFile(
        f"mill-cert-{HEAT}.pdf", mill_certificate_pdf(heat=HEAT, vendor=metals.name, material=BAR),
        content_type="application/pdf",
    )  # fmt: skip
    purchasing_services.receipt_create(po_line=po.lines.get(line_no=1), quantity=Decimal("1.2"), lot_number=HEAT,
                                       certificate=certificate, by=buyer)  # fmt: skip

    # The floor runs it; at inspection shaft 2 is undersize: an NCR the inspector remakes, the shaft scrapped.
    last = _run_to_last(job, lead, 4)
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=last)}
    diameter, length, keyway = chars["Journal diameter"], chars["Overall length"], chars["Keyway free of burrs"]
    record = services.inspection_record
    first = {diameter.pk: "21.996", length.pk: "180.02", keyway.pk: "pass"}
    record(operation=last, sample_no=1, by=lead, values=first)
    job_services.operation_report_pieces(operation=last, good=1, by=lead)
    failed = record(operation=last, sample_no=2, by=lead, values={diameter.pk: "21.981", length.pk: "179.98"})
    ncr = services.ncr_open(results=[r for r in failed if not r.passed], by=lead)
    ncr = services.ncr_disposition(ncr=ncr, disposition="remake", by=inspector,
                                   note="Journal undersize; remake one shaft from stock bar.")  # fmt: skip
    job_services.operation_report_pieces(operation=last, good=0, scrap=1, scrap_reason="Dimension out of tolerance",
                                         by=lead)  # fmt: skip
    record(operation=last, sample_no=3, by=lead, values={diameter.pk: "21.992", length.pk: "180.10"})
    record(operation=last, sample_no=4, by=lead, values={diameter.pk: "21.994"})
    job_services.operation_report_pieces(operation=last, good=2, by=lead)
    job_services.operation_act(operation=last, action="finish", by=lead, short=True)

    # The remake: bar from stock (no heat recorded), inspected, one good shaft.
    remake = ncr.remake_job
    stock = purchasing_services.requirement_add(job=remake, by=buyer, description=BAR, quantity=Decimal("0.3"),
                                                unit="m", estimated_cost=Decimal("9.50"))  # fmt: skip
    purchasing_services.requirement_issue_from_stock(requirement=stock, cost=Decimal("9.50"), by=buyer)
    pass_first_articles(jobs=[remake], users=users)
    last = _run_to_last(remake, lead, 1)
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=last)}
    record(operation=last, sample_no=1, by=lead, values={chars["Journal diameter"].pk: "21.997",
           chars["Overall length"].pk: "180.04", chars["Keyway free of burrs"].pk: "pass"})  # fmt: skip
    job_services.operation_report_pieces(operation=last, good=1, by=lead)
    job_services.operation_act(operation=last, action="finish", by=lead)

    # The line ships complete, with a certificate.
    line = order.lines.get(line_no=1)
    shipment = shipping_services.shipment_create(order=order, lines={line.pk: 4}, by=clerk, carrier="UPS",
                                                 service="Ground", needs_certificate=True)  # fmt: skip
    shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    return 1


def _run_to_last(job: Job, lead, good: int):
    operations = list(job.operations.order_by("sequence"))
    for op in operations[:-1]:
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=good, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    job_services.operation_act(operation=operations[-1], action="start", by=lead)
    return operations[-1]
