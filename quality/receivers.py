"""Handlers of the jobs app's signals: each is one call to a quality service."""

from django.dispatch import receiver

from jobs.models import Job, Operation
from jobs.signals import jobs_changed, jobs_created, pieces_may_pass

from . import services


@receiver(jobs_created, sender=Job, dispatch_uid="quality.plan_for_new_jobs")
def plan_for_new_jobs(sender, order, jobs, by, **kwargs):
    services.plans_copy_to_jobs(jobs=jobs)


@receiver(jobs_changed, sender=Job, dispatch_uid="quality.plan_for_changed_jobs")
def plan_for_changed_jobs(sender, order, items, jobs, by, **kwargs):
    # Only jobs without a copy get one (new jobs a change made); changed ones keep theirs.
    services.plans_copy_to_jobs(jobs=jobs)


@receiver(pieces_may_pass, sender=Operation, dispatch_uid="quality.gate_pieces")
def gate_pieces(sender, operation, good, **kwargs):
    return services.pieces_may_pass(operation=operation)
