"""Handlers of the jobs app's signals: each is one call to a quality service."""

from django.dispatch import receiver

from jobs.models import Job, Operation
from jobs.signals import job_completed, jobs_changed, jobs_created, pieces_may_pass

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


# --- first-article inspection and remake proposals (quality.services.fai, quality.services.remakes) -----------


@receiver(jobs_created, sender=Job, dispatch_uid="quality.first_article_for_new_jobs")
def first_article_for_new_jobs(sender, order, jobs, by, **kwargs):
    services.first_articles_require(jobs=jobs)


@receiver(jobs_changed, sender=Job, dispatch_uid="quality.first_article_for_revision_change")
def first_article_for_revision_change(sender, order, items, jobs, by, **kwargs):
    services.first_articles_for_revision_change(items=items, jobs=jobs, by=by)


@receiver(pieces_may_pass, sender=Operation, dispatch_uid="quality.first_article_gate")
def first_article_gate(sender, operation, good, **kwargs):
    return services.first_article_gate(operation=operation, good=good)


@receiver(job_completed, sender=Job, dispatch_uid="quality.remake_for_short_job")
def remake_for_short_job(sender, job, by, late, **kwargs):
    services.remake_propose(job=job)
