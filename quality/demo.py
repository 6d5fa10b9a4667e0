"""Demo quality through the services: an inspection plan with dimensions on the drive shaft (SHF-220), an order
whose job for it failed inspection twice at its INSP step: one NCR still open (waiting for its disposition),
one dispositioned as a remake (its remake job released). Idempotent: keyed by the order's PO number and the
plan lines' names."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job
from sales import services as sales_services
from sales.models import Customer, Item

from . import services
from .demo_trace import seed_traced_shipment
from .models import JobCharacteristic, PlanCharacteristic

PART = "SHF-220"
PO = "DEMO-Q-2001"
PLAN = [
    {"name": "Journal diameter", "kind": "dimension", "nominal": Decimal("22.000"), "tolerance_plus": Decimal("0.000"),
     "tolerance_minus": Decimal("0.013"), "unit": "mm"},
    {"name": "Overall length", "kind": "dimension", "nominal": Decimal("180.0"), "tolerance_plus": Decimal("0.2"),
     "tolerance_minus": Decimal("0.2"), "unit": "mm", "sampling": "first", "sample_n": 3},
    {"name": "Keyway free of burrs", "kind": "attribute", "sampling": "lot", "sample_n": 5},
]  # fmt: skip


def seed_quality(*, users) -> int:
    """Returns the number of new NCRs (0 when the demo is already there)."""
    item = Item.objects.filter(part_number=PART).first()
    if item is None:
        return 0
    inspection = item.routing_steps.filter(work_center__code="INSP").order_by("sequence").first()
    if inspection is None:
        return 0
    _plan(item, inspection.sequence, users["inspector"])
    made = _failed_job(item, users)
    seed_traced_shipment(users=users)  # quality/demo_trace.py: a shipment whose pack has a heat certificate
    return made


def _plan(item: Item, sequence: int, inspector) -> None:
    have = set(PlanCharacteristic.objects.filter(item=item).values_list("name", flat=True))
    for fields in PLAN:
        if fields["name"] not in have:
            services.plan_characteristic_add(item=item, by=inspector, operation_sequence=sequence, **fields)


def _failed_job(item: Item, users) -> int:
    from sales.models import SalesOrder

    if SalesOrder.objects.filter(customer_po=PO).exists():
        return 0
    office, manager, lead, inspector = users["office"], users["manager"], users["lead"], users["inspector"]
    customer = Customer.objects.order_by("code").first()
    today = timezone.localdate()
    order = sales_services.sales_order_create(
        by=office, customer=customer, customer_po=PO, ship_to=customer.ship_tos.first(),
        order_date=today - timedelta(days=10), requested_date=today + timedelta(days=20),
        promised_date=today + timedelta(days=24),
        lines=[{"item": item, "quantity": 6, "unit_price": item.unit_price, "due_date": today + timedelta(days=20)}],
    )  # fmt: skip
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    operations = list(job.operations.order_by("sequence"))
    for op in operations[:-1]:
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=job.quantity, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    last = operations[-1]
    job_services.operation_act(operation=last, action="start", by=lead)
    chars = {c.name: c for c in JobCharacteristic.objects.filter(operation=last)}
    diameter, length, keyway = chars["Journal diameter"], chars["Overall length"], chars["Keyway free of burrs"]
    record = services.inspection_record
    record(operation=last, sample_no=1, by=lead,
           values={diameter.pk: "21.995", length.pk: "180.05", keyway.pk: "pass"})  # fmt: skip
    job_services.operation_report_pieces(operation=last, good=1, by=lead)
    # Sample 2 is undersize: an NCR the inspector remakes; sample 3 too long, an NCR still open.
    undersize = record(operation=last, sample_no=2, by=lead, values={diameter.pk: "21.980", length.pk: "179.95"})
    remade = services.ncr_open(results=[r for r in undersize if not r.passed], by=lead)
    services.ncr_disposition(ncr=remade, disposition="remake", by=inspector,
                             note="Undersize journal cannot be reworked; remake one shaft.")  # fmt: skip
    too_long = record(operation=last, sample_no=3, by=lead, values={diameter.pk: "21.996", length.pk: "180.35"})
    services.ncr_open(results=[r for r in too_long if not r.passed], by=lead,
                      reason="Overall length 180.35 mm, over 180.2 mm")  # fmt: skip
    return 2
