"""Who hears about the floor: outbox rows written in the transaction of the event."""

from django.dispatch import receiver

from mto.notifications import notify
from mto.roles import OFFICE, SHIPPING, SHOP_FLOOR

from .models import Job, Operation
from .signals import job_completed, job_held, job_pieces_completed, jobs_created


@receiver(jobs_created, sender=Job, dispatch_uid="jobs.notify_new_jobs")
def new_jobs(sender, order, jobs, by, **kwargs):
    codes = Operation.objects.filter(job__in=jobs).order_by().values_list("work_center__code", flat=True).distinct()
    notify(
        kind="new_jobs",
        roles=[SHOP_FLOOR],
        context={"order": order, "jobs": jobs, "work_centers": sorted(set(codes)), "link": "/jobs/floor/"},
        link="/jobs/floor/",
    )


@receiver(job_held, sender=Job, dispatch_uid="jobs.notify_job_on_hold")
def job_on_hold(sender, job, by, reason, **kwargs):
    link = job.get_absolute_url()
    who = by.get_full_name() or by.username
    notify(
        kind="job_on_hold", roles=[OFFICE], context={"job": job, "by": who, "reason": reason, "link": link}, link=link
    )


@receiver(job_completed, sender=Job, dispatch_uid="jobs.notify_job_completed_late")
def job_completed_late(sender, job, by, late, **kwargs):
    if late:
        link = job.get_absolute_url()
        notify(kind="job_completed_late", roles=[OFFICE], context={"job": job, "link": link}, link=link)


@receiver(job_pieces_completed, sender=Job, dispatch_uid="jobs.notify_ready_to_ship")
def ready_to_ship(sender, job, by, quantity, **kwargs):
    if job.sales_order_id:
        link = "/shipping/"
        notify(
            kind="ready_to_ship", roles=[SHIPPING], context={"job": job, "quantity": quantity, "link": link}, link=link
        )
