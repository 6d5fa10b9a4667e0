from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jobs import services as job_services
from jobs.models import Job
from quality import services
from quality.models import InspectionResult, JobCharacteristic, NonConformance, PlanCharacteristic
from shipping.selectors import order_lines_to_ship, ready_to_ship
from tests.factories import ItemFactory
from tests.scenarios import inspected_order, run_to_inspection, ship

pytestmark = pytest.mark.django_db


def _chars(op):
    return {c.name: c for c in JobCharacteristic.objects.filter(operation=op)}


# --- plans -----------------------------------------------------------------------------------------------------


def test_plan_is_copied_onto_each_new_job_and_later_edits_leave_it(office, manager, inspector):
    order, job = inspected_order(office, manager, inspector)
    copies = list(job.characteristics.order_by("position"))
    assert [c.name for c in copies] == ["Bore diameter", "Surface finish"]
    assert copies[0].operation == job.operations.get(sequence=30)
    assert copies[0].tolerance_label == "10 +0.05/-0.02 mm"
    plan = PlanCharacteristic.objects.get(name="Bore diameter")
    services.plan_characteristic_remove(characteristic=plan, by=inspector)
    assert job.characteristics.count() == 2, "a running job keeps its own copy"
    services.plans_copy_to_jobs(jobs=[job])
    assert job.characteristics.count() == 2, "copying again adds nothing"


def test_plan_rules(inspector, lead):
    item = ItemFactory()
    with pytest.raises(ValidationError) as exc:
        services.plan_characteristic_add(item=item, by=inspector, operation_sequence=10, name="Len", kind="dimension")
    assert "nominal" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_characteristic_add(item=item, by=inspector, operation_sequence=10, name="Look",
                                         kind="attribute", sampling="lot")  # fmt: skip
    assert "sample_n" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.plan_characteristic_add(item=item, by=lead, operation_sequence=10, name="Look", kind="attribute")
    assert not PlanCharacteristic.objects.exists()


def test_database_keeps_the_dimension_rule(inspector):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanCharacteristic.objects.create(item=ItemFactory(), operation_sequence=10, name="x", kind="dimension")


# --- inspections and the gate ----------------------------------------------------------------------------------


def test_out_of_tolerance_blocks_pieces_until_dispositioned(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = run_to_inspection(job, lead, 4)
    chars = _chars(op)
    bore, finish = chars["Bore diameter"], chars["Surface finish"]
    ok = services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10.01", finish.pk: "pass"}, by=lead)
    assert all(r.passed for r in ok) and ok[0].by == lead
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    bad = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "10.06"}, by=lead)
    assert bad[0].passed is False
    with pytest.raises(ValidationError, match="Failed inspection at operation 30: sample 2"):
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
    ncr = services.ncr_open(results=bad, by=lead)
    assert ncr.number.startswith("NCR-") and ncr.quantity == 1 and ncr.opened_by == lead
    assert ncr.work_center == op.work_center and ncr.reason == "Failed inspection: Bore diameter"
    with pytest.raises(ValidationError, match=f"{ncr.number} is waiting"):
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
    job_services.operation_report_pieces(operation=op, good=0, scrap=1, scrap_reason="Other", by=lead)  # scrap may
    with pytest.raises(PermissionDenied):
        services.ncr_disposition(ncr=ncr, disposition="scrap", by=lead)
    services.ncr_disposition(ncr=ncr, disposition="scrap", by=inspector)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    assert Job.objects.get(pk=job.pk).quantity_completed == 2


def test_inspection_refusals(office, manager, inspector, lead, clerk):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    bore, finish = _chars(op)["Bore diameter"], _chars(op)["Surface finish"]
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(operation=op, sample_no=1, values={bore.pk: "ten"}, by=lead)
    assert f"c{bore.pk}" in exc.value.message_dict
    with pytest.raises(ValidationError, match="measured on 1 sample"):
        services.inspection_record(operation=op, sample_no=2, values={finish.pk: "pass"}, by=lead)
    with pytest.raises(ValidationError):
        services.inspection_record(operation=op, sample_no=3, values={bore.pk: "10"}, by=lead)
    with pytest.raises(PermissionDenied):
        services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10"}, by=clerk)
    services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10"}, by=lead)
    with pytest.raises(ValidationError, match="already recorded"):
        services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10.01"}, by=inspector)
    assert InspectionResult.objects.count() == 1


