"""Operations on the floor (start, pause, finish, pieces) and the planner's routing edits."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, ProtectedError
from django.utils import timezone

from mto import reads
from mto.db import atomic_with_retry
from mto.transitions import User, transition
from sales.services import sales_order_mark_in_production

from .. import signals
from ..models import Job, LaborEntry, Operation, ScrapRecord, TimeEntry, WorkCenter
from ..workflow import (
    JOB,
    OPERATION,
    OPERATION_MOVES,
    OPERATIONS_MOVE_IN,
    REPORTING,
    SCRAP_REASONS,
    VENDOR_REJECT,
    J,
    O,
    reopen_refusal,
)
from .common import _check_version, _locked_job, _locked_job_of, _require
from .production import line_produced_refresh


@dataclass(frozen=True)
class Locked:
    job: Job
    operation: Operation
    operations: list[Operation]


# A floor action's reads by key, compiled once per process (mto.reads.CompiledQuery): the tablets' hot path.
_JOB_AND_ORDER_OF = reads.CompiledQuery(
    lambda pk: Operation.objects.filter(pk=pk).values_list("job_id", "job__sales_order_id")
)
# With their work centers (not locked): whether one is outside decides what the floor may do.
_OPERATIONS_LOCK = reads.CompiledQuery(
    lambda job_id: Operation.objects.select_for_update(of=("self",)).select_related("work_center")
    .filter(job_id=job_id).order_by("sequence")
)  # fmt: skip


def _lock_operation(operation_id: int) -> Locked:
    job_id, order_id = _JOB_AND_ORDER_OF.get(operation_id)
    job = _locked_job_of(job_id, order_id)
    operations = _OPERATIONS_LOCK.all(job.pk)
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
    """The operation stops running: its machine time stops, and every operator on it is off (labor time)."""
    TimeEntry.objects.filter(operation=operation, stopped_at__isnull=True).update(stopped_at=now)
    LaborEntry.objects.filter(operation=operation, stopped_at__isnull=True).update(stopped_at=now)


def _save_operation(operation: Operation, by: User, *fields: str) -> None:
    operation.version += 1
    operation.updated_by = by
    operation.save(update_fields=["version", "updated_by", *fields])


def _unreported(locked: Locked) -> str:
    """The refusal of a finish that leaves pieces unaccounted for ("" when every piece that reached it is)."""
    left = _pieces_available(locked)
    if not left:
        return ""
    return (
        f"{left} piece{'s' if left != 1 else ''} on op {locked.operation.sequence} {'are' if left != 1 else 'is'} "
        "not reported yet: report them, or confirm finishing short."
    )


@atomic_with_retry
def operation_act(
    *, operation: Operation, action: str, by: User, expected_version: int | None = None, short: bool = False,
    reason: str = "",
) -> Operation:  # fmt: skip
    """Start, pause, resume, finish or reopen an operation from a tablet.

    A finish that leaves pieces unreported (fewer good and scrap than reached the operation) needs `short`
    (the tablet asked and the operator confirmed). A reopen (why: `reason`) puts a finished operation back
    to paused; see workflow.reopen_refusal for who may when."""
    if action not in OPERATION_MOVES:
        raise ValidationError(f"Unknown action {action!r}.")
    # The lead's floor: an operator moves operations only through the labor services (on their kiosk).
    _require(by, *(c for c in OPERATION_MOVES[action].capabilities if c != "operate"))
    locked = _lock_operation(operation.pk)
    _act(locked, action, by, expected_version=expected_version, short=short, reason=reason)
    return locked.operation


def _act(locked: Locked, action: str, by: User, *, expected_version=None, short=False, reason="") -> None:
    job, op = locked.job, locked.operation
    _check_version(op, expected_version, f"Operation {op.sequence} of {job.number}")
    if job.status not in OPERATIONS_MOVE_IN:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its operations cannot move.")
    now = timezone.now()

    if _is_outside(op):
        raise ValidationError(
            f"Operation {op.sequence} is done by a vendor: purchasing ships its pieces out and receives them back.",
            code="conflict",
        )

    def prepare(op: Operation):
        if action == "start":
            _check_can_begin(locked)
        if action == "finish" and not short:
            refusal = _unreported(locked)
            if refusal:
                raise ValidationError(refusal, code="unreported")
        if action == "reopen":
            later = [o for o in locked.operations if o.sequence > op.sequence]
            refusal = reopen_refusal(op, job, later, by, now)
            if refusal:
                raise ValidationError(refusal, code="conflict")
            return  # a reopened operation is paused: no clock runs until it is resumed
        if action in ("start", "resume"):
            # The rate in force now prices this entry for good (a later rate change leaves its cost alone).
            TimeEntry.objects.create(operation=op, started_at=now, by=by, hourly_rate=op.work_center.hourly_rate)
        else:
            _close_entry(op, now)

    if action in ("start", "resume"):
        fields = {"started_at": op.started_at or now}
    elif action == "finish":
        fields = {"finished_at": now}
    elif action == "reopen":
        fields = {"finished_at": None}
    else:
        fields = None
    transition(OPERATION, op, action, by=by, reason=reason, fields=fields, prepare=prepare, locked=True)
    if action in ("start", "resume"):
        _job_started_by(locked, by, now)
    elif action == "finish":
        _job_done_if_last(locked, by, now)


def _is_outside(op: Operation) -> bool:
    return op.work_center.is_outside  # loaded with the locked operations


def _check_can_begin(locked: Locked) -> None:
    """What a first start (on the floor, or pieces shipped to a vendor) needs: pieces and material."""
    op = locked.operation
    previous = _previous(locked)
    if previous and previous.status != O.DONE and previous.good_qty == 0:
        raise ValidationError(
            f"Operation {previous.sequence} ({previous.description}) has passed no pieces on yet.", code="conflict"
        )
    if not op.material_ready:
        raise ValidationError(
            f"Operation {op.sequence} is waiting for material; it can start once the material is received.",
            code="conflict",
        )


def _job_started_by(locked: Locked, by: User, now) -> None:
    """A released job goes into production with its first operation started (and its order with it)."""
    job, op = locked.job, locked.operation
    if job.status == J.RELEASED:
        # The order was locked first (house order), so putting it in production cannot deadlock.
        transition(JOB, job, "start", by=by, reason=f"Operation {op.sequence} started", fields={"started_at": now},
                   locked=True)  # fmt: skip
        if job.sales_order_id:
            sales_order_mark_in_production(order=job.sales_order, by=by)


def _job_done_if_last(locked: Locked, by: User, now) -> None:
    if all(o.status == O.DONE for o in locked.operations):
        transition(JOB, locked.job, "complete", by=by, reason="Last operation finished",
                   fields={"completed_at": now}, locked=True)  # fmt: skip


@atomic_with_retry
def operation_report_pieces(
    *, operation: Operation, good: int, scrap: int = 0, scrap_reason: str = "", by: User,
    expected_version: int | None = None,
) -> Operation:  # fmt: skip
    """Add good and scrap pieces to a running or paused operation (and its open time entry)."""
    _require(by, "run_floor")
    operation_report_pieces_checks(good=good, scrap=scrap, scrap_reason=scrap_reason)
    locked = _lock_operation(operation.pk)
    _report(locked, good, scrap, scrap_reason, by, expected_version=expected_version)
    return locked.operation


def operation_report_pieces_checks(*, good, scrap, scrap_reason: str) -> None:
    """The checks of a piece report that need no row (the lead's and the kiosk's report share them)."""
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


def _report(locked: Locked, good: int, scrap: int, scrap_reason: str, by: User, *, expected_version=None) -> None:
    job, op = locked.job, locked.operation
    _check_version(op, expected_version, f"Operation {op.sequence} of {job.number}")
    if _is_outside(op):
        raise ValidationError(
            f"Operation {op.sequence} is done by a vendor: its pieces are reported as they come back.",
            code="conflict",
        )
    if op.status not in REPORTING:
        raise ValidationError(f"Operation {op.sequence} is {op.get_status_display().lower()}; start it first.")
    if job.status != J.IN_PROGRESS:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; no pieces can be reported.")
    available = _pieces_available(locked)
    if good + scrap > available:
        raise ValidationError(
            f"Only {available} more piece(s) can come off operation {op.sequence}; {good + scrap} reported.",
            code="too_many",
        )
    if good:
        _check_pieces_may_pass(op, good)
    _add_pieces(locked, good=good, scrap=scrap, scrap_reason=scrap_reason, by=by)
    _save_operation(op, by, "good_qty", "scrap_qty")
    return op


def _check_pieces_may_pass(op: Operation, good: int) -> None:
    """Higher apps may refuse good pieces passing on (signals.pieces_may_pass): quality, until it dispositions."""
    for _receiver, refusal in signals.pieces_may_pass.send(sender=Operation, operation=op, good=good):
        if refusal:
            raise ValidationError(str(refusal), code="conflict")


def _add_pieces(locked: Locked, *, good: int, scrap: int, scrap_reason: str, by: User) -> None:
    """Count pieces off the locked operation (the caller saves it): good ones pass on to the next operation,
    and off the last one they are the job's completed pieces; scrap is recorded with its reason."""
    job, op = locked.job, locked.operation
    op.good_qty += good
    op.scrap_qty += scrap
    # The open entry, if any (at most one: time_entry_one_open), counts them too.
    TimeEntry.objects.filter(operation=op, stopped_at__isnull=True).update(
        good_qty=F("good_qty") + good, scrap_qty=F("scrap_qty") + scrap
    )
    if scrap:
        ScrapRecord.objects.create(operation=op, quantity=scrap, reason=scrap_reason, by=by)
        signals.pieces_scrapped.send(sender=Operation, operation=op, job=job, quantity=scrap, reason=scrap_reason,
                                     by=by)  # fmt: skip
    if op.pk == locked.operations[-1].pk and good:
        job.quantity_completed += good
        job.version += 1
        job.save(update_fields=["quantity_completed", "version", "updated_at"])
        line_produced_refresh(line_id=job.sales_order_line_id)
        signals.job_pieces_completed.send(sender=Job, job=job, by=by, quantity=good)


