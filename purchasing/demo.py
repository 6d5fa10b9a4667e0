"""Demo purchasing through the services: vendors (material suppliers, a plater, a heat treater), a job waiting
on material, a partly received PO, and a plating work center with a job's pieces at the plater. Idempotent:
keyed by the vendors' and work center's codes and the demo's descriptions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job, WorkCenter

from . import services
from .models import MaterialRequirement, OutsideOperation, Vendor

VENDORS = [
    {"code": "METALS", "name": "Northern Metals", "supplies_material": True, "lead_days": 5,
     "email": "orders@northern-metals.example.com", "contact_name": "Mia Steel", "is_approved": True},
    {"code": "ALUSUP", "name": "Alu Supply Co", "supplies_material": True, "lead_days": 3,
     "email": "sales@alusupply.example.com", "is_approved": True},
    {"code": "PLATE", "name": "Bright Plating", "processes": "zinc plating, anodize", "lead_days": 7,
     "email": "jobs@brightplating.example.com", "is_approved": True},
    {"code": "HEATCO", "name": "HeatCo Treating", "processes": "heat treat, stress relieve", "lead_days": 6,
     "email": "desk@heatco.example.com", "is_approved": True},
]  # fmt: skip
WAITING = "DEMO 4140 bar 60 mm (waiting)"
AT_PLATER = "Demo: zinc-plated brackets (at the plater)"
PARTLY = "DEMO 6061 plate 12 mm (partly received)"


def seed_purchasing(*, users) -> int:
    """Returns the number of new vendors."""
    made, vendors = _vendors(users)
    _material(users, vendors)
    _at_the_plater(users, vendors["PLATE"])
    return made


def _vendors(users) -> tuple[int, dict[str, Vendor]]:
    buyer = users["buyer"]
    made = 0
    vendors = {}
    for fields in VENDORS:
        vendor = Vendor.objects.filter(code=fields["code"]).first()
        if vendor is None:
            vendor = services.vendor_create(by=buyer, **fields)
            made += 1
        vendors[vendor.code] = vendor
    return made, vendors


def _material(users, vendors) -> None:
    buyer = users["buyer"]
    if MaterialRequirement.objects.filter(description__in=[WAITING, PARTLY]).exists():
        return
    jobs = list(Job.objects.filter(status__in=["released", "in_progress"]).order_by("id")[:2])
    if len(jobs) < 2:
        return
    waiting, partly = jobs
    services.requirement_add(job=waiting, by=buyer, description=WAITING, quantity=Decimal("12"), unit="m",
                             estimated_cost=Decimal("264.00"), vendor=vendors["METALS"])  # fmt: skip
    requirement = services.requirement_add(
        job=partly, by=buyer, description=PARTLY, quantity=Decimal("4"), unit="sheet",
        estimated_cost=Decimal("180.00"), vendor=vendors["ALUSUP"],
    )  # fmt: skip
    po = services.purchase_order_create(vendor=vendors["ALUSUP"], by=buyer, lines=[
        {"description": PARTLY, "quantity": Decimal("4"), "unit": "sheet", "unit_cost": Decimal("45.00"),
         "requirement": requirement, "due_date": timezone.localdate() + timedelta(days=3)},
        {"description": "Shop rags (box)", "quantity": Decimal("2"), "unit": "lot", "unit_cost": Decimal("18.00"),
         "due_date": timezone.localdate() + timedelta(days=3)},
    ])  # fmt: skip
    po = services.purchase_order_transition(po=po, name="send", by=buyer)
    services.receipt_create(po_line=po.lines.get(line_no=1), quantity=Decimal("2"), lot_number="HT-20931", by=buyer)
    # A draft for the buyer to finish (shop supplies, pegged to no job).
    services.purchase_order_create(vendor=vendors["METALS"], by=buyer, notes="Shop stock", lines=[
        {"description": "Saw blades 350 mm", "quantity": Decimal("3"), "unit": "pcs", "unit_cost": Decimal("42.00"),
         "due_date": timezone.localdate() + timedelta(days=5)}])  # fmt: skip


def _at_the_plater(users, plater: Vendor) -> None:
    """A plating work center done by the plater, and a stock job whose pieces are at the plater now."""
    plate, _ = WorkCenter.objects.get_or_create(
        code="PLATE", defaults={"name": "Zinc plating (outside)", "hourly_rate": Decimal("0"), "is_outside": True}
    )
    if Job.objects.filter(description=AT_PLATER).exists():
        return
    manager, lead, clerk = users["manager"], users["lead"], users["clerk"]
    job = job_services.job_create_manual(origin=Job.Origin.STOCK, part_number="BRK-200", description=AT_PLATER,
                                         quantity=20, due_date=timezone.localdate() + timedelta(days=10),
                                         by=manager)  # fmt: skip
    saw = WorkCenter.objects.filter(is_outside=False, is_active=True).order_by("code").first()
    steps = [(saw, "Cut and deburr", Decimal("0.5"), Decimal("0.05")), (plate, "Zinc plate", Decimal(0), Decimal(0))]
    for center, text, setup, run in steps:
        job_services.operation_add(job=job, work_center=center, description=text, setup_hours=setup,
                                   run_hours_per_piece=run, by=manager)  # fmt: skip
    job_services.job_act(job=job, action="release", by=manager)
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    job_services.operation_report_pieces(operation=first, good=20, by=lead)
    job_services.operation_act(operation=first, action="finish", by=lead)
    outside = OutsideOperation.objects.get(operation__job=job, operation__work_center=plate)
    outside = services.outside_operation_update(outside_operation=outside, vendor=plater, lead_days=5,
                                                estimated_cost=Decimal("60.00"), by=manager)  # fmt: skip
    services.outside_ship_out(outside_operation=outside, quantity=20, by=clerk, carrier="Own van")
