"""Helpers every quality service uses: capability checks and the house-order lock of a job."""

from django.core.exceptions import PermissionDenied

from jobs.models import Job
from sales.models import SalesOrder


def _require(user, *capabilities: str) -> None:
    if not any(user.has_perm(f"mto.{c}") for c in capabilities):
        raise PermissionDenied("Your role does not allow this.")


def lock_job(job_id: int) -> Job:
    """Lock a job in the house order (its sales order first, then the job), as jobs' own services do, so a
    quality write and a piece report on the same job follow one another and cannot deadlock."""
    order_id = Job.objects.values_list("sales_order_id", flat=True).get(pk=job_id)
    if order_id is not None:
        list(SalesOrder.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True))
    return Job.objects.select_for_update().get(pk=job_id)