# --- outside operations (called by purchasing, which owns the ship-outs and returns) ------------------------


def _locked_outside(operation_id: int) -> Locked:
    locked = _lock_operation(operation_id)
    if not _is_outside(locked.operation):
        raise ValidationError(f"Operation {locked.operation.sequence} is not done by a vendor.", code="conflict")
    return locked


def _whole_count(value, name: str, errors: dict) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors[name] = "Enter a whole number."
    elif value < 0:
        errors[name] = "Cannot be negative."


def operation_pieces_shippable(locked: Locked) -> int:
    """Pieces that reached an outside operation and are neither at the vendor nor back yet."""
    return max(_pieces_available(locked) - locked.operation.pieces_at_vendor, 0)


@atomic_with_retry
def operation_ship_out(*, operation: Operation, quantity: int, by: User) -> Locked:
    """Pieces leave for the vendor of an outside operation: the first shipment starts the operation (no labor
    time: the vendor's work is bought) and a released job with it, as a first start on the floor does.

    Locks the job and its operations (house order) and returns them locked, so the caller (purchasing) may go on
    to lock and write its own rows in the same transaction."""
    _require(by, "receive")
    errors: dict = {}
    _whole_count(quantity, "quantity", errors)
    if errors:
        raise ValidationError(errors)
    if quantity == 0:
        raise ValidationError({"quantity": "Ship at least one piece."})
    locked = _locked_outside(operation.pk)
    job, op = locked.job, locked.operation
    if job.status not in OPERATIONS_MOVE_IN:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; nothing can ship out for it.")
    if op.status == O.DONE:
        raise ValidationError(f"Operation {op.sequence} is done; every piece is back from the vendor.")
    if op.status == O.PENDING:
        _check_can_begin(locked)
    shippable = operation_pieces_shippable(locked)
    if quantity > shippable:
        raise ValidationError(
            {"quantity": f"Only {shippable} piece(s) of {job.number} are ready to ship out; {quantity} asked."}
        )
    now = timezone.now()
    op.pieces_at_vendor += quantity
    if op.status == O.PENDING:
        fields = {"started_at": now, "pieces_at_vendor": op.pieces_at_vendor}
        transition(OPERATION, op, "ship_out", by=by, fields=fields, locked=True)
    else:
        _save_operation(op, by, "pieces_at_vendor")
    _job_started_by(locked, by, now)
    return locked