def test_database_keeps_one_result_per_sample(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    bore = _chars(op)["Bore diameter"]
    services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10"}, by=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionResult.objects.create(characteristic=bore, sample_no=1, value=Decimal("9"), passed=False, by=lead)


# --- NCRs ------------------------------------------------------------------------------------------------------


def test_ncr_from_scrap_report_with_cost(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = job.operations.get(sequence=10)
    job_services.operation_act(operation=op, action="start", by=lead)
    job_services.operation_report_pieces(operation=op, good=3, scrap=1, scrap_reason="Machine fault", by=lead)
    record = op.scrap_records.get()
    ncr = services.ncr_open(scrap_record=record, by=lead)
    assert (ncr.quantity, ncr.reason, ncr.operation, ncr.job) == (1, "Machine fault", op, job)
    assert ncr.labor_cost >= 0 and ncr.material_cost == 0
    with pytest.raises(ValidationError, match="already has"):
        services.ncr_open(scrap_record=record, by=lead)
    assert ncr.status_changes.get().to_status == "open"


def test_ncr_labor_cost_is_the_pieces_share_of_time_so_far(office, manager, inspector, lead):
    from datetime import timedelta

    from jobs.models import TimeEntry

    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = job.operations.get(sequence=10)
    job_services.operation_act(operation=op, action="start", by=lead)
    entry = TimeEntry.objects.get(operation=op)
    TimeEntry.objects.filter(pk=entry.pk).update(started_at=entry.started_at - timedelta(hours=2))
    job_services.operation_act(operation=op, action="pause", by=lead)
    rate = TimeEntry.objects.get(pk=entry.pk).hourly_rate
    job_services.operation_act(operation=op, action="resume", by=lead)
    job_services.operation_report_pieces(operation=op, good=3, scrap=1, scrap_reason="Machine fault", by=lead)
    job_services.operation_act(operation=op, action="pause", by=lead)
    ncr = services.ncr_open(scrap_record=op.scrap_records.get(), by=lead)
    # About two hours at the rate over the 4 pieces the operation handled, for the 1 scrapped piece.
    assert abs(ncr.labor_cost - rate * 2 / 4) < Decimal("0.05")


def test_use_as_is_needs_the_concession_and_rework_adds_an_operation(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    bore = _chars(op)["Bore diameter"]
    bad1 = services.inspection_record(operation=op, sample_no=1, values={bore.pk: "9.9"}, by=lead)
    bad2 = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "9.9"}, by=lead)
    first, second = services.ncr_open(results=bad1, by=lead), services.ncr_open(results=bad2, by=inspector)
    with pytest.raises(ValidationError) as exc:
        services.ncr_disposition(ncr=first, disposition="use_as_is", by=inspector)
    assert "concession_reference" in exc.value.message_dict
    services.ncr_disposition(ncr=first, disposition="use_as_is", concession_reference="CUST-77", by=inspector)
    center = op.work_center
    services.ncr_disposition(
        ncr=second, disposition="rework", rework_work_center=center, rework_description="Re-bore to size",
        rework_setup_hours=Decimal("0.5"), by=inspector,
    )  # fmt: skip
    rework = job.operations.order_by("-sequence").first()
    assert rework.description == "Re-bore to size"
    second.refresh_from_db()
    assert second.rework_operation == rework  # first-pass yield leaves its pieces out
    with pytest.raises(ValidationError, match="already dispositioned"):
        services.ncr_disposition(ncr=second, disposition="scrap", by=inspector)
    closed = services.ncr_close(ncr=second, by=inspector)
    assert closed.status == "closed" and closed.status_changes.count() == 3


def test_remake_job_counts_for_the_line_and_ships(office, manager, inspector, lead, clerk):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    op = run_to_inspection(job, lead, 2)
    bore, finish = _chars(op)["Bore diameter"], _chars(op)["Surface finish"]
    services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10", finish.pk: "pass"}, by=lead)
    bad = services.inspection_record(operation=op, sample_no=2, values={bore.pk: "10.2"}, by=lead)
    ncr = services.ncr_open(results=bad, by=lead)
    ncr = services.ncr_disposition(ncr=ncr, disposition="remake", by=inspector)
    remake = ncr.remake_job
    assert remake.number == f"{job.number}-R1" and remake.quantity == 1
    assert remake.sales_order_line_id == job.sales_order_line_id and remake.status == "released"
    assert [o.sequence for o in remake.operations.all()] == [10, 20, 30]
    assert remake.characteristics.count() == 2, "the remake gets the plan like any new job"
    job_services.operation_report_pieces(operation=op, good=1, scrap=1, scrap_reason="Other", by=lead)
    job_services.operation_act(operation=op, action="finish", by=lead)
    line = job.sales_order_line
    assert ready_to_ship().get(pk=line.pk).ready == 1
    rop = run_to_inspection(remake, lead, 1)
    rbore = _chars(rop)["Bore diameter"]
    services.inspection_record(operation=rop, sample_no=1, values={rbore.pk: "10.01"}, by=lead)
    job_services.operation_report_pieces(operation=rop, good=1, by=lead)
    job_services.operation_act(operation=rop, action="finish", by=lead)
    assert ready_to_ship().get(pk=line.pk).ready == 2
    assert order_lines_to_ship(order=order)[0].available == 2
    ship(order, clerk, {line.pk: 2})
    line.refresh_from_db()
    assert line.quantity_shipped == 2
    second = job_services.job_create_remake(job=job, quantity=1, by=manager)
    assert second.number == f"{job.number}-R2"


def test_remake_refusals(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=2)
    with pytest.raises(PermissionDenied):
        job_services.job_create_remake(job=job, quantity=1, by=lead)
    with pytest.raises(ValidationError):
        job_services.job_create_remake(job=job, quantity=3, by=inspector)
    with pytest.raises(ValidationError):
        job_services.job_create_remake(job=job, quantity=0, by=inspector)
    assert Job.objects.count() == 1
    assert not NonConformance.objects.exists()


def test_tolerance_label_of_a_one_sided_tolerance(inspector):
    char = services.plan_characteristic_add(
        item=ItemFactory(), by=inspector, operation_sequence=10, name="Journal", kind="dimension",
        nominal=Decimal("22.000"), tolerance_plus=Decimal("0"), tolerance_minus=Decimal("0.013"), unit="mm",
    )  # fmt: skip
    assert char.tolerance_label == "22 +0/-0.013 mm"
