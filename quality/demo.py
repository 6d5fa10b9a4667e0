"""Demo quality through the services: an inspection plan with dimensions on the drive shaft (SHF-220), an order
whose job for it failed inspection twice at its INSP step: one NCR still open (waiting for its disposition),
one dispositioned as a remake (its remake job released). Idempotent: keyed by the order's PO number and the
plan lines' names.

Also a job whose first article waits for the inspector's acceptance (DEMO-Q-2002) and a job completed short whose
remake is proposed (DEMO-Q-2003)."""

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
    _first_article_waiting(item, users)
    _completed_short(item, users)
    seed_traced_shipment(users=users)  # quality/demo_trace.py: a shipment whose pack has a heat certificate
    return made


def pass_first_articles(*, jobs, users) -> int:
    """The demo's floor runs its jobs: each live first article is recorded in tolerance (the nominal values) and
    accepted, as a shop that had made the part would. Returns how many."""
    from .models import FirstArticle

    done = 0
    for fai in FirstArticle.objects.filter(job__in=jobs, status__in=FirstArticle.LIVE).select_related("job"):
        values = {c.pk: (str(c.nominal) if c.is_dimension else "pass") for c in fai.job.characteristics.all()}
        fai = services.first_article_record(first_article=fai, values=values, by=users["lead"],
                                            note="" if values else "Checked to the drawing")  # fmt: skip
        services.first_article_accept(first_article=fai, by=users["inspector"])
        done += 1
    return done


def _order(item, users, po: str, quantity: int):
    from sales.models import SalesOrder

    if SalesOrder.objects.filter(customer_po=po).exists():
        return None
    office = users["office"]
    customer = Customer.objects.order_by("code").last()
    today = timezone.localdate()
    order = sales_services.sales_order_create(
        by=office, customer=customer, customer_po=po, ship_to=customer.ship_tos.first(),
        order_date=today - timedelta(days=3), requested_date=today + timedelta(days=25),
        promised_date=today + timedelta(days=28),
        lines=[{"item": item, "quantity": quantity, "unit_price": item.unit_price,
                "due_date": today + timedelta(days=25)}],
    )  # fmt: skip
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=users["manager"])
    return Job.objects.get(sales_order=order)


def _first_article_waiting(item, users) -> None:
    """A job whose first article the lead recorded (its first piece cut, all in tolerance): it waits on the
    inspector's home page for acceptance, its saw holding the other seven pieces back."""
    job = _order(item, users, "DEMO-Q-2002", 8)
    if job is None:
        return
    services.first_articles_require(jobs=[job], always=True)
    from .models import FirstArticle

    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=users["lead"])
    job_services.operation_report_pieces(operation=first, good=1, by=users["lead"])
    fai = FirstArticle.objects.get(job=job, status=FirstArticle.Status.REQUIRED)
    values = {c.pk: (str(c.nominal) if c.is_dimension else "pass") for c in job.characteristics.all()}
    services.first_article_record(first_article=fai, values=values, by=users["lead"], note="Piece 1 off the saw")


def _completed_short(item, users) -> None:
    """A job of 5 completed with 4 good (one scrapped at the saw): its remake of 1 is proposed to decide."""
    job = _order(item, users, "DEMO-Q-2003", 5)
    if job is None:
        return
    pass_first_articles(jobs=[job], users=users)
    lead = users["lead"]
    for index, op in enumerate(job.operations.order_by("sequence")):
        job_services.operation_act(operation=op, action="start", by=lead)
        if index == 0:
            job_services.operation_report_pieces(operation=op, good=4, scrap=1, scrap_reason="Setup piece", by=lead)
        else:
            chars = list(op.characteristics.all())
            for n in range(1, 5):
                values = {c.pk: (str(c.nominal) if c.is_dimension else "pass") for c in chars
                          if n <= c.samples_for(job.quantity)}  # fmt: skip
                if values:
                    services.inspection_record(operation=op, sample_no=n, values=values, by=lead)
            job_services.operation_report_pieces(operation=op, good=4, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead, short=True)


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
    pass_first_articles(jobs=[job], users=users)
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
