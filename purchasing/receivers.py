"""Handlers of the jobs app's signals: each is one call to a purchasing service."""

from django.db.models import QuerySet
from django.dispatch import receiver

from jobs.models import Job, Operation
from jobs.signals import jobs_changed, jobs_created, operations_added, other_cost_totals_for_jobs, other_costs_for_jobs

from . import selectors, services


@receiver(jobs_created, sender=Job, dispatch_uid="purchasing.material_for_new_jobs")
def material_for_new_jobs(sender, order, jobs, by, **kwargs):
    services.requirements_fill_for_jobs(jobs=jobs, by=by)


@receiver(jobs_changed, sender=Job, dispatch_uid="purchasing.material_for_changed_jobs")
def material_for_changed_jobs(sender, order, items, jobs, by, **kwargs):
    # Only jobs without requirements get them (new jobs a change made); changed ones keep what they have.
    services.requirements_fill_for_jobs(jobs=jobs, by=by)


# Outside operations: one row per operation at an outside work center, made as the operations are.
@receiver(jobs_created, sender=Job, dispatch_uid="purchasing.outside_for_new_jobs")
def outside_for_new_jobs(sender, order, jobs, by, **kwargs):
    services.outside_operations_ensure(jobs=jobs, by=by)


@receiver(jobs_changed, sender=Job, dispatch_uid="purchasing.outside_for_changed_jobs")
def outside_for_changed_jobs(sender, order, items, jobs, by, **kwargs):
    services.outside_operations_ensure(jobs=jobs, by=by)


@receiver(operations_added, sender=Operation, dispatch_uid="purchasing.outside_for_added_operations")
def outside_for_added_operations(sender, operations, by, **kwargs):
    services.outside_operations_ensure(operations=operations, by=by)


@receiver(other_cost_totals_for_jobs, sender=Job, dispatch_uid="purchasing.job_cost_totals")
def job_cost_totals(sender, jobs, **kwargs):
    return selectors.other_cost_totals_for_jobs(jobs.values("pk"))


@receiver(other_costs_for_jobs, sender=Job, dispatch_uid="purchasing.job_costs")
def job_costs(sender, jobs, **kwargs):
    # A queryset of jobs (a month's) goes on as a subquery.
    return selectors.other_costs_for_jobs(jobs.values("pk") if isinstance(jobs, QuerySet) else [j.pk for j in jobs])
