"""The jobs of an order follow its approved change request."""

from django.core.exceptions import ValidationError

from mto.audit import audit_event
from mto.transitions import User, initial_status, record_first_status, transition
from sales.models import SalesOrder, SalesOrderLine

from .. import signals
from ..models import Job, JobNote, Operation
from ..workflow import JOB, J
from .creation import jobs_create_for_lines


def _job_change(job: Job, field: str, before, after, *, by: User, reason: str) -> None:
    audit_event(instance=job, field=field, before=before, after=after, by=by, label=job.number, reason=reason)


def _hold_for_change(job: Job, *, reason: str, by: User, why: str) -> bool:
    """Put an open job on hold with `reason` (a job already on hold keeps its hold and gets a note)."""
    if job.status == J.ON_HOLD:
        JobNote.objects.create(job=job, text=f"{reason}: {why}"[:2000], by=by)
        return False
    transition(JOB, job, "hold_for_change", by=by, reason=f"{reason}: {why}"[:200], locked=True,
               fields=lambda job: {"held_from": job.status, "hold_reason": reason})  # fmt: skip
    return True


def _additional_job(line: SalesOrderLine, jobs: list[Job], quantity: int, *, by: User, revision: int, why: str) -> Job:
    """More pieces for a line whose jobs are all complete: a new job with the routing of its last live job.

    `jobs` are all of the line's jobs (cancelled ones too, so the new number is not taken).
    """
    last = next((job for job in reversed(jobs) if job.status != J.CANCELLED), jobs[-1])
    job = Job(
        number=f"J-{line.order.number_digits}-{line.line_no:02d}-{len(jobs) + 1}",
        origin=Job.Origin.CHANGE,
        sales_order_id=line.order_id,
        sales_order_line=line,
        part_number=last.part_number,
        part_revision=line.item.revision if line.item_id else line.drawing_revision,
        description=line.part_description,
        is_custom=line.item_id is None,
        quantity=quantity,
        due_date=line.due_date,
        priority=last.priority,
        status=initial_status(JOB, "change"),
        order_revision=revision,
    )
    job.save()
    Operation.objects.bulk_create(
        Operation(job=job, sequence=op.sequence, work_center_id=op.work_center_id, description=op.description,
                  setup_hours=op.setup_hours, run_hours_per_piece=op.run_hours_per_piece)
        for op in Operation.objects.filter(job=last).order_by("sequence")
    )  # fmt: skip
    record_first_status(JOB, job, by=by, reason=f"More pieces for {line}: {why}"[:200])
    return job


def _follow_quantity(line: SalesOrderLine, jobs: list[Job], *, by: User, revision: int, why: str) -> list[Job]:
    """Make the line's jobs plan for its new quantity; returns the jobs made or changed.

    Open jobs plan their quantity, complete ones count what they produced. More pieces go on the newest
    open job, or on an additional job when all are complete; fewer come off open jobs, newest first, never
    below what a job has produced (a job with no work done is cancelled when it is no longer needed).
    """
    if not jobs:  # not expected for an approved order's line; make its job as approval would
        return jobs_create_for_lines(order=line.order, lines=[line], by=by, reason=f"Made by an order change: {why}")
    live = [job for job in jobs if job.status != J.CANCELLED]
    produced = sum(job.quantity_completed for job in live)
    if line.quantity < produced:
        raise ValidationError(
            f"Line {line.line_no}: {produced} pieces are already produced; the quantity cannot go below {produced}.",
            code="conflict",
        )
    open_jobs = [job for job in live if job.is_open]
    planned = sum(job.quantity for job in open_jobs) + sum(job.quantity_completed for job in live if not job.is_open)
    missing = line.quantity - planned
    touched = []
    if missing > 0 and open_jobs:
        job = open_jobs[-1]
        _job_change(job, "quantity", job.quantity, job.quantity + missing, by=by, reason=why)
        job.quantity += missing
        touched.append(job)
    elif missing > 0:
        touched.append(_additional_job(line, jobs, missing, by=by, revision=revision, why=why))
    surplus = -missing
    for job in reversed(open_jobs):
        if surplus <= 0:
            break
        if job.started_at is None and job.quantity <= surplus:
            surplus -= job.quantity
            why_cancelled = f"Quantity lowered by an order change: {why}"[:200]
            transition(JOB, job, "cancel_with_order", by=by, reason=why_cancelled, locked=True)
            touched.append(job)
            continue
        take = min(surplus, job.quantity - max(job.quantity_completed, 1))
        if take > 0:
            _job_change(job, "quantity", job.quantity, job.quantity - take, by=by, reason=why)
            job.quantity -= take
            surplus -= take
            touched.append(job)
    if surplus > 0 and open_jobs:
        least = line.quantity + surplus
        raise ValidationError(
            f"Line {line.line_no}: work on {', '.join(j.number for j in open_jobs)} has gone too far to lower the "
            f"quantity to {line.quantity}; {least} is the least it can be now.",
            code="conflict",
        )
    return touched


