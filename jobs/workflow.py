"""Job and operation lifecycles of DESIGN.md, declared for mto.transitions."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from mto.transitions import Lifecycle, Transition, available_transitions

from . import signals
from .models import Job, JobStatusChange, Operation, OperationStatusChange

J = Job.Status
O = Operation.Status  # noqa: E741

OPEN = (J.PLANNED, J.RELEASED, J.IN_PROGRESS, J.ON_HOLD)

# Job moves people make, with the capability each needs.
JOB_ACTIONS = {
    t.name: t
    for t in [
        Transition("release", "Release", (J.PLANNED,), J.RELEASED, "manage_jobs", done="Released {what}"),
        Transition(
            "hold",
            "Put on hold",
            (J.PLANNED, J.RELEASED, J.IN_PROGRESS),
            J.ON_HOLD,
            ("run_floor", "manage_jobs"),
            needs_reason=True,
            button="warning",
            reason_prompt="Pick a reason for the hold.",
            done="Put {what} on hold",
        ),  # fmt: skip
        # Back to where the hold found the job (the service names the target).
        Transition("resume", "Resume", (J.ON_HOLD,), None, ("run_floor", "manage_jobs"), done="Resumed {what}"),
        Transition(
            "cancel",
            "Cancel job",
            (J.PLANNED, J.RELEASED, J.ON_HOLD),
            J.CANCELLED,
            "manage_jobs",
            needs_reason=True,
            button="outline-danger",
            done="Cancelled {what}",
        ),  # fmt: skip
    ]
}

# Moves only services make: the first operation started, the last one finished, an order change or an
# order cancel reaching the job.
JOB_SYSTEM_MOVES = {
    t.name: t
    for t in [
        Transition("start", "Start", (J.RELEASED,), J.IN_PROGRESS, None),
        Transition("complete", "Complete", (J.IN_PROGRESS,), J.COMPLETE, None),
        Transition(
            "hold_for_change", "Hold for an order change", (J.PLANNED, J.RELEASED, J.IN_PROGRESS), J.ON_HOLD, None
        ),  # fmt: skip
        Transition("cancel_with_order", "Cancel with the order", OPEN, J.CANCELLED, None),
    ]
}

FLOOR = ("run_floor", "operate")  # a lead on the floor board, an operator on a kiosk

OPERATION_MOVES = {
    t.name: t
    for t in [
        # Operators make these moves on a kiosk through the labor services (jobs.services.labor): the first one on
        # starts or resumes, the last one off pauses, anyone finishes.
        Transition("start", "Start", (O.PENDING,), O.RUNNING, FLOOR, button="success", icon="play-fill"),
        Transition("resume", "Resume", (O.PAUSED,), O.RUNNING, FLOOR, button="success", icon="play-fill"),
        Transition("pause", "Pause", (O.RUNNING,), O.PAUSED, FLOOR, button="warning", icon="pause-fill"),
        Transition("finish", "Finish", (O.RUNNING, O.PAUSED), O.DONE, FLOOR, button="dark", icon="check2-circle"),
        # A finished operation back to paused, to report what was missed: a lead for a few minutes after the
        # finish, a manager until the job completes (reopen_refusal); the history row keeps why.
        Transition(
            "reopen",
            "Reopen",
            (O.DONE,),
            O.PAUSED,
            ("run_floor", "manage_jobs"),
            needs_reason=True,
            button="outline-secondary",
            icon="arrow-counterclockwise",
            reason_prompt="Say why the operation is reopened.",
        ),  # fmt: skip
    ]
}
# An outside operation moves only by what purchasing does (jobs services it calls): the first pieces shipped
# to the vendor start it, the last ones back finish it. No floor button offers these.
OUTSIDE_MOVES = {
    t.name: t
    for t in [
        Transition("ship_out", "Ship out", (O.PENDING,), O.RUNNING, None),
        Transition("back_from_vendor", "Back from the vendor", (O.RUNNING, O.PAUSED), O.DONE, None),
    ]
}
# Operations move only while their job is released or in progress.
OPERATIONS_MOVE_IN = (J.RELEASED, J.IN_PROGRESS)
# Pieces are reported on a running or paused operation of a job in progress (no status move of its own).
REPORTING = (O.RUNNING, O.PAUSED)


def _lock_job(job: Job) -> Job:
    from .services.common import _locked_job  # the house-order lock lives with the services

    return _locked_job(job.pk)


def _record_job(job, *, from_status, to_status, by, reason):
    JobStatusChange.objects.create(job=job, from_status=from_status, to_status=to_status, changed_by=by, reason=reason)
    if to_status == J.CANCELLED and job.quantity_completed:
        # A cancelled job's good pieces no longer count for its order line (every cancel passes here).
        from .services.production import line_produced_refresh

        line_produced_refresh(line_id=job.sales_order_line_id)


def _notify_job(job, transition, *, from_status, by, reason):
    if transition.name in ("hold", "hold_for_change"):
        signals.job_held.send(sender=Job, job=job, by=by, reason=job.hold_reason)
    elif transition.name == "complete":
        signals.job_completed.send(sender=Job, job=job, by=by, late=timezone.localdate() > job.due_date)
    signals.job_moved.send(sender=Job, job=job, from_status=from_status, to_status=job.status, by=by)


def _touch_job(job, by):
    job.version += 1
    return ("version", "updated_at")


def _touch_operation(operation, by):
    operation.version += 1
    operation.updated_by = by
    return ("version", "updated_by")


JOB = Lifecycle(
    model=Job,
    transitions=(*JOB_ACTIONS.values(), *JOB_SYSTEM_MOVES.values()),
    initial={"order": J.RELEASED, "change": J.RELEASED, "remake": J.RELEASED, "manual": J.PLANNED},
    lock=_lock_job,
    record=_record_job,
    notify=_notify_job,
    touch=_touch_job,
    describe=lambda job: job.number,
)


def _record_operation(operation, *, from_status, to_status, by, reason):
    OperationStatusChange.objects.create(
        operation=operation, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


# Operations are locked by the floor services with their job (house order), so `lock` is only a fallback;
# their time entries are their hours, their status changes who moved them when (and why, for a reopen).
OPERATION = Lifecycle(
    model=Operation,
    transitions=(*OPERATION_MOVES.values(), *OUTSIDE_MOVES.values()),
    lock=lambda op: Operation.objects.select_for_update().get(pk=op.pk),
    record=_record_operation,
    touch=_touch_operation,
    describe=lambda op: f"operation {op.sequence}",
)

HOLD_REASONS = [
    "Waiting for material",
    "Waiting for tooling",
    "Machine down",
    "Quality problem",
    "Drawing question",
    "Customer request",
    "Revision changed",
    "Other",
]
SCRAP_REASONS = [
    "Dimension out of tolerance",
    "Surface damage",
    "Wrong material",
    "Setup piece",
    "Machine fault",
    "Operator error",
    "Other",
]
# Pieces a vendor sent back as bad (the receive-back service scraps them with this reason; not a floor choice).
VENDOR_REJECT = "Vendor reject"
SCRAP_REASONS_ALL = [*SCRAP_REASONS, VENDOR_REJECT]


def available_job_actions(job: Job, user) -> list[Transition]:
    return available_transitions(JOB, job, user)


def available_operation_moves(operation: Operation, job: Job, user) -> list[Transition]:
    """The floor buttons of one operation (none while its job may not move, none at an outside work center)."""
    if job.status not in OPERATIONS_MOVE_IN or operation.work_center.is_outside:
        return []
    later = [op for op in getattr(job, "ops", []) if op.sequence > operation.sequence]
    return [
        t
        for t in available_transitions(OPERATION, operation, user)
        if t.name != "reopen" or not reopen_refusal(operation, job, later, user)
    ]


def reopen_refusal(operation: Operation, job: Job, later: list[Operation], user, now=None) -> str:
    """Why `user` may not reopen the finished `operation` now ("" if they may); `later`: the operations after it.

    A manager may until the job completes; a shop floor lead for OPERATION_REOPEN_MINUTES after the finish.
    Not past a later finished operation (it passed on what this one had made: reopen that first)."""
    if operation.status != O.DONE:
        return f"Op {operation.sequence} is not finished."
    if job.status != J.IN_PROGRESS:
        return f"{job.number} is {job.get_status_display().lower()}; its operations cannot be reopened."
    done_after = [op for op in later if op.status == O.DONE]
    if done_after:
        last = done_after[-1].sequence
        return f"Op {last} after it is finished already; reopen op {last} first."
    if user.has_perm("mto.manage_jobs"):
        return ""
    minutes = settings.OPERATION_REOPEN_MINUTES
    now = now or timezone.now()
    if operation.finished_at is None or now - operation.finished_at > timedelta(minutes=minutes):
        return f"Op {operation.sequence} finished more than {minutes} minutes ago; ask a manager to reopen it."
    return ""


def can_report_pieces(operation: Operation, job: Job, user) -> bool:
    """Whether the floor offers the piece report on `operation` (the service checks the same)."""
    return (
        job.status == J.IN_PROGRESS
        and operation.status in REPORTING
        and not operation.work_center.is_outside
        and user.has_perm("mto.run_floor")
    )