@atomic_with_retry
def operation_receive_back(*, operation: Operation, good: int, rejected: int, by: User) -> Locked:
    """Pieces back from the vendor: good ones are reported like pieces off the floor (they pass on, and off the
    last operation they count as completed), rejected ones are scrap ("Vendor reject"). When every piece that
    reached the operation is back or rejected, the operation is done, and the job too if it was the last."""
    _require(by, "receive")
    errors: dict = {}
    _whole_count(good, "good", errors)
    _whole_count(rejected, "rejected", errors)
    if errors:
        raise ValidationError(errors)
    if good == 0 and rejected == 0:
        raise ValidationError({"good": "Receive at least one piece."})
    locked = _locked_outside(operation.pk)
    job, op = locked.job, locked.operation
    if job.status != J.IN_PROGRESS:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; no pieces can be received back.")
    if good + rejected > op.pieces_at_vendor:
        raise ValidationError(
            f"Only {op.pieces_at_vendor} piece(s) are at the vendor; {good + rejected} received back.",
            code="too_many",
        )
    op.pieces_at_vendor -= good + rejected
    _add_pieces(locked, good=good, scrap=rejected, scrap_reason=VENDOR_REJECT, by=by)
    previous = _previous(locked)
    all_reached = previous is None or previous.status == O.DONE
    if all_reached and op.pieces_at_vendor == 0 and _pieces_available(locked) == 0:
        now = timezone.now()
        transition(OPERATION, op, "back_from_vendor", by=by, locked=True,
                   fields={"finished_at": now, "good_qty": op.good_qty, "scrap_qty": op.scrap_qty,
                           "pieces_at_vendor": 0})  # fmt: skip
        _job_done_if_last(locked, by, now)
    else:
        _save_operation(op, by, "good_qty", "scrap_qty", "pieces_at_vendor")
    return locked


