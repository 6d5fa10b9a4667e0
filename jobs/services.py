"""Every write of the jobs app: job creation from approved orders, job and operation lifecycles, pieces.

Locks are taken in the house order: sales order, its lines, jobs, operations.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mto.audit import audit_changes, audit_event
from mto.db import atomic_with_retry
from mto.services import document_number_next
from sales.models import SalesOrder, SalesOrderLine
from sales.services import sales_order_mark_in_production

from . import signals
from .models import Job, JobNote, JobStatusChange, Operation, RoutingStep, ScrapRecord, TimeEntry, WorkCenter
from .workflow import JOB_ACTIONS, JOB_SYSTEM_MOVES, OPERATION_MOVES, SCRAP_REASONS, J, O

ENGINEERING = ("ENG", "Engineering", Decimal("85.00"))


def _require(user, *capabilities: str):
    if not any(user.has_perm(f"mto.{c}") for c in capabilities):
        raise PermissionDenied("Your role does not allow this.")


def _record(job: Job, *, to: str, by, reason: str = "", fields=()) -> None:
    from_status = job.status
    job.status = to
    job.version += 1
    job.save(update_fields=["status", "version", "updated_at", *fields])
    JobStatusChange.objects.create(job=job, from_status=from_status, to_status=to, changed_by=by, reason=reason)


# --- creation -------------------------------------------------------------------------------------------


def _engineering_center() -> WorkCenter:
    code, name, rate = ENGINEERING
    center, _ = WorkCenter.objects.get_or_create(code=code, defaults={"name": name, "hourly_rate": rate})
    return center


def jobs_create_for_order(*, order: SalesOrder, by) -> list[Job]:
    """One released job per order line, with its routing; runs inside the approval transaction.

    Idempotent: an order that already has its jobs gets none more (and the unique constraint on the job's
    order line refuses a second set even if two approvals raced past this check).
    """
    lines = list(
        SalesOrderLine.objects.filter(order=order, is_cancelled=False).select_related("item").order_by("line_no")
    )
    if Job.objects.filter(sales_order_line__in=lines, origin=Job.Origin.ORDER).exists():
        return []
    return jobs_create_for_lines(order=order, lines=lines, by=by, reason=f"Created from {order.number} on approval")


def jobs_create_for_lines(*, order: SalesOrder, lines: list[SalesOrderLine], by, reason: str) -> list[Job]:
    """The original job of each line, released with the item's routing (bulk inserts, a fixed query count).

    Approval makes them for every line; an approved change request for the lines it adds.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("jobs must be made inside the transaction of the approval")
    now = timezone.now()
    jobs = [
        Job(
            number=f"J-{order.number_digits}-{line.line_no:02d}",
            origin=Job.Origin.ORDER,
            sales_order=order,
            sales_order_line=line,
            part_number=line.item.part_number if line.item_id else line.drawing_number,
            part_revision=line.item.revision if line.item_id else line.drawing_revision,
            description=line.part_description,
            is_custom=line.item_id is None,
            quantity=line.quantity,
            due_date=line.due_date,
            status=J.RELEASED,
            order_revision=order.revision,
        )
        for line in lines
    ]
    Job.objects.bulk_create(jobs)
    steps: dict[int, list[RoutingStep]] = {}
    for step in RoutingStep.objects.filter(item_id__in={line.item_id for line in lines if line.item_id}).order_by(
        "item_id", "sequence"
    ):
        steps.setdefault(step.item_id, []).append(step)
    engineering = None
    operations = []
    for job, line in zip(jobs, lines, strict=True):
        routing = steps.get(line.item_id) if line.item_id else None
        if routing:
            operations += [
                Operation(
                    job=job,
                    sequence=step.sequence,
                    work_center_id=step.work_center_id,
                    description=step.description,
                    setup_hours=step.setup_hours,
                    run_hours_per_piece=step.run_hours_per_piece,
                )
                for step in routing
            ]
        else:
            # A custom part (or an item without a routing) starts with an engineering review; the planner
            # then adds the operations.
            engineering = engineering or _engineering_center()
            operations.append(
                Operation(
                    job=job,
                    sequence=10,
                    work_center=engineering,
                    description="Engineering review of the customer's drawing; planner adds the routing",
                    setup_hours=Decimal("0.5"),
                    run_hours_per_piece=Decimal("0"),
                )
            )
    Operation.objects.bulk_create(operations)
    JobStatusChange.objects.bulk_create(
        JobStatusChange(job=job, from_status="", to_status=J.RELEASED, changed_by=by, changed_at=now, reason=reason)
        for job in jobs
    )
    signals.jobs_created.send(sender=Job, order=order, jobs=jobs, by=by)
    return jobs


