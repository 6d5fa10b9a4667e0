"""The moves people make on a job: release, hold, resume, cancel; and notes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mto.db import atomic_with_retry
from sales.models import SalesOrderLine

from .. import signals
from ..models import Job, JobNote, TimeEntry
from ..workflow import JOB_ACTIONS, J
from .common import _check_version, _locked_job, _record, _require


@atomic_with_retry
def job_act(*, job: Job, action: str, by, reason: str = "", expected_version: int | None = None) -> Job:
    """Release, hold, resume or cancel a job (the moves people make)."""
    spec = JOB_ACTIONS.get(action)
    if spec is None:
        raise ValidationError(f"Unknown action {action!r}.")
    capabilities = (spec["capability"],) if isinstance(spec["capability"], str) else spec["capability"]
    _require(by, *capabilities)
    job = _locked_job(job.pk)
    _check_version(job, expected_version, job.number)
    if job.status not in spec["source"]:
        raise ValidationError(
            f"Cannot {spec['label'].lower()}: {job.number} is {job.get_status_display().lower()}.", code="conflict"
        )
    reason = (reason or "").strip()
    if action == "hold":
        if not reason:
            raise ValidationError({"reason": "Pick a reason for the hold."})
        if len(reason) > 200:
            raise ValidationError({"reason": "At most 200 characters."})
        job.held_from, job.hold_reason = job.status, reason
        _record(job, to=J.ON_HOLD, by=by, reason=reason, fields=["held_from", "hold_reason"])
        signals.job_held.send(sender=Job, job=job, by=by, reason=reason)
    elif action == "resume":
        target = job.held_from or J.RELEASED
        job.held_from, job.hold_reason = "", ""
        _record(job, to=target, by=by, reason=reason or "Resumed", fields=["held_from", "hold_reason"])
    elif action == "cancel":
        line_cancelled = (
            job.sales_order_line_id
            and SalesOrderLine.objects.filter(pk=job.sales_order_line_id, is_cancelled=True).exists()
        )
        if job.started_at and not line_cancelled:
            raise ValidationError(f"{job.number} has started; it cannot be cancelled.", code="conflict")
        if not reason:
            raise ValidationError({"reason": "Please give a reason."})
        # A started job stops here (its order line was cancelled): close the clocks still running on it.
        TimeEntry.objects.filter(operation__job=job, stopped_at__isnull=True).update(stopped_at=timezone.now())
        job.held_from, job.hold_reason = "", ""
        _record(job, to=J.CANCELLED, by=by, reason=reason, fields=["held_from", "hold_reason"])
    else:
        _record(job, to=spec["target"], by=by, reason=reason)
    return job


@transaction.atomic
def job_add_note(*, job: Job, text: str, by) -> JobNote:
    _require(by, "run_floor", "manage_jobs", "plan_jobs")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something first."})
    note = JobNote(job=job, text=text, by=by)
    note.full_clean()
    note.save()
    return note
