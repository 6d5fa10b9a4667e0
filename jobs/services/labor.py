"""Labor on a kiosk tablet: operators on operations (each with their own labor entry), their shift (attendance)
and the indirect time between jobs.

An operation runs while anyone is on it: the first operator on starts (or resumes) it, and with it its machine
time (the TimeEntry rows the lead's floor makes too); the last one off pauses it. Each operator's time on it is
their LaborEntry, priced at their labor rate in force when they joined.

Locks: the operator's profile first, then the house order (sales order, job, operations). Nothing locks a profile
after a job, so two operators acting on one operation, or one operator on two tablets, cannot deadlock.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from mto.db import atomic_with_retry

from ..models import Attendance, IndirectTime, KioskDevice, LaborEntry, Operation, OperatorProfile
from ..workflow import OPERATIONS_MOVE_IN, O
from .common import _require
from .operations import Locked, _act, _lock_operation, _pieces_available, _report


def _locked_operator(operator) -> OperatorProfile:
    """The operator's profile, locked (the first lock of every labor service)."""
    _require(operator, "operate")
    profile = (
        OperatorProfile.objects.select_for_update(of=("self",))
        .select_related("user", "labor_class")
        .filter(user=operator, user__is_active=True)
        .first()
    )
    if profile is None:
        raise ValidationError("Only an active operator can do this on a kiosk.", code="conflict")
    return profile


def _check_kiosk(kiosk: KioskDevice | None, op: Operation) -> None:
    if kiosk is not None and op.work_center_id != kiosk.work_center_id:
        raise ValidationError(f"Op {op.sequence} is not at this tablet's work center.", code="forbidden")


def _open_entry(operator) -> LaborEntry | None:
    return LaborEntry.objects.select_related("operation__job").filter(operator=operator, stopped_at=None).first()


def _clock_in_if_out(operator, now, kiosk) -> None:
    if not Attendance.objects.filter(operator=operator, clock_out=None).exists():
        Attendance.objects.create(operator=operator, clock_in=now, kiosk=kiosk)


def _stop_indirect(operator, now) -> None:
    IndirectTime.objects.filter(operator=operator, stopped_at=None).update(stopped_at=now)


def _name(user) -> str:
    return user.get_full_name() or user.username


@atomic_with_retry
def operator_join(*, operation: Operation, operator, kiosk: KioskDevice | None = None) -> LaborEntry:
    """The operator starts work on the operation: their labor entry opens; an operation not running starts or
    resumes (its machine time with it). Clocks the operator in if they were not, and ends their indirect time."""
    profile = _locked_operator(operator)
    open_entry = _open_entry(operator)
    locked = _lock_operation(operation.pk)
    job, op = locked.job, locked.operation
    _check_kiosk(kiosk, op)
    if open_entry is not None:
        where = "this operation" if open_entry.operation_id == op.pk else (
            f"op {open_entry.operation.sequence} of {open_entry.operation.job.number}")  # fmt: skip
        raise ValidationError(f"{_name(operator)} is on {where} already; stop there first.", code="conflict")
    if job.status not in OPERATIONS_MOVE_IN:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; its operations cannot move.")
    if op.status == O.DONE:
        raise ValidationError(f"Op {op.sequence} is finished.", code="conflict")
    now = timezone.now()
    if op.status == O.PENDING:
        _act(locked, "start", operator)
    elif op.status == O.PAUSED:
        _act(locked, "resume", operator)
    _clock_in_if_out(operator, now, kiosk)
    _stop_indirect(operator, now)
    labor_class = profile.labor_class.name if profile.labor_class_id else ""
    entry = LaborEntry(operation=op, operator=operator, started_at=now, hourly_rate=profile.labor_rate,
                       labor_class=labor_class, kiosk=kiosk)  # fmt: skip
    entry.full_clean()
    entry.save()
    return entry


def _leave(locked: Locked, operator, now) -> None:
    """Close the operator's entry on the locked operation; the last one off pauses it."""
    op = locked.operation
    LaborEntry.objects.filter(operation=op, operator=operator, stopped_at=None).update(stopped_at=now)
    others = LaborEntry.objects.filter(operation=op, stopped_at=None).exists()
    if not others and op.status == O.RUNNING:
        _act(locked, "pause", operator)


@atomic_with_retry
def operator_leave(*, operation: Operation, operator, kiosk: KioskDevice | None = None) -> Operation:
    """The operator stops work on the operation (their labor entry closes); the last one off pauses it."""
    _locked_operator(operator)
    locked = _lock_operation(operation.pk)
    _check_kiosk(kiosk, locked.operation)
    if not LaborEntry.objects.filter(operation=locked.operation, operator=operator, stopped_at=None).exists():
        raise ValidationError(f"{_name(operator)} is not on op {locked.operation.sequence}.", code="conflict")
    _leave(locked, operator, timezone.now())
    return locked.operation


