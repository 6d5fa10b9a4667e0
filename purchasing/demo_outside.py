"""Demo data for outside operations: a plating work center done by an approved plater, and a stock job whose
pieces are at the plater now (made through the services, like real use). Idempotent: keyed by the job's
description. The lead merges this with the buy side's demo (purchasing/demo.py)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job, WorkCenter

from . import services
from .models import OutsideOperation, Vendor

DEMO_DESCRIPTION = "Demo: zinc-plated brackets (at the plater)"


def seed_outside(*, users) -> bool:
    """Make the plating work center, the plater and a job with pieces out; False when they exist already."""
    plate, _ = WorkCenter.objects.get_or_create(
        code="PLATE", defaults={"name": "Zinc plating (outside)", "hourly_rate": Decimal("0"), "is_outside": True}
    )
    plater, _ = Vendor.objects.get_or_create(
        code="BRIGHT",
        defaults={"name": "Bright Plating Ltd", "processes": "zinc plating, passivating", "is_approved": True,
                  "lead_days": 5, "address": "4 Galvanic Way\nMetalton"},
    )  # fmt: skip
    if Job.objects.filter(description=DEMO_DESCRIPTION).exists():
        return False
    manager, lead, clerk = users["manager"], users["lead"], users["clerk"]
    job = job_services.job_create_manual(origin=Job.Origin.STOCK, part_number="BRK-200", description=DEMO_DESCRIPTION,
                                         quantity=20, due_date=timezone.localdate() + datetime.timedelta(days=10),
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
    return True