def jobs_follow_order_change(*, order: SalesOrder, items, by: User) -> list[Job]:
    """The jobs of an order follow its approved change request; runs inside the approval transaction.

    Locks the jobs of the changed lines and their operations (the house order: order and lines were
    locked by the sales service). Raises ValidationError to refuse the whole change.
    """
    kinds = {item.line_id: [] for item in items if item.line_id}
    for item in items:
        if item.line_id:
            kinds[item.line_id].append(item)
    added = [item.line for item in items if item.kind == "add_line"]
    existing = [line_id for line_id in kinds if line_id not in {line.pk for line in added}]
    jobs = list(Job.objects.select_for_update().filter(sales_order_line_id__in=existing).order_by("id"))
    list(Operation.objects.select_for_update().filter(job__in=jobs).values_list("pk", flat=True))
    by_line: dict[int, list[Job]] = {}
    for job in jobs:
        by_line.setdefault(job.sales_order_line_id, []).append(job)
    touched: dict[int, Job] = {}
    for line_id in existing:
        line_jobs = by_line.get(line_id, [])
        for item in kinds[line_id]:
            line, why = item.line, item.reason
            open_jobs = [job for job in line_jobs if job.is_open]
            if item.kind == "quantity":
                changed = _follow_quantity(line, line_jobs, by=by, revision=order.revision, why=why)
                line_jobs += [job for job in changed if job not in line_jobs]
            elif item.kind == "due_date":
                changed = open_jobs
                for job in open_jobs:
                    _job_change(job, "due_date", job.due_date, line.due_date, by=by, reason=why)
                    job.due_date = line.due_date
            elif item.kind == "revision":
                changed = open_jobs
                for job in open_jobs:
                    _job_change(job, "part_revision", job.part_revision, item.drawing_revision, by=by, reason=why)
                    job.part_revision = item.drawing_revision
                    if job.started_at:
                        _hold_for_change(job, reason="Revision changed", by=by, why=why)
            elif item.kind == "cancel_line":
                changed = open_jobs
                for job in open_jobs:
                    if job.started_at is None:
                        transition(
                            JOB,
                            job,
                            "cancel_with_order",
                            by=by,
                            reason=f"Order line cancelled: {why}"[:200],
                            locked=True,
                        )
                    else:
                        _hold_for_change(job, reason="Line cancelled: manager to decide", by=by, why=why)
            else:
                changed = []
            touched.update({job.pk: job for job in changed})
    for job in touched.values():
        job.order_revision = order.revision
        job.version += 1
        job.save(update_fields=["quantity", "due_date", "part_revision", "order_revision", "version", "updated_at"])
    made = []
    if added:
        made = jobs_create_for_lines(order=order, lines=added, by=by, reason=f"Line added by change {order.revision}")
    changed = [*touched.values(), *made]
    signals.jobs_changed.send(sender=Job, order=order, items=items, jobs=changed, by=by)
    return changed
