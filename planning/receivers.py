"""Events that change the plan ask for a new schedule, debounced (planning.services.schedule_request_after_event).
Connected in PlanningConfig.ready(). No signal exists yet for a job's release or its return from hold, nor
for a purchasing receipt or a vendor's new date: those wait for the nightly run or Plan now."""

from django.dispatch import receiver

from jobs.models import Job
from jobs.signals import job_held, jobs_changed, jobs_created

from .services.schedule import schedule_request_after_event


@receiver(jobs_created, sender=Job, dispatch_uid="planning.plan_after_jobs_created")
def plan_after_jobs_created(sender, order, jobs, by, **kwargs):
    schedule_request_after_event(f"{order.number} approved: {len(jobs)} new job(s)")


@receiver(job_held, sender=Job, dispatch_uid="planning.plan_after_job_held")
def plan_after_job_held(sender, job, by, reason, **kwargs):
    schedule_request_after_event(f"{job.number} held")


@receiver(jobs_changed, sender=Job, dispatch_uid="planning.plan_after_jobs_changed")
def plan_after_jobs_changed(sender, order, items, jobs, by, **kwargs):
    schedule_request_after_event(f"{order.number} changed")