@atomic_with_retry
def job_create_manual(
    *, origin: str, part_number: str, description: str, quantity: int, due_date: date, by, priority: int = 3,
    part_revision: str = "",
) -> Job:  # fmt: skip
    """A job made by hand (rework, stock, samples): its own number series, planned until released."""
    _require(by, "manage_jobs", "plan_jobs")
    if origin == Job.Origin.ORDER:
        raise ValidationError({"origin": "Jobs for order lines are made by approving the order."})
    job = Job(
        number="JM-000000",
        origin=origin,
        part_number=part_number,
        part_revision=part_revision,
        description=description,
        quantity=quantity,
        due_date=due_date,
        priority=priority,
    )
    job.full_clean(exclude=["number"])
    job.number = f"JM-{document_number_next(sequence='JM'):06d}"
    job.save()
    JobStatusChange.objects.create(job=job, from_status="", to_status=J.PLANNED, changed_by=by, reason="Made by hand")
    return job


def jobs_cancel_for_order(*, order: SalesOrder, by, reason: str) -> int:
    """The order was cancelled (before work started): cancel its jobs, in the cancelling transaction."""
    jobs = list(
        Job.objects.select_for_update().filter(sales_order=order).exclude(status__in=[J.COMPLETE, J.CANCELLED])
    )
    for job in jobs:
        if job.started_at:
            raise ValidationError(f"{job.number} has started; the order cannot be cancelled.", code="conflict")
        _record(job, to=J.CANCELLED, by=by, reason=f"Order cancelled: {reason}")
    return len(jobs)


# --- order changes ---------------------------------------------------------------------------------


def _job_change(job: Job, field: str, before, after, *, by, reason: str) -> None:
    audit_event(instance=job, field=field, before=before, after=after, by=by, label=job.number, reason=reason)


def _hold_for_change(job: Job, *, reason: str, by, why: str) -> bool:
    """Put an open job on hold with `reason` (a job already on hold keeps its hold and gets a note)."""
    if job.status == J.ON_HOLD:
        JobNote.objects.create(job=job, text=f"{reason}: {why}"[:2000], by=by)
        return False
    job.held_from, job.hold_reason = job.status, reason
    _record(job, to=J.ON_HOLD, by=by, reason=f"{reason}: {why}"[:200], fields=["held_from", "hold_reason"])
    signals.job_held.send(sender=Job, job=job, by=by, reason=reason)
    return True


def _additional_job(line: SalesOrderLine, jobs: list[Job], quantity: int, *, by, revision: int, why: str) -> Job:
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
        status=J.RELEASED,
        order_revision=revision,
    )
    job.save()
    Operation.objects.bulk_create(
        Operation(job=job, sequence=op.sequence, work_center_id=op.work_center_id, description=op.description,
                  setup_hours=op.setup_hours, run_hours_per_piece=op.run_hours_per_piece)
        for op in Operation.objects.filter(job=last).order_by("sequence")
    )  # fmt: skip
    JobStatusChange.objects.create(
        job=job, from_status="", to_status=J.RELEASED, changed_by=by, reason=f"More pieces for {line}: {why}"[:200]
    )
    return job


def _follow_quantity(line: SalesOrderLine, jobs: list[Job], *, by, revision: int, why: str) -> list[Job]:
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
            _record(job, to=J.CANCELLED, by=by, reason=f"Quantity lowered by an order change: {why}"[:200])
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


def jobs_follow_order_change(*, order: SalesOrder, items, by) -> list[Job]:
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
                        _record(job, to=J.CANCELLED, by=by, reason=f"Order line cancelled: {why}"[:200])
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


# --- job actions ---------------------------------------------------------------------------------------


def _locked_job(job_id: int) -> Job:
    return Job.objects.select_for_update().get(pk=job_id)


def _check_version(obj, expected: int | None, what: str):
    if expected is not None and int(expected) != obj.version:
        who = getattr(getattr(obj, "updated_by", None), "get_full_name", lambda: "")() or "someone else"
        raise ValidationError(f"{what} was changed by {who} meanwhile; reload and try again.", code="stale")


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


# --- operations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Locked:
    job: Job
    operation: Operation
    operations: list[Operation]