def _require_on(locked: Locked, operator) -> LaborEntry:
    entry = LaborEntry.objects.filter(operation=locked.operation, operator=operator, stopped_at=None).first()
    if entry is None:
        raise ValidationError(
            f"{_name(operator)} is not on op {locked.operation.sequence}: tap Start first.", code="conflict"
        )
    return entry


def _credit(entry: LaborEntry, good: int, scrap: int) -> None:
    entry.good_qty += good
    entry.scrap_qty += scrap
    entry.save(update_fields=["good_qty", "scrap_qty"])


@atomic_with_retry
def operator_report_pieces(
    *, operation: Operation, operator, good: int, scrap: int = 0, scrap_reason: str = "",
    kiosk: KioskDevice | None = None, expected_version: int | None = None,
) -> Operation:  # fmt: skip
    """Pieces reported by an operator who is on the operation: the operation's counts (as on the lead's floor)
    and their own labor entry's."""
    from .operations import operation_report_pieces_checks

    operation_report_pieces_checks(good=good, scrap=scrap, scrap_reason=scrap_reason)
    _locked_operator(operator)
    locked = _lock_operation(operation.pk)
    _check_kiosk(kiosk, locked.operation)
    entry = _require_on(locked, operator)
    _report(locked, good, scrap, scrap_reason, operator, expected_version=expected_version)
    _credit(entry, good, scrap)
    return locked.operation


@atomic_with_retry
def operator_finish(
    *, operation: Operation, operator, kiosk: KioskDevice | None = None, expected_version: int | None = None,
    short: bool = False, report_rest: bool = False,
) -> tuple[Operation, int]:  # fmt: skip
    """An operator finishes the operation (everyone on it is off): short only when confirmed, or with the pieces
    still unreported reported good first (`report_rest`, credited to the operator if they are on it).
    Returns the operation and the pieces reported with the finish."""
    _locked_operator(operator)
    locked = _lock_operation(operation.pk)
    _check_kiosk(kiosk, locked.operation)
    rest = _pieces_available(locked) if report_rest else 0
    if rest:
        _report(locked, rest, 0, "", operator, expected_version=expected_version)
        expected_version = None  # checked by the report, which moved the version on
        entry = LaborEntry.objects.filter(operation=locked.operation, operator=operator, stopped_at=None).first()
        if entry:
            _credit(entry, rest, 0)
    _act(locked, "finish", operator, expected_version=expected_version, short=short)
    return locked.operation, rest


# --- the shift ---------------------------------------------------------------------------------------------


@atomic_with_retry
def operator_clock_in(*, operator, kiosk: KioskDevice | None = None) -> Attendance:
    _locked_operator(operator)
    if Attendance.objects.filter(operator=operator, clock_out=None).exists():
        raise ValidationError(f"{_name(operator)} is clocked in already.", code="conflict")
    return Attendance.objects.create(operator=operator, clock_in=timezone.now(), kiosk=kiosk)


@atomic_with_retry
def operator_clock_out(*, operator, kiosk: KioskDevice | None = None) -> Attendance:
    """End the shift: off the operation they were on (the last one off pauses it), indirect time ended."""
    _locked_operator(operator)
    attendance = Attendance.objects.select_for_update().filter(operator=operator, clock_out=None).first()
    if attendance is None:
        raise ValidationError(f"{_name(operator)} is not clocked in.", code="conflict")
    now = timezone.now()
    entry = _open_entry(operator)
    if entry is not None:
        _leave(_lock_operation(entry.operation_id), operator, now)
    _stop_indirect(operator, now)
    attendance.clock_out = now
    attendance.save(update_fields=["clock_out"])
    return attendance


@atomic_with_retry
def operator_indirect_start(*, operator, kind: str, kiosk: KioskDevice | None = None) -> IndirectTime:
    """Time on the clock for no job (a meeting, cleaning, training): only while clocked in and on no operation;
    a new kind ends the one before."""
    profile = _locked_operator(operator)
    if kind not in IndirectTime.Kind.values:
        raise ValidationError({"kind": "Pick what the time is for from the list."})
    if not Attendance.objects.filter(operator=operator, clock_out=None).exists():
        raise ValidationError(f"{_name(operator)} is not clocked in: clock in first.", code="conflict")
    entry = _open_entry(operator)
    if entry is not None:
        raise ValidationError(
            f"{_name(operator)} is on op {entry.operation.sequence} of {entry.operation.job.number}: "
            "stop there first.",
            code="conflict",
        )
    now = timezone.now()
    _stop_indirect(operator, now)
    return IndirectTime.objects.create(operator=operator, kind=kind, started_at=now, hourly_rate=profile.labor_rate)


@atomic_with_retry
def operator_indirect_stop(*, operator, kiosk: KioskDevice | None = None) -> None:
    _locked_operator(operator)
    if not IndirectTime.objects.filter(operator=operator, stopped_at=None).update(stopped_at=timezone.now()):
        raise ValidationError(f"{_name(operator)} has no indirect time running.", code="conflict")
