"""Scenarios the tests share: orders brought to a state through the services, and small test helpers.

One definition each; test modules import from here (or tests.factories, tests.role_table), never from
another test module or a conftest (tests/test_layout.py checks that).
"""

import os
import threading
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs import services as job_services
from jobs.models import Job, Operation, TimeEntry
from sales import services as sales_services
from shipping import services as shipping_services
from tests.factories import CustomerFactory, CustomLineFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing
from tests.role_table import ROLE_OF_FIXTURE

# The role fixtures of tests/conftest.py and the group each one's user is in.
ROLE_FIXTURES = ROLE_OF_FIXTURE


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def approved_order(office, manager, *, lines=1, custom=False, quantity=10):
    """An approved order whose standard lines have a SAW -> CNC -> INSP routing."""
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for n in range(1, lines + 1):
        SalesOrderLineFactory(order=order, line_no=n, item=item, quantity=quantity)
    if custom:
        CustomLineFactory(order=order, line_no=lines + 1, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    return sales_services.sales_order_approve(order=order, by=manager)


def run_job(job, lead, good):
    """Run every operation of the job: start, report `good` good pieces, finish."""
    for op in job.operations.order_by("sequence"):
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=good, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead, short=True)  # confirmed, as tapped


def produce(order, lead, good_per_line: int):
    """Run every job of the order to complete with `good_per_line` good pieces through each operation."""
    for job in Job.objects.filter(sales_order=order):
        run_job(job, lead, good_per_line)


def ship(order, clerk, wanted, **fields):
    shipment = shipping_services.shipment_create(order=order, lines=wanted, by=clerk, **fields)
    return shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)


