"""The moves people make on a job: release, hold, resume, cancel; and notes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mto.db import atomic_with_retry
from mto.transitions import User, transition
from sales.models import SalesOrderLine

from ..models import Job, JobNote, LaborEntry, TimeEntry
from ..workflow import JOB, JOB_ACTIONS, J
from .common import _check_version, _require


@atomic_with_retry
def job_act(*, job: Job, action: str, by: User, reason: str = "", expected_version: int | None = None) -> Job:
    """Release, hold, resume or cancel a job (the moves people make)."""
    if action not in JOB_ACTIONS:
        raise ValidationError(f"Unknown action {action!r}.")
    reason = (reason or "").strip()

    def prepare(locked: Job):
        _check_version(locked, expected_version, locked.number)
        if action == "hold" and len(reason) > 200:
            raise ValidationError({"reason": "At most 200 characters."})
        if action == "cancel":
            line_cancelled = (
                locked.sales_order_line_id
                and SalesOrderLine.objects.filter(pk=locked.sales_order_line_id, is_cancelled=True).exists()
            )
            if locked.started_at and not line_cancelled:
                raise ValidationError(f"{locked.number} has started; it cannot be cancelled.", code="conflict")
            # A started job stops here (its order line was cancelled): close the clocks still running on it.
            now = timezone.now()
            TimeEntry.objects.filter(operation__job=locked, stopped_at__isnull=True).update(stopped_at=now)
            LaborEntry.objects.filter(operation__job=locked, stopped_at__isnull=True).update(stopped_at=now)

    if action == "hold":
        fields = lambda locked: {"held_from": locked.status, "hold_reason": reason}  # noqa: E731
    elif action in ("resume", "cancel"):
        fields = {"held_from": "", "hold_reason": ""}
    else:
        fields = None
    if action == "resume":
        reason = reason or "Resumed"
    # A resumed job goes back to where the hold found it.
    target = (lambda locked: locked.held_from or J.RELEASED) if action == "resume" else None
    return transition(JOB, job, action, by=by, reason=reason, target=target, fields=fields, prepare=prepare)


@transaction.atomic
def job_add_note(*, job: Job, text: str, by: User) -> JobNote:
    _require(by, "run_floor", "manage_jobs", "plan_jobs", "operate")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something first."})
    note = JobNote(job=job, text=text, by=by)
    note.full_clean()
    note.save()
    return note
