"""Remake proposals for jobs completed short, and the cost of an NCR (labor at the rates in force, material share)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jobs import services as job_services
from jobs.models import Job, TimeEntry, WorkCenter
from quality import services
from quality.models import JobCharacteristic, RemakeProposal
from quality.services.ncrs import ncr_cost
from tests.scenarios import (
    approved_order,
    inspected_order,
    job_with_material,
    run_job,
    run_to_inspection,
    sent_purchase_order,
)

pytestmark = pytest.mark.django_db


def _short_job(office, manager, lead, *, quantity=10, good=8):
    order = approved_order(office, manager, quantity=quantity)
    job = Job.objects.get(sales_order=order)
    run_job(job, lead, good)
    job.refresh_from_db()
    assert job.status == "complete" and job.quantity_completed == good
    return job


# --- remake proposals ------------------------------------------------------------------------------------------


def test_a_job_completed_short_proposes_a_remake_of_the_missing_pieces(office, manager, lead, inspector):
    job = _short_job(office, manager, lead)
    proposal = RemakeProposal.objects.get(job=job)
    assert (proposal.status, proposal.quantity) == ("proposed", 2)
    proposal = services.remake_proposal_accept(proposal=proposal, by=inspector)
    remake = proposal.remake_job
    assert (remake.number, remake.quantity, remake.status) == (f"{job.number}-R1", 2, "released")
    assert remake.sales_order_line_id == job.sales_order_line_id
    assert proposal.status == "accepted" and proposal.decided_by == inspector
    with pytest.raises(ValidationError, match="already accepted"):
        services.remake_proposal_accept(proposal=proposal, by=manager)
    assert Job.objects.filter(sales_order_line=job.sales_order_line).count() == 2


def test_a_job_completed_whole_proposes_nothing(office, manager, lead):
    order = approved_order(office, manager, quantity=3)
    job = Job.objects.get(sales_order=order)
    run_job(job, lead, 3)
    assert not RemakeProposal.objects.exists()


def test_pieces_already_remade_through_an_ncr_are_not_proposed_again(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=3)
    op = run_to_inspection(job, lead, 3)
    bore = JobCharacteristic.objects.get(operation=op, name="Bore diameter")
    finish = JobCharacteristic.objects.get(operation=op, name="Surface finish")
    services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10", finish.pk: "pass"}, by=lead)
    bad = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "10.3"}, by=lead)
    services.ncr_disposition(ncr=services.ncr_open(results=bad, by=lead), disposition="remake", by=inspector)
    services.inspection_record(operation=op, sample_no=3, values={bore.pk: "10"}, by=lead)
    job_services.operation_report_pieces(operation=op, good=2, scrap=1, scrap_reason="Other", by=lead)
    job_services.operation_act(operation=op, action="finish", by=lead)
    job.refresh_from_db()
    assert job.is_short and job.shortfall == 1
    assert services.line_missing(line_id=job.sales_order_line_id) == 0
    assert not RemakeProposal.objects.filter(job=job).exists(), "the NCR's remake job covers the missing piece"


def test_dismiss_needs_a_reason_and_roles_are_checked(office, manager, lead, inspector):
    job = _short_job(office, manager, lead)
    proposal = RemakeProposal.objects.get(job=job)
    for user in (lead, office):
        with pytest.raises(PermissionDenied):
            services.remake_proposal_accept(proposal=proposal, by=user)
        with pytest.raises(PermissionDenied):
            services.remake_proposal_dismiss(proposal=proposal, by=user, reason="No")
    with pytest.raises(ValidationError):
        services.remake_proposal_dismiss(proposal=proposal, by=manager, reason="  ")
    proposal = services.remake_proposal_dismiss(proposal=proposal, by=manager, reason="Customer takes 8")
    assert (proposal.status, proposal.dismiss_reason, proposal.decided_by) == (
        "dismissed",
        "Customer takes 8",
        manager,
    )
    with pytest.raises(ValidationError):
        services.remake_proposal_accept(proposal=proposal, by=manager)
    assert Job.objects.filter(sales_order_line=job.sales_order_line).count() == 1


def test_accept_refused_when_the_line_got_its_pieces_meanwhile(office, manager, lead, inspector):
    job = _short_job(office, manager, lead)
    proposal = RemakeProposal.objects.get(job=job)
    job_services.job_create_remake(job=job, quantity=2, by=manager)  # made by hand meanwhile
    with pytest.raises(ValidationError, match="misses no pieces"):
        services.remake_proposal_accept(proposal=proposal, by=inspector)
    assert RemakeProposal.objects.get(pk=proposal.pk).status == "proposed"


def test_the_database_keeps_the_proposal_rules(office, manager, lead):
    job = _short_job(office, manager, lead)
    proposal = RemakeProposal.objects.get(job=job)
    with pytest.raises(IntegrityError), transaction.atomic():
        RemakeProposal.objects.create(job=job, quantity=1)  # one per job
    with pytest.raises(IntegrityError), transaction.atomic():
        RemakeProposal.objects.filter(pk=proposal.pk).update(status="accepted", decided_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        RemakeProposal.objects.filter(pk=proposal.pk).update(status="dismissed", decided_by=manager)


# --- the cost of an NCR ----------------------------------------------------------------------------------------


def _backdate(op, hours):
    entry = TimeEntry.objects.get(operation=op, stopped_at__isnull=True)
    TimeEntry.objects.filter(pk=entry.pk).update(started_at=entry.started_at - timedelta(hours=hours))


def test_ncr_cost_is_labor_at_the_rates_in_force_and_the_material_share(office, manager, buyer, lead, inspector):
    """Ten pieces; 2 h at SAW (60/h when it ran), material received for 150.00; one piece scrapped at SAW. The
    rate raised afterwards does not change what the work cost; the disposition works it out again."""
    from purchasing import services as purchasing_services

    job, requirement = job_with_material(office, manager, buyer, quantity="10")
    po = sent_purchase_order(buyer, requirement, unit_cost="15.00")
    purchasing_services.receipt_create(po_line=po.lines.get(line_no=1), quantity=Decimal("10"), lot_number="H-1",
                                       by=buyer)  # fmt: skip
    op = job.operations.get(sequence=10)
    job_services.operation_act(operation=op, action="start", by=lead)
    _backdate(op, 2)
    job_services.operation_report_pieces(operation=op, good=9, scrap=1, scrap_reason="Machine fault", by=lead)
    job_services.operation_act(operation=op, action="pause", by=lead)
    ncr = services.ncr_open(scrap_record=op.scrap_records.get(), by=lead)
    # 2 h x 60 / 10 pieces handled = 12.00 a piece; 150.00 / 10 = 15.00 a piece.
    assert (ncr.labor_cost, ncr.material_cost, ncr.total_cost) == (Decimal("12.00"), Decimal("15.00"),
                                                                   Decimal("27.00"))  # fmt: skip
    WorkCenter.objects.filter(pk=op.work_center_id).update(hourly_rate=Decimal("200"))
    ncr = services.ncr_disposition(ncr=ncr, disposition="scrap", by=inspector)
    assert (ncr.labor_cost, ncr.material_cost) == (Decimal("12.00"), Decimal("15.00"))


def test_material_share_is_the_estimate_while_nothing_is_received(office, manager, buyer):
    job, _requirement = job_with_material(office, manager, buyer, quantity="10")  # estimated 120.00, 10 pieces
    labor, material = ncr_cost(job=job, operation=job.operations.get(sequence=10), quantity=2)
    assert (labor, material) == (Decimal("0.00"), Decimal("24.00"))


def test_labor_adds_up_the_operations_before_and_a_running_entry_counts_to_now(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    first, second = job.operations.get(sequence=10), job.operations.get(sequence=20)
    job_services.operation_act(operation=first, action="start", by=lead)
    _backdate(first, 2)
    job_services.operation_report_pieces(operation=first, good=4, by=lead)
    job_services.operation_act(operation=first, action="finish", by=lead)
    job_services.operation_act(operation=second, action="start", by=lead)
    _backdate(second, 1)  # still running
    labor, _material = ncr_cost(job=job, operation=second, quantity=2)
    # SAW 2 h x 60 / 4 = 30.00, CNC 1 h x 60 / 4 (none handled yet: the job's 4) = 15.00, a piece; two pieces.
    assert abs(labor - Decimal("90.00")) <= Decimal("0.05")


def test_use_as_is_costs_nothing_and_rework_costs_its_operation(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    bore = JobCharacteristic.objects.get(operation=op, name="Bore diameter")
    bad1 = services.inspection_record(operation=op, sample_no=1, values={bore.pk: "9.9"}, by=lead)
    bad2 = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "9.9"}, by=lead)
    first, second = services.ncr_open(results=bad1, by=lead), services.ncr_open(results=bad2, by=lead)
    first = services.ncr_disposition(ncr=first, disposition="use_as_is", concession_reference="C-1", by=inspector)
    assert first.total_cost == 0
    second = services.ncr_disposition(
        ncr=second, disposition="rework", rework_work_center=op.work_center, rework_description="Re-bore",
        rework_setup_hours=Decimal("0.5"), rework_run_hours_per_piece=Decimal("0.25"), by=inspector,
    )  # fmt: skip
    # (0.5 + 0.25 x 1 piece) h x 60 = 45.00, no material lost.
    assert (second.labor_cost, second.material_cost) == (Decimal("45.00"), Decimal("0"))
