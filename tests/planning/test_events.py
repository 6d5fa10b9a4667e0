"""Events that change the plan ask for a debounced run, each through a signal of the app it happens in: an
approval, a hold, a resume, a release, a cancel, scrap, a remake, a rework operation, a receipt, a vendor's dates;
a burst makes one run. And with a real Celery worker on the real broker: the burst's one run is made by it."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job, Operation
from planning.models import ScheduleRun
from tests.scenarios import approved_order, job_with_material, plating_job, sent_purchase_order

pytestmark = pytest.mark.django_db
R = ScheduleRun.Status


@pytest.fixture
def events_on(settings):
    settings.PLANNING_AFTER_EVENTS = True


def _asked(capture, action) -> list[str]:
    """The reasons of the runs `action` asks for once it commits (their tasks captured, not run)."""
    ScheduleRun.objects.all().delete()
    with capture(execute=False) as after_commit:
        action()
    assert not ScheduleRun.objects.exists(), "a request inside the change's own transaction"
    with capture(execute=False):
        for callback in after_commit:
            callback()
    return list(ScheduleRun.objects.filter(status=R.QUEUED).values_list("reason", flat=True))


def test_approval_hold_resume_cancel_and_release_ask_for_a_run(events_on, office, manager,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    capture = django_capture_on_commit_callbacks
    holder = []
    reasons = _asked(capture, lambda: holder.append(approved_order(office, manager)))
    order = holder[0]
    assert reasons == [f"{order.number} approved: 1 new job(s)"]
    job = Job.objects.get(sales_order=order)
    assert _asked(capture, lambda: job_services.job_act(job=job, action="hold", reason="Other", by=manager)) == [
        f"{job.number} held"
    ]  # fmt: skip
    assert _asked(capture, lambda: job_services.job_act(job=job, action="resume", by=manager)) == [
        f"{job.number} resumed"
    ]  # fmt: skip
    manual = job_services.job_create_manual(origin=Job.Origin.STOCK, part_number="P-1", description="Stock",
                                            quantity=5, due_date=timezone.localdate(), by=manager)  # fmt: skip
    assert _asked(capture, lambda: job_services.job_act(job=manual, action="release", by=manager)) == [
        f"{manual.number} released"
    ]  # fmt: skip
    assert _asked(capture, lambda: job_services.job_act(job=manual, action="cancel", reason="No need",
                                                        by=manager)) == [f"{manual.number} cancelled"]  # fmt: skip


def test_scrap_and_a_remake_ask_for_a_run(events_on, office, manager, lead, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    job = Job.objects.get(sales_order=approved_order(office, manager))
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    reasons = _asked(capture, lambda: job_services.operation_report_pieces(
        operation=Operation.objects.get(pk=first.pk), good=0, scrap=2, scrap_reason="Other", by=lead))  # fmt: skip
    assert reasons == [f"{job.number} op {first.sequence}: 2 scrapped"]
    holder = []
    reasons = _asked(capture, lambda: holder.append(job_services.job_create_remake(job=job, quantity=2, by=manager)))
    assert reasons == [f"{holder[0].number} made (remake)"]


def test_a_receipt_and_vendor_dates_ask_for_a_run(
    events_on, office, manager, buyer, django_capture_on_commit_callbacks
):
    from purchasing import services as purchasing_services

    capture = django_capture_on_commit_callbacks
    job, requirement = job_with_material(office, manager, buyer)
    po = sent_purchase_order(buyer, requirement)
    line = po.lines.get()
    reasons = _asked(capture, lambda: purchasing_services.receipt_create(po_line=line, quantity=Decimal("4"),
                                                                          by=buyer))  # fmt: skip
    assert reasons == [f"received on {line}"]
    plated, outside = plating_job(office, manager)
    reasons = _asked(
        capture,
        lambda: purchasing_services.outside_operation_update(
            outside_operation=outside, vendor=outside.vendor, lead_days=12, estimated_cost=Decimal("50.00"), by=manager
        ),
    )
    assert reasons == [f"{plated.number}: vendor lead time"]
    # The same lead time again moves nothing: no run.
    assert _asked(capture, lambda: purchasing_services.outside_operation_update(
        outside_operation=outside, vendor=outside.vendor, lead_days=12, estimated_cost=Decimal("60.00"),
        by=manager)) == []  # fmt: skip
    draft = purchasing_services.purchase_order_create(
        vendor=po.vendor,
        by=buyer,
        lines=[
            {"description": "Rags", "quantity": 2, "unit": "lot", "unit_cost": 5, "due_date": timezone.localdate()}
        ],
    )
    assert _asked(
        capture,
        lambda: purchasing_services.purchase_order_update(
            po=draft,
            by=buyer,
            lines=[
                {
                    "description": "Rags",
                    "quantity": 2,
                    "unit": "lot",
                    "unit_cost": 5,
                    "due_date": timezone.localdate() + datetime.timedelta(days=9),
                }
            ],
        ),
    ) == [f"{draft.number}: vendor dates"]


def test_a_burst_in_one_transaction_makes_one_run(events_on, office, manager, django_capture_on_commit_callbacks):
    from django.db import transaction

    jobs = [Job.objects.get(sales_order=approved_order(office, manager)) for _ in range(3)]

    def burst():
        with transaction.atomic():
            for job in jobs:
                job_services.job_act(job=job, action="hold", reason="Other", by=manager)

    reasons = _asked(django_capture_on_commit_callbacks, burst)
    assert reasons == ["; ".join(f"{job.number} held" for job in jobs)]
    assert ScheduleRun.objects.count() == 1


# --- a real worker -------------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_events_is_one_run_made_by_the_worker(settings):
    """A real Celery worker on the real Redis broker (as tests/mto/test_worker.py): three events in a burst (a
    hold, a resume, a hold) make one run, debounced, which the worker makes; the held jobs leave the schedule."""
    from tests.factories import UserFactory
    from tests.scenarios import _redis_answers, _wait_for

    if not _redis_answers():
        pytest.skip("needs Redis: set REDIS_URL to a running server to run the real-worker tests")
    from celery.contrib.testing.worker import start_worker

    from mto.celery import app as celery_app

    settings.PLANNING_DEBOUNCE_SECONDS = 2
    settings.PLANNING_SOLVER_SECONDS = 1
    office = UserFactory(username="p-office", roles=["Office"])
    manager = UserFactory(username="p-manager", roles=["Manager"])
    jobs = [Job.objects.get(sales_order=approved_order(office, manager)) for _ in range(3)]  # events off: no run
    assert not ScheduleRun.objects.exists()
    settings.PLANNING_AFTER_EVENTS = True
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            began = time.monotonic()
            job_services.job_act(job=jobs[0], action="hold", reason="Other", by=manager)
            job_services.job_act(job=jobs[0], action="resume", by=manager)
            job_services.job_act(job=jobs[1], action="hold", reason="Other", by=manager)
            assert ScheduleRun.objects.count() == 1
            done = _wait_for(lambda: ScheduleRun.objects.filter(status=R.DONE).exists())
            waited = time.monotonic() - began
    finally:
        celery_app.conf.task_always_eager = True
    assert done, "the worker made no schedule"
    run = ScheduleRun.objects.get()
    assert run.trigger == "event" and run.status == R.DONE and run.jobs_count == 2
    assert run.reason == f"{jobs[0].number} held; {jobs[0].number} resumed; {jobs[1].number} held"
    assert waited >= 2  # it waited for the debounce
    assert not Operation.objects.filter(job=jobs[1], planned_start__isnull=False).exists()
    assert not Operation.objects.filter(job__in=[jobs[0], jobs[2]], planned_start__isnull=True).exists()
