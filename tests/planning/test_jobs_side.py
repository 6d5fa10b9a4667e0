"""jobs' side of the schedule: the service that writes planned start and finish, and the floor queue's order."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jobs import selectors
from jobs.models import Job, Operation, WorkCenter
from jobs.services import operations_set_planned
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db


def _jobs(office, manager, n):
    return [Job.objects.get(sales_order=approved_order(office, manager)) for _ in range(n)]


def test_set_planned_writes_the_times_and_clears_the_rest(office, manager, lead):
    a, b = _jobs(office, manager, 2)
    now = timezone.now().replace(microsecond=0)
    a_ops, b_ops = list(a.operations.order_by("sequence")), list(b.operations.order_by("sequence"))
    versions = {op.pk: op.version for op in a_ops + b_ops}
    plan = {op.pk: (now + datetime.timedelta(hours=i), now + datetime.timedelta(hours=i + 1))
            for i, op in enumerate(a_ops + b_ops)}  # fmt: skip
    assert operations_set_planned(planned=plan, by=manager) == 6
    assert operations_set_planned(planned=plan, by=None) == 0  # the same plan again changes nothing
    for op in Operation.objects.filter(job__in=[a, b]):
        assert (op.planned_start, op.planned_finish) == plan[op.pk]
        assert op.version == versions[op.pk]  # the floor's tablets do not reload for a new plan
    # b leaves the plan (held): its times go.
    operations_set_planned(planned={k: v for k, v in plan.items() if k in {op.pk for op in a_ops}}, by=None)
    assert not Operation.objects.filter(job=b, planned_start__isnull=False).exists()
    assert Operation.objects.filter(job=a, planned_start__isnull=False).count() == 3


def test_set_planned_refuses_bad_input_and_roles(office, manager, lead):
    (job,) = _jobs(office, manager, 1)
    op = job.operations.first()
    now = timezone.now()
    with pytest.raises(ValidationError):
        operations_set_planned(planned={op.pk: (now, now - datetime.timedelta(minutes=1))}, by=manager)
    for user in (office, lead):
        with pytest.raises(PermissionDenied):
            operations_set_planned(planned={op.pk: (now, now)}, by=user)
    assert not Operation.objects.filter(planned_start__isnull=False).exists()


def test_floor_queue_follows_the_schedule_then_due_date(office, manager, lead, client):
    jobs = _jobs(office, manager, 3)
    today = timezone.localdate()
    for n, job in enumerate(jobs):  # due in that order: 0 first
        Job.objects.filter(pk=job.pk).update(due_date=today + datetime.timedelta(days=n + 1))
    saw = WorkCenter.objects.get(code="SAW")
    saw_ops = {job.pk: job.operations.get(work_center=saw) for job in jobs}
    assert [op.job_id for op in selectors.work_center_queue(work_center=saw)] == [j.pk for j in jobs]
    # The schedule puts the last-due job first and the middle one second; the first-due one is not placed.
    now = timezone.now().replace(microsecond=0)
    operations_set_planned(planned={
        saw_ops[jobs[2].pk].pk: (now, now + datetime.timedelta(hours=1)),
        saw_ops[jobs[1].pk].pk: (now + datetime.timedelta(hours=1), now + datetime.timedelta(hours=2)),
    }, by=None)  # fmt: skip
    queue = selectors.work_center_queue(work_center=saw)
    assert [op.job_id for op in queue] == [jobs[2].pk, jobs[1].pk, jobs[0].pk]
    client.force_login(lead)
    client.get(reverse("jobs:floor-board"), {"wc": "SAW"})
    page = client.get(reverse("jobs:floor-board"))
    assert [op.job_id for op in page.context["queue"].operations] == [jobs[2].pk, jobs[1].pk, jobs[0].pk]
    assert b"in schedule order" in page.content
