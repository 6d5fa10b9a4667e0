"""First-article inspection: when it is required, the gate on the first operation, recording, accepting and
rejecting, a change order's new revision, the database's rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jobs import services as job_services
from jobs.models import Job, WorkCenter
from quality import services
from quality.models import FirstArticle, FirstArticleResult, JobCharacteristic
from sales import services as sales_services
from tests.factories import CustomerFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.scenarios import approved_order, inspected_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def first_article_on(settings):
    settings.QUALITY_FIRST_ARTICLE = True


def _start_first(job, lead):
    op = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=op, action="start", by=lead)
    return op


def _values(job, **override):
    """Every characteristic of the job in tolerance (the nominal, "pass"), some overridden by name."""
    values = {}
    for char in JobCharacteristic.objects.filter(job=job):
        values[char.pk] = override.get(char.name, str(char.nominal) if char.is_dimension else "pass")
    return values


def test_first_job_of_a_revision_needs_an_fai_the_next_does_not_once_accepted(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    fai = FirstArticle.objects.get(job=job)
    assert (fai.status, fai.attempt, fai.reason, fai.pieces_allowed) == ("required", 1, "new_revision", 1)
    assert (fai.part_number, fai.part_revision, fai.customer_id) == (job.part_number, job.part_revision, None)
    # A second order of the same item before the first FAI is accepted: its job needs one too.
    line = job.sales_order_line
    second = _order_of(office, manager, line.item)
    assert FirstArticle.objects.get(job=second).status == "required"
    services.first_article_record(first_article=fai, values=_values(job), by=lead)
    services.first_article_accept(first_article=fai, by=inspector)
    third = _order_of(office, manager, line.item)
    assert not FirstArticle.objects.filter(job=third).exists(), "the revision is proven"


def _order_of(office, manager, item, quantity=3):
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    SalesOrderLineFactory(order=order, line_no=1, item=item, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    return Job.objects.get(sales_order=order)


def test_no_requirement_when_the_shop_turns_it_off(settings, office, manager, inspector):
    settings.QUALITY_FIRST_ARTICLE = False
    _order, job = inspected_order(office, manager, inspector)
    assert not FirstArticle.objects.filter(job=job).exists()


def test_first_operation_passes_only_the_first_article_until_accepted(office, manager, inspector, lead):
    order, job = inspected_order(office, manager, inspector, quantity=4)
    op = _start_first(job, lead)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)  # the first article
    with pytest.raises(ValidationError, match="first article is to be recorded; no more pieces may pass operation 10"):
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
    job_services.operation_report_pieces(operation=op, good=0, scrap=1, scrap_reason="Other", by=lead)  # scrap may
    fai = FirstArticle.objects.get(job=job)
    services.first_article_record(first_article=fai, values=_values(job), by=lead)
    with pytest.raises(ValidationError, match="waiting for acceptance"):
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
    # Later operations are not held back: only the first article reached them.
    second = job.operations.get(sequence=20)
    job_services.operation_act(operation=second, action="start", by=lead)
    job_services.operation_report_pieces(operation=second, good=1, by=lead)
    services.first_article_accept(first_article=fai, by=inspector)
    job_services.operation_report_pieces(operation=op, good=2, by=lead)
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty) == (3, 1)


def test_more_than_the_first_article_at_once_is_refused(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    op = _start_first(job, lead)
    with pytest.raises(ValidationError, match="only 1 more piece may pass"):
        job_services.operation_report_pieces(operation=op, good=4, by=lead)
    with pytest.raises(ValidationError, match="First-article"):
        job_services.operation_report_rest_and_finish(operation=op, by=lead)
    op.refresh_from_db()
    assert op.good_qty == 0 and op.status == "running", "nothing half-saved"


def test_record_needs_every_characteristic_on_the_first_piece(office, manager, inspector, lead, clerk):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    fai = FirstArticle.objects.get(job=job)
    values = _values(job)
    bore = JobCharacteristic.objects.get(job=job, name="Bore diameter")
    with pytest.raises(ValidationError) as exc:
        services.first_article_record(first_article=fai, values={bore.pk: "10"}, by=lead)
    assert len(exc.value.message_dict) == 1 and "needs every characteristic" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.first_article_record(first_article=fai, values={**values, bore.pk: "ten"}, by=lead)
    assert f"c{bore.pk}" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.first_article_record(first_article=fai, values=values, by=clerk)
    assert not FirstArticleResult.objects.exists()
    fai = services.first_article_record(first_article=fai, values=values, by=lead)
    assert fai.status == "recorded" and fai.all_passed and fai.recorded_by == lead
    assert FirstArticleResult.objects.filter(first_article=fai).count() == 2
    with pytest.raises(ValidationError, match="recorded"):
        services.first_article_record(first_article=fai, values=values, by=lead)


def test_out_of_tolerance_cannot_be_accepted_rejection_allows_the_next_first_article(office, manager, inspector,
                                                                                      lead):  # fmt: skip
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    op = _start_first(job, lead)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)
    fai = FirstArticle.objects.get(job=job)
    fai = services.first_article_record(first_article=fai, values=_values(job, **{"Bore diameter": "10.2"}), by=lead)
    assert fai.all_passed is False
    with pytest.raises(ValidationError, match="out of tolerance"):
        services.first_article_accept(first_article=fai, by=inspector)
    with pytest.raises(PermissionDenied):
        services.first_article_reject(first_article=fai, by=lead, reason="Bore oversize")
    with pytest.raises(ValidationError):
        services.first_article_reject(first_article=fai, by=inspector, reason=" ")
    nxt = services.first_article_reject(first_article=fai, by=inspector, reason="Bore oversize")
    fai.refresh_from_db()
    assert fai.status == "rejected" and fai.decision_reason == "Bore oversize" and fai.decided_by == inspector
    assert (nxt.attempt, nxt.status, nxt.pieces_allowed) == (2, "required", 2)
    job_services.operation_report_pieces(operation=op, good=1, by=lead)  # the second first article
    with pytest.raises(ValidationError):
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
    services.first_article_record(first_article=nxt, values=_values(job), by=lead)
    services.first_article_accept(first_article=nxt, by=manager)  # a Manager may accept too
    job_services.operation_report_pieces(operation=op, good=2, by=lead)


def test_a_lost_first_article_is_rejected_before_recording(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    fai = FirstArticle.objects.get(job=job)
    nxt = services.first_article_reject(first_article=fai, by=inspector, reason="Dropped at op 20")
    assert nxt.attempt == 2 and FirstArticle.objects.get(pk=fai.pk).status == "rejected"


def test_only_quality_or_a_manager_accepts(office, manager, inspector, lead):
    _order, job = inspected_order(office, manager, inspector, quantity=2)
    fai = services.first_article_record(first_article=FirstArticle.objects.get(job=job), values=_values(job), by=lead)
    for user in (lead, office):
        with pytest.raises(PermissionDenied):
            services.first_article_accept(first_article=fai, by=user)
    assert FirstArticle.objects.get(pk=fai.pk).status == "recorded"


def test_custom_part_and_engineering_review(office, manager, inspector, lead):
    """A customer's drawing needs its FAI (a note says what was checked when it has no plan); the engineering
    review that comes first passes its pieces freely, the first production operation is held back."""
    order = approved_order(office, manager, custom=True, quantity=5)
    custom = Job.objects.get(sales_order=order, is_custom=True)
    fai = FirstArticle.objects.get(job=custom)
    assert fai.customer_id == order.customer_id
    review = custom.operations.get()
    assert review.work_center.code == "ENG"
    saw = WorkCenter.objects.get(code="SAW")
    cut = job_services.operation_add(job=custom, work_center=saw, description="Cut", setup_hours=0,
                                     run_hours_per_piece=0, by=manager)  # fmt: skip
    job_services.operation_act(operation=review, action="start", by=lead)
    job_services.operation_report_pieces(operation=review, good=5, by=lead)
    job_services.operation_act(operation=review, action="finish", by=lead)
    job_services.operation_act(operation=cut, action="start", by=lead)
    with pytest.raises(ValidationError, match="First-article"):
        job_services.operation_report_pieces(operation=cut, good=2, by=lead)
    with pytest.raises(ValidationError) as exc:
        services.first_article_record(first_article=fai, values={}, by=lead)
    assert "note" in exc.value.message_dict
    fai = services.first_article_record(first_article=fai, values={}, note="Checked to drawing rev B", by=lead)
    services.first_article_accept(first_article=fai, by=inspector)
    job_services.operation_report_pieces(operation=cut, good=5, by=lead)


def test_a_change_orders_new_revision_requires_a_new_fai(office, manager, inspector, lead):
    order = approved_order(office, manager, custom=True, quantity=5)
    custom = Job.objects.get(sales_order=order, is_custom=True)
    first = FirstArticle.objects.get(job=custom)
    first = services.first_article_record(first_article=first, values={}, note="To drawing", by=lead)
    services.first_article_accept(first_article=first, by=inspector)
    line = custom.sales_order_line
    change = sales_services.change_request_open(order=order, by=office)
    sales_services.change_item_add(change_request=change, kind="revision", line=line, drawing_revision="C",
                                   reason="Revision C", by=office)  # fmt: skip
    sales_services.change_request_submit(change_request=change, by=office)
    sales_services.change_request_approve(change_request=change, by=manager)
    fais = list(FirstArticle.objects.filter(job=custom).order_by("attempt"))
    assert [(f.attempt, f.status, f.part_revision, f.reason) for f in fais] == [
        (1, "accepted", first.part_revision, "new_revision"), (2, "required", "C", "revision_change")]  # fmt: skip
    # The unchanged standard line keeps its FAI as it was.
    standard = Job.objects.get(sales_order=order, is_custom=False)
    assert list(FirstArticle.objects.filter(job=standard).values_list("status", flat=True)) == ["required"]


def test_a_live_fai_is_superseded_by_a_new_revision(office, manager, inspector):
    order = approved_order(office, manager, custom=True, quantity=5)
    custom = Job.objects.get(sales_order=order, is_custom=True)
    change = sales_services.change_request_open(order=order, by=office)
    sales_services.change_item_add(change_request=change, kind="revision", line=custom.sales_order_line,
                                   drawing_revision="D", reason="Revision D", by=office)  # fmt: skip
    sales_services.change_request_submit(change_request=change, by=office)
    sales_services.change_request_approve(change_request=change, by=manager)
    statuses = list(FirstArticle.objects.filter(job=custom).order_by("attempt").values_list("status", "part_revision"))
    assert statuses == [("superseded", statuses[0][1]), ("required", "D")]
    assert FirstArticle.objects.filter(job=custom, status__in=["required", "recorded"]).count() == 1


def test_remake_of_an_unproven_revision_needs_its_own_fai(office, manager, inspector):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    remake = job_services.job_create_remake(job=job, quantity=1, by=inspector)
    assert FirstArticle.objects.get(job=remake).status == "required"


def test_the_database_keeps_one_live_fai_per_job_and_accepted_means_passed(office, manager, inspector):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    fai = FirstArticle.objects.get(job=job)
    with pytest.raises(IntegrityError), transaction.atomic():
        FirstArticle.objects.create(job=job, attempt=2, reason="new_revision", part_number="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        FirstArticle.objects.filter(pk=fai.pk).update(status="accepted", all_passed=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        FirstArticle.objects.filter(pk=fai.pk).update(status="rejected")  # no who, no reason


def test_requirement_is_idempotent(office, manager, inspector):
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    assert services.first_articles_require(jobs=[job]) == []
    assert FirstArticle.objects.filter(job=job).count() == 1
