"""Handlers of the jobs app's signals: each is one call to a purchasing service."""

from django.dispatch import receiver

from jobs.models import Job
from jobs.signals import jobs_changed, jobs_created

from . import services


@receiver(jobs_created, sender=Job, dispatch_uid="purchasing.material_for_new_jobs")
def material_for_new_jobs(sender, order, jobs, by, **kwargs):
    services.requirements_fill_for_jobs(jobs=jobs, by=by)


@receiver(jobs_changed, sender=Job, dispatch_uid="purchasing.material_for_changed_jobs")
def material_for_changed_jobs(sender, order, items, jobs, by, **kwargs):
    # Only jobs without requirements get them (new jobs a change made); changed ones keep what they have.
    services.requirements_fill_for_jobs(jobs=jobs, by=by)