def client_for(user):
    """An API client that authenticates as `user` with a token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_queries(client, url, **headers) -> int:
    """How many queries a GET of the page takes (which must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def run_together(target, args_list):
    barrier = threading.Barrier(len(args_list))
    results = [None] * len(args_list)

    def runner(index, args):
        try:
            barrier.wait()
            results[index] = target(*args)
        except Exception as exc:  # noqa: BLE001 - reported through the results
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# --- quotes ---------------------------------------------------------------------------------------------

D = Decimal


def bracket_line(centers, *, breaks=(1, 10, 100), **extra):
    """A custom bracket: saw and CNC, bar stock per piece with 5 % scrap, a fixture plate per lot, anodising per
    lot and passivating per piece. Figures the pricing tests work out by hand."""
    return {
        "description": "Mounting bracket, 6061-T6",
        "drawing_number": "DWG-4471",
        "drawing_revision": "C",
        "breaks": list(breaks),
        "operations": [
            {"work_center": centers["SAW"], "description": "Saw blanks", "setup_hours": D("0.5"),
             "run_hours_per_piece": D("0.05")},
            {"work_center": centers["CNC"], "description": "Mill complete", "setup_hours": D("2.0"),
             "run_hours_per_piece": D("0.25")},
        ],
        "materials": [
            {"description": "6061-T6 bar 50 x 20", "cost": D("4.20"), "basis": "piece", "scrap_percent": D("5")},
            {"description": "Fixture plate", "cost": D("50.00"), "basis": "lot"},
        ],
        "outside": [
            {"vendor_name": "Anodize Co", "description": "Type II black", "cost": D("120.00"), "basis": "lot",
             "lead_days": 7},
            {"vendor_name": "Passivate Inc", "cost": D("0.80"), "basis": "piece", "lead_days": 3},
        ],
        **extra,
    }  # fmt: skip


def completed_job(*, by, center, setup_est, run_est, setup_actual, run_actual, pieces, days_ago=10, n=[0]):  # noqa: B006
    """A job completed `days_ago` with one operation at `center`: a setup entry (no pieces) of `setup_actual`
    hours and a run entry of `run_actual` hours that made `pieces`."""
    n[0] += 1
    done = timezone.now() - timedelta(days=days_ago)
    job = Job.objects.create(number=f"JM-{800000 + n[0]:06d}", origin=Job.Origin.STOCK, part_number="X",
                             description="x", quantity=pieces, due_date=done.date(), status=Job.Status.COMPLETE,
                             completed_at=done)  # fmt: skip
    op = Operation.objects.create(job=job, sequence=10, work_center=center, description="op",
                                  setup_hours=setup_est, run_hours_per_piece=run_est,
                                  status=Operation.Status.DONE, good_qty=pieces)  # fmt: skip
    start = done - timedelta(hours=float(setup_actual + run_actual) + 1)
    setup_end = start + timedelta(hours=float(setup_actual))
    TimeEntry.objects.create(operation=op, started_at=start, stopped_at=setup_end, by=by,
                             hourly_rate=center.hourly_rate)  # fmt: skip
    run_end = setup_end + timedelta(hours=float(run_actual))
    TimeEntry.objects.create(operation=op, started_at=setup_end, stopped_at=run_end, good_qty=pieces, by=by,
                             hourly_rate=center.hourly_rate)  # fmt: skip
    # What the completion's receiver does (quotes.receivers.record_accuracy): this job skipped the services.
    from quotes.services import accuracy_samples_record

    accuracy_samples_record(job_ids=[job.pk])
    return job


# --- purchasing -----------------------------------------------------------------------------------------


def vendor(code="STEEL", **fields):
    from purchasing.models import Vendor

    defaults = {"name": f"{code.title()} Supply", "email": f"{code.lower()}@vendor.example.com",
                "supplies_material": True, "is_approved": True, "lead_days": 5}  # fmt: skip
    return Vendor.objects.get_or_create(code=code, defaults={**defaults, **fields})[0]


def job_with_material(office, manager, buyer, *, quantity="10", preferred=None, operation_seq=None):
    """A released job (SAW -> CNC -> INSP) needing bar stock bought; its first (or named) operation waits."""
    from purchasing import services as purchasing_services

    order = approved_order(office, manager)
    job = Job.objects.get(sales_order=order)
    operation = job.operations.get(sequence=operation_seq) if operation_seq else None
    requirement = purchasing_services.requirement_add(
        job=job, by=buyer, description="6061-T6 bar 50 mm", quantity=Decimal(quantity), unit="m",
        estimated_cost=Decimal("120.00"), vendor=preferred, operation=operation,
    )  # fmt: skip
    return job, requirement


def sent_purchase_order(buyer, requirement, *, vendor_row=None, quantity=None, unit_cost="12.00"):
    """A PO for the requirement, sent to the vendor."""
    from purchasing import services as purchasing_services

    po = purchasing_services.purchase_order_create(
        vendor=vendor_row or requirement.vendor or vendor(), by=buyer,
        lines=[{"description": requirement.description, "quantity": Decimal(quantity or requirement.quantity),
                "unit": requirement.unit, "unit_cost": Decimal(unit_cost), "requirement": requirement,
                "due_date": timezone.localdate() + timedelta(days=5)}],
    )  # fmt: skip
    return purchasing_services.purchase_order_transition(po=po, name="send", by=buyer)


# --- purchasing: outside operations ----------------------------------------------------------------------


def plating_job(office, manager, *, quantity=10, vendor=True):
    """An approved order's job routed SAW -> PLATE (outside, at an approved plater) -> INSP; returns the job and
    its outside operation (made on approval by purchasing's receiver)."""
    from jobs.models import WorkCenter
    from purchasing.models import OutsideOperation, Vendor
    from purchasing.services import outside_operation_update

    WorkCenter.objects.update_or_create(
        code="PLATE", defaults={"name": "Plating", "hourly_rate": 0, "is_outside": True}
    )
    order = approved_order_with_routing(office, manager, ("SAW", "PLATE", "INSP"), quantity=quantity)
    job = Job.objects.get(sales_order=order)
    outside = OutsideOperation.objects.get(operation__job=job)
    if vendor:
        plater, _ = Vendor.objects.get_or_create(
            code="PLAT", defaults={"name": "Bright Plating", "processes": "zinc plating", "is_approved": True}
        )
        outside = outside_operation_update(outside_operation=outside, vendor=plater, lead_days=5,
                                           estimated_cost=Decimal("50.00"), by=manager)  # fmt: skip
    return job, outside


def approved_order_with_routing(office, manager, codes, *, quantity=10):
    item = ItemFactory()
    give_routing(item, *codes)
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    SalesOrderLineFactory(order=order, line_no=1, item=item, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    return sales_services.sales_order_approve(order=order, by=manager)


def inspected_order(office, manager, inspector, *, quantity=4, sampling="every", sample_n=None):
    """An approved order of one line whose item (SAW -> CNC -> INSP) has an inspection plan at INSP (sequence
    30): a bore of 10.00 +0.05/-0.02 mm and a pass/fail finish check. Returns (order, job)."""
    from quality import services as quality_services

    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    quality_services.plan_characteristic_add(
        item=item, by=inspector, operation_sequence=30, name="Bore diameter", kind="dimension",
        nominal=Decimal("10.00"), tolerance_plus=Decimal("0.05"), tolerance_minus=Decimal("0.02"), unit="mm",
        sampling=sampling, sample_n=sample_n,
    )  # fmt: skip
    quality_services.plan_characteristic_add(
        item=item, by=inspector, operation_sequence=30, name="Surface finish", kind="attribute",
        sampling="first", sample_n=1,
    )  # fmt: skip
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    SalesOrderLineFactory(order=order, line_no=1, item=item, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    order = sales_services.sales_order_approve(order=order, by=manager)
    return order, Job.objects.get(sales_order=order)


def run_to_inspection(job, lead, good):
    """Run the job's operations before the last (inspection) one with `good` pieces, and start the last."""
    ops = list(job.operations.order_by("sequence"))
    for op in ops[:-1]:
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=good, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    job_services.operation_act(operation=ops[-1], action="start", by=lead)
    return ops[-1]


# --- traceability ------------------------------------------------------------------------------------------


def certificate_pdf(*lines: str) -> bytes:
    """A real one-page PDF with the lines as text (a vendor's certificate as the tests attach it)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def material_received(job, buyer, *, lot: str, certificate: bytes | None = None, description="4140 bar 25 mm"):
    """Bar stock for the job, bought on a sent PO and received in full with its heat number (and certificate)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from purchasing import services as purchasing_services

    requirement = purchasing_services.requirement_add(
        job=job, by=buyer, description=description, quantity=Decimal("2"), unit="m",
        estimated_cost=Decimal("40.00"), vendor=vendor(),
    )  # fmt: skip
    po = sent_purchase_order(buyer, requirement)
    upload = SimpleUploadedFile(f"cert-{lot}.pdf", certificate, "application/pdf") if certificate else None
    return purchasing_services.receipt_create(po_line=po.lines.get(), quantity=Decimal("2"), lot_number=lot,
                                              certificate=upload, by=buyer)  # fmt: skip


# The real-worker tests' helpers (tests/mto/test_worker.py, tests/planning/test_events.py).
WAIT_SECONDS = 120  # generous: on a busy 2-core machine a worker can take tens of seconds to start and claim


def _redis_answers() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _wait_for(predicate, seconds=WAIT_SECONDS):
    """Poll until predicate() is true; False after `seconds` (the caller's assert says what never happened)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def redis_url_of_process(url: str, worker: str) -> str:
    """The Redis database of one xdist process: REDIS_URL's database + 1 + the process's number (gw0 -> +1)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + int(worker.removeprefix('gw'))}"))