@atomic_with_retry
def operation_report_rest_and_finish(
    *, operation: Operation, by: User, expected_version: int | None = None
) -> tuple[Operation, int]:
    """The tablet's "report the remaining N and finish": the pieces still unaccounted for on the operation
    reported good, then the finish, in one transaction. Returns the operation and N."""
    _require(by, "run_floor")
    locked = _lock_operation(operation.pk)
    rest = _pieces_available(locked)
    if rest:
        _report(locked, rest, 0, "", by, expected_version=expected_version)
        expected_version = None  # checked by the report; the report itself moved the version on
    _act(locked, "finish", by, expected_version=expected_version)
    return locked.operation, rest


# --- routing (planner) ---------------------------------------------------------------------------------


def _editable_job(job_id: int) -> Job:
    job = _locked_job(job_id)
    if job.status in (J.COMPLETE, J.CANCELLED):
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its routing is closed.")
    return job


@atomic_with_retry
def operation_add(
    *, job: Job, work_center: WorkCenter, description: str, setup_hours: Decimal, run_hours_per_piece: Decimal,
    by: User,
) -> Operation:  # fmt: skip
    """The planner adds an operation at the end of a job's routing."""
    _require(by, "plan_jobs", "manage_jobs")
    return _operation_append(job, work_center, description, setup_hours, run_hours_per_piece, by)


@atomic_with_retry
def operation_add_rework(
    *, job: Job, work_center: WorkCenter, description: str, setup_hours: Decimal, run_hours_per_piece: Decimal,
    by: User,
) -> Operation:  # fmt: skip
    """A rework disposition's operation (quality's only way to the routing): an inspector may add this one
    without the right to plan jobs."""
    _require(by, "disposition_ncrs", "plan_jobs", "manage_jobs")
    return _operation_append(job, work_center, description, setup_hours, run_hours_per_piece, by)


def _operation_append(job, work_center, description, setup_hours, run_hours_per_piece, by) -> Operation:
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
    signals.operations_added.send(sender=Operation, operations=[operation], by=by)
    return operation


@atomic_with_retry
def operation_update(
    *, operation: Operation, work_center: WorkCenter, description: str, setup_hours: Decimal,
    run_hours_per_piece: Decimal, by: User,
) -> Operation:  # fmt: skip
    _require(by, "plan_jobs", "manage_jobs")
    _editable_job(operation.job_id)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if not op.is_editable:
        raise ValidationError("A finished operation cannot be changed.")
    op.work_center, op.description = work_center, description
    op.setup_hours, op.run_hours_per_piece = setup_hours, run_hours_per_piece
    op.full_clean()
    moved = op.work_center_id != Operation.objects.values_list("work_center_id", flat=True).get(pk=op.pk)
    _save_operation(op, by, "work_center", "description", "setup_hours", "run_hours_per_piece")
    if moved:
        signals.operations_added.send(sender=Operation, operations=[op], by=by)
    return op


@atomic_with_retry
def operation_remove(*, operation: Operation, by: User) -> None:
    _require(by, "plan_jobs", "manage_jobs")
    job = _editable_job(operation.job_id)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if not op.is_removable:
        raise ValidationError("Only an operation that has not started can be removed.")
    if Operation.objects.filter(job=job).count() == 1:
        raise ValidationError("A job needs at least one operation.")
    try:
        op.delete()
    except ProtectedError as exc:
        # Rows of higher apps point at it (material to buy, an outside operation, an NCR): jobs cannot know
        # them, the database refuses, and the planner gets the reason instead of a 500.
        kinds = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
        raise ValidationError(
            f"Operation {op.sequence} cannot be removed: {', '.join(kinds)} refer to it.", code="conflict"
        ) from None


def job_lock_for_material(*, job_id: int) -> list[Operation]:
    """Lock a job and its operations in the house order (its order, the job, its operations) for a higher
    app that will change material readiness and then its own rows (purchasing locks job-side rows first)."""
    job = _locked_job(job_id)
    return list(Operation.objects.select_for_update().filter(job=job).order_by("sequence"))


@atomic_with_retry
def operation_set_material_ready(*, operation: Operation, ready: bool, by: User) -> Operation:
    """Mark an operation's material received (ready) or still to come: purchasing's only way to change it
    (DESIGN: purchasing marks an operation's material received through a jobs service). Idempotent."""
    locked = _lock_operation(operation.pk)
    op = locked.operation
    if op.material_ready != bool(ready):
        op.material_ready = bool(ready)
        _save_operation(op, by if getattr(by, "pk", None) else None, "material_ready")
    return op
