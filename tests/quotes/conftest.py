"""Quote scenarios shared by the quote tests: a priced custom part, completed jobs for the accuracy figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs.models import Job, Operation, TimeEntry
from quotes import services
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory

D = Decimal


@pytest.fixture
def centers(db):
    return {
        "SAW": WorkCenterFactory(code="SAW", hourly_rate=D("60.00")),
        "CNC": WorkCenterFactory(code="CNC", hourly_rate=D("90.00")),
    }


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


@pytest.fixture
def customer(db):
    return CustomerFactory(code="ACME", name="Acme Inc.")


@pytest.fixture
def make_quote(office, centers, customer):
    def make(*, lines=1, by=None, **fields):
        fields.setdefault("customer", customer)
        fields.setdefault("contact_name", "Ann Buyer")
        fields.setdefault("contact_email", "ann@acme.example.com")
        fields.setdefault("markup_percent", D("30"))
        return services.quote_create(by=by or office, lines=[bracket_line(centers) for _ in range(lines)], **fields)

    return make


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
    return job
