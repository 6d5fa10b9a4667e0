"""Where an outside operation's vendor, lead days and estimated cost come from: the quote the job was sold on
(quotes.receivers.quoted_outside answers purchasing's signal), and the planner's moving an operation to an outside
work center (jobs.signals.operations_added -> an OutsideOperation row)."""

from decimal import Decimal

import pytest

from jobs import services as job_services
from jobs.models import Job, WorkCenter
from purchasing.models import OutsideOperation, Vendor
from quotes import services as quote_services
from sales import services as sales_services
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import bracket_line, plating_job

D = Decimal
pytestmark = pytest.mark.django_db


def _op(center, description):
    return {"work_center": center, "description": description, "setup_hours": D("0"), "run_hours_per_piece": D("0")}


def test_a_job_from_a_quote_gets_the_quoted_vendor_lead_days_and_cost(office, manager):
    centers = {"SAW": WorkCenterFactory(code="SAW", hourly_rate=D("60")), "CNC": WorkCenterFactory(code="CNC"),
               "ANOD": WorkCenterFactory(code="ANOD", hourly_rate=D("0"), is_outside=True),
               "PASS": WorkCenterFactory(code="PASS", hourly_rate=D("0"), is_outside=True)}  # fmt: skip
    anodizer = Vendor.objects.create(code="ANO", name="Anodize Co", processes="anodize", is_approved=True)
    # Passivate Inc is not an approved vendor here: its estimate still gives lead days and cost, no vendor.
    Vendor.objects.create(code="PAS", name="Passivate Inc", processes="passivate", is_approved=False)
    line = bracket_line(centers, operations=[
        {**_op(centers["SAW"], "Saw blanks"), "setup_hours": D("0.5"), "run_hours_per_piece": D("0.05")},
        _op(centers["ANOD"], "Anodize"), _op(centers["PASS"], "Passivate")])  # fmt: skip
    quote = quote_services.quote_create(by=office, customer=CustomerFactory(code="ACME"), contact_name="Ann",
                                        contact_email="ann@acme.example.com", markup_percent=D("30"),
                                        lines=[line])  # fmt: skip
    quote = quote_services.quote_send(quote=quote, by=office)
    order = quote_services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10})
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    rows = list(OutsideOperation.objects.filter(operation__job=job).order_by("operation__sequence")
                .values_list("operation__work_center__code", "vendor", "lead_days", "estimated_cost"))  # fmt: skip
    # Anodize Co: 120.00 per lot, 7 days; Passivate Inc: 0.80 a piece for 10 pieces, 3 days (bracket_line).
    assert rows == [("ANOD", anodizer.pk, 7, D("120.00")), ("PASS", None, 3, D("8.00"))]


def test_a_job_not_from_a_quote_gets_a_blank_outside_operation(office, manager):
    _job, outside = plating_job(office, manager, vendor=False)
    assert (outside.vendor_id, outside.lead_days, outside.estimated_cost) == (None, 0, D("0"))


def test_planner_moving_an_operation_to_an_outside_center_makes_its_row_once(office, manager):
    job, _ = plating_job(office, manager, vendor=False)
    inspection = job.operations.get(sequence=30)
    assert not OutsideOperation.objects.filter(operation=inspection).exists()
    heat = WorkCenter.objects.create(code="HEAT", name="Heat treat", hourly_rate=0, is_outside=True)
    job_services.operation_update(operation=inspection, work_center=heat, description="Harden",
                                  setup_hours=D("0"), run_hours_per_piece=D("0"), by=manager)  # fmt: skip
    assert OutsideOperation.objects.filter(operation=inspection).count() == 1
    # Moved on to another outside center and back in house: still the one row (the one-to-one keeps it).
    other = WorkCenter.objects.create(code="GRND", name="Grinding", hourly_rate=0, is_outside=True)
    job_services.operation_update(operation=inspection, work_center=other, description="Grind",
                                  setup_hours=D("0"), run_hours_per_piece=D("0"), by=manager)  # fmt: skip
    assert OutsideOperation.objects.filter(operation=inspection).count() == 1
    saw = job.operations.get(sequence=10)
    job_services.operation_update(operation=saw, work_center=saw.work_center, description="Saw to length",
                                  setup_hours=D("0"), run_hours_per_piece=D("0"), by=manager)  # fmt: skip
    assert not OutsideOperation.objects.filter(operation=saw).exists()  # not moved, not outside: no row