def _lock_operation(operation_id: int) -> Locked:
    job_id = Operation.objects.values_list("job_id", flat=True).get(pk=operation_id)
    job = _locked_job(job_id)
    operations = list(Operation.objects.select_for_update().filter(job=job).order_by("sequence"))
    operation = next(op for op in operations if op.pk == operation_id)
    return Locked(job, operation, operations)


def _previous(locked: Locked) -> Operation | None:
    earlier = [op for op in locked.operations if op.sequence < locked.operation.sequence]
    return earlier[-1] if earlier else None


def _pieces_available(locked: Locked) -> int:
    """Pieces this operation may still account for: what reached it, less what it reported."""
    previous = _previous(locked)
    # Capped by the job's quantity too: an order change may have lowered it below what earlier operations made.
    reached = locked.job.quantity if previous is None else min(previous.good_qty, locked.job.quantity)
    return max(reached - locked.operation.good_qty - locked.operation.scrap_qty, 0)


def _close_entry(operation: Operation, now) -> None:
    TimeEntry.objects.filter(operation=operation, stopped_at__isnull=True).update(stopped_at=now)


def _save_operation(operation: Operation, by, *fields: str) -> None:
    operation.version += 1
    operation.updated_by = by
    operation.save(update_fields=["version", "updated_by", *fields])


@atomic_with_retry
def operation_act(*, operation: Operation, action: str, by, expected_version: int | None = None) -> Operation:
    """Start, pause, resume or finish an operation from a tablet."""
    _require(by, "run_floor")
    if action not in OPERATION_MOVES:
        raise ValidationError(f"Unknown action {action!r}.")
    sources, target = OPERATION_MOVES[action]
    locked = _lock_operation(operation.pk)
    job, op = locked.job, locked.operation
    _check_version(op, expected_version, f"Operation {op.sequence} of {job.number}")
    if job.status in (J.ON_HOLD, J.CANCELLED, J.COMPLETE, J.PLANNED):
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its operations cannot move.")
    if op.status not in sources:
        raise ValidationError(
            f"Cannot {action} operation {op.sequence}: it is {op.get_status_display().lower()}.", code="conflict"
        )
    now = timezone.now()
    if action in ("start", "resume"):
        previous = _previous(locked)
        if action == "start" and previous and previous.status != O.DONE and previous.good_qty == 0:
            raise ValidationError(
                f"Operation {previous.sequence} ({previous.description}) has passed no pieces on yet.", code="conflict"
            )
        TimeEntry.objects.create(operation=op, started_at=now, by=by)
        op.status = target
        op.started_at = op.started_at or now
        _save_operation(op, by, "status", "started_at")
        if job.status == J.RELEASED:
            job.started_at = now
            _record(job, to=J.IN_PROGRESS, by=by, reason=f"Operation {op.sequence} started", fields=["started_at"])
            if job.sales_order_id:
                sales_order_mark_in_production(order=job.sales_order, by=by)
    elif action == "pause":
        _close_entry(op, now)
        op.status = target
        _save_operation(op, by, "status")
    else:  # finish
        _close_entry(op, now)
        op.status = target
        op.finished_at = now
        _save_operation(op, by, "status", "finished_at")
        if all(o.status == O.DONE for o in locked.operations):
            if J.COMPLETE not in JOB_SYSTEM_MOVES.get(job.status, ()):
                raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; it cannot complete.")
            job.completed_at = now
            _record(job, to=J.COMPLETE, by=by, reason="Last operation finished", fields=["completed_at"])
            late = timezone.localdate() > job.due_date
            signals.job_completed.send(sender=Job, job=job, by=by, late=late)
    return op


