"""Who hears about the floor: outbox rows written in the transaction of the event."""

from django.dispatch import receiver

from mto.notifications import notify
from mto.roles import OFFICE, SHIPPING, SHOP_FLOOR

from . import selectors
from .models import Job, WorkCenter
from .signals import job_completed, job_held, job_pieces_completed, jobs_changed, jobs_created


def _leads_of(jobs) -> tuple[list[WorkCenter], set, bool]:
    """Leads of the work centers the jobs pass through, and whether a center has none assigned."""
    centers = selectors.work_centers_of(jobs=jobs)
    leads = {lead for center in centers for lead in center.leads.all() if lead.is_active}
    return centers, leads, any(not center.leads.all() for center in centers)


@receiver(jobs_created, sender=Job, dispatch_uid="jobs.notify_new_jobs")
def new_jobs(sender, order, jobs, by, **kwargs):
    """Leads of the work centers the new jobs pass through; every lead where a center has none assigned."""
    centers, leads, unassigned = _leads_of(jobs)
    context = {"order": order, "jobs": jobs, "work_centers": sorted(c.code for c in centers), "link": "/jobs/floor/"}
    notify(kind="new_jobs", users=leads, roles=[SHOP_FLOOR] if unassigned else (), context=context,
           link="/jobs/floor/")  # fmt: skip


@receiver(jobs_changed, sender=Job, dispatch_uid="jobs.notify_jobs_changed")
def jobs_changed_notice(sender, order, items, jobs, by, **kwargs):
    """The leads of the changed jobs' work centers hear what changed on the order and which jobs follow."""
    if not jobs:
        return
    centers, leads, unassigned = _leads_of(jobs)
    link = "/jobs/floor/"
    context = {"order": order, "items": items, "jobs": jobs, "link": link}
    notify(kind="jobs_changed", users=leads, roles=[SHOP_FLOOR] if unassigned else (), context=context, link=link)


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


@receiver(job_completed, sender=Job, dispatch_uid="jobs.notify_job_completed_short")
def job_completed_short(sender, job, by, late, **kwargs):
    """The office hears once (a job completes once: complete is final) that pieces are missing."""
    if job.is_short:
        link = job.get_absolute_url()
        notify(kind="job_completed_short", roles=[OFFICE], context={"job": job, "link": link}, link=link)


@receiver(job_pieces_completed, sender=Job, dispatch_uid="jobs.notify_ready_to_ship")
def ready_to_ship(sender, job, by, quantity, **kwargs):
    if job.sales_order_id:
        link = "/shipping/"
        notify(
            kind="ready_to_ship", roles=[SHIPPING], context={"job": job, "quantity": quantity, "link": link}, link=link
        )
