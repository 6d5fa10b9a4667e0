"""Demo purchasing through the services: vendors (material suppliers, a plater, a heat treater), a job waiting
on material, and a partly received PO. Idempotent: keyed by the vendors' codes and the demo's descriptions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jobs.models import Job

from . import services
from .models import MaterialRequirement, Vendor

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
PARTLY = "DEMO 6061 plate 12 mm (partly received)"


def seed_purchasing(*, users) -> int:
    """Returns the number of new vendors."""
    buyer = users["buyer"]
    made = 0
    vendors = {}
    for fields in VENDORS:
        vendor = Vendor.objects.filter(code=fields["code"]).first()
        if vendor is None:
            vendor = services.vendor_create(by=buyer, **fields)
            made += 1
        vendors[vendor.code] = vendor
    if MaterialRequirement.objects.filter(description__in=[WAITING, PARTLY]).exists():
        return made
    jobs = list(Job.objects.filter(status__in=["released", "in_progress"]).order_by("id")[:2])
    if len(jobs) < 2:
        return made
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
    return made
