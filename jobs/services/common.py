"""Helpers every jobs service uses: capability checks, locks and versions."""

from django.core.exceptions import PermissionDenied, ValidationError

from mto import reads
from sales.models import SalesOrder

from ..models import Job

# Every floor action takes these locks: compiled once per process (mto.reads.CompiledQuery).
_ORDER_LOCK = reads.CompiledQuery(lambda pk: SalesOrder.objects.select_for_update().filter(pk=pk).values_list("pk"))
_JOB_LOCK = reads.CompiledQuery(lambda pk: Job.objects.select_for_update().filter(pk=pk))


def _require(user, *capabilities: str):
    if not any(user.has_perm(f"mto.{c}") for c in capabilities):
        raise PermissionDenied("Your role does not allow this.")


def _locked_job(job_id: int) -> Job:
    """Lock the job in the house order: its sales order first (if any), then the job.

    A change approval locks order, lines, jobs, operations; taking the job before the order here (as the floor
    did when a start put the order in production) deadlocked against it.
    """
    return _locked_job_of(job_id, Job.objects.values_list("sales_order_id", flat=True).get(pk=job_id))


def _locked_job_of(job_id: int, order_id: int | None) -> Job:
    """_locked_job when the caller has read the job's sales order already (a job never moves to another)."""
    if order_id is not None:
        _ORDER_LOCK.all(order_id)
    return _JOB_LOCK.get(job_id)


def _check_version(obj, expected: int | None, what: str):
    if expected is not None and int(expected) != obj.version:
        who = getattr(getattr(obj, "updated_by", None), "get_full_name", lambda: "")() or "someone else"
        raise ValidationError(f"{what} was changed by {who} meanwhile; reload and try again.", code="stale")