@atomic_with_retry
def operation_report_pieces(
    *, operation: Operation, good: int, scrap: int = 0, scrap_reason: str = "", by,
    expected_version: int | None = None,
) -> Operation:  # fmt: skip
    """Add good and scrap pieces to a running or paused operation (and its open time entry)."""
    _require(by, "run_floor")
    errors = {}
    for name, value in (("good", good), ("scrap", scrap)):
        if not isinstance(value, int) or isinstance(value, bool):
            errors[name] = "Enter a whole number."
        elif value < 0:
            errors[name] = "Cannot be negative."
    if errors:
        raise ValidationError(errors)
    if good == 0 and scrap == 0:
        raise ValidationError({"good": "Report at least one piece."})
    if scrap and scrap_reason not in SCRAP_REASONS:
        raise ValidationError({"scrap_reason": "Pick the reason for the scrap from the list."})
    locked = _lock_operation(operation.pk)
    job, op = locked.job, locked.operation
    _check_version(op, expected_version, f"Operation {op.sequence} of {job.number}")
    if op.status not in (O.RUNNING, O.PAUSED):
        raise ValidationError(f"Operation {op.sequence} is {op.get_status_display().lower()}; start it first.")
    if job.status != J.IN_PROGRESS:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; no pieces can be reported.")
    available = _pieces_available(locked)
    if good + scrap > available:
        raise ValidationError(
            f"Only {available} more piece(s) can come off operation {op.sequence}; {good + scrap} reported.",
            code="too_many",
        )
    op.good_qty += good
    op.scrap_qty += scrap
    _save_operation(op, by, "good_qty", "scrap_qty")
    entry = TimeEntry.objects.filter(operation=op, stopped_at__isnull=True).first()
    if entry:
        entry.good_qty += good
        entry.scrap_qty += scrap
        entry.save(update_fields=["good_qty", "scrap_qty"])
    if scrap:
        ScrapRecord.objects.create(operation=op, quantity=scrap, reason=scrap_reason, by=by)
    if op.pk == locked.operations[-1].pk and good:
        job.quantity_completed += good
        job.version += 1
        job.save(update_fields=["quantity_completed", "version", "updated_at"])
        signals.job_pieces_completed.send(sender=Job, job=job, by=by, quantity=good)
    return op


# --- work centers (managers) -----------------------------------------------------------------------


@atomic_with_retry
def work_center_save(*, by, work_center: WorkCenter | None = None, leads=None, **fields) -> WorkCenter:
    """Create or edit a work center and who leads it; a changed hourly rate goes into the audit trail."""
    _require(by, "manage_jobs")
    center = WorkCenter.objects.select_for_update().get(pk=work_center.pk) if work_center else WorkCenter()
    before = {"hourly_rate": center.hourly_rate}
    for name in ("code", "name", "hourly_rate", "is_active"):
        if name in fields:
            setattr(center, name, fields[name])
    center.full_clean()
    center.save()
    if leads is not None:
        center.leads.set(leads)
    if work_center:
        audit_changes(
            instance=center, before=before, fields=["hourly_rate"], by=by, label=f"Work center {center.code}"
        )
    return center


# --- routing (planner) ---------------------------------------------------------------------------------


def _editable_job(job_id: int) -> Job:
    job = _locked_job(job_id)
    if job.status in (J.COMPLETE, J.CANCELLED):
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its routing is closed.")
    return job


@atomic_with_retry
def operation_add(
    *, job: Job, work_center: WorkCenter, description: str, setup_hours: Decimal, run_hours_per_piece: Decimal, by,
) -> Operation:  # fmt: skip
    _require(by, "plan_jobs", "manage_jobs")
    job = _editable_job(job.pk)
    last = Operation.objects.filter(job=job).order_by("-sequence").values_list("sequence", flat=True).first() or 0
    operation = Operation(
        job=job,
        sequence=last + 10,
        work_center=work_center,
        description=description,
        setup_hours=setup_hours,
        run_hours_per_piece=run_hours_per_piece,
        updated_by=by,
    )
    operation.full_clean()
    operation.save()
    return operation


@atomic_with_retry
def operation_update(
    *, operation: Operation, work_center: WorkCenter, description: str, setup_hours: Decimal,
    run_hours_per_piece: Decimal, by,
) -> Operation:  # fmt: skip
    _require(by, "plan_jobs", "manage_jobs")
    _editable_job(operation.job_id)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if op.status == O.DONE:
        raise ValidationError("A finished operation cannot be changed.")
    op.work_center, op.description = work_center, description
    op.setup_hours, op.run_hours_per_piece = setup_hours, run_hours_per_piece
    op.full_clean()
    _save_operation(op, by, "work_center", "description", "setup_hours", "run_hours_per_piece")
    return op


@atomic_with_retry
def operation_remove(*, operation: Operation, by) -> None:
    _require(by, "plan_jobs", "manage_jobs")
    job = _editable_job(operation.job_id)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if op.status != O.PENDING:
        raise ValidationError("Only an operation that has not started can be removed.")
    if Operation.objects.filter(job=job).count() == 1:
        raise ValidationError("A job needs at least one operation.")
    op.delete()
