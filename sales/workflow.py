"""The sales order and change request lifecycles of DESIGN.md, declared for mto.transitions.

Each user-facing transition names the capability it needs; the roll-up moves (capability None) are made only
by the services jobs and shipping call.
"""

from mto import reads
from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from . import signals
from .models import ChangeRequest, SalesOrder, SalesOrderLine, SalesOrderStatusChange

S = SalesOrder.Status
CR = ChangeRequest.Status

TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for approval", (S.DRAFT,), S.PENDING_APPROVAL, "edit_orders"),
        Transition("approve", "Approve", (S.PENDING_APPROVAL,), S.APPROVED, "approve_orders", button="success"),
        Transition(
            "reject", "Reject", (S.PENDING_APPROVAL,), S.DRAFT, "approve_orders", needs_reason=True, button="warning"
        ),
        Transition(
            "cancel",
            "Cancel order",
            (S.DRAFT, S.PENDING_APPROVAL, S.APPROVED),
            S.CANCELLED,
            "edit_orders",
            needs_reason=True,
            button="outline-danger",
        ),
        Transition("close", "Close order", (S.SHIPPED,), S.CLOSED, "close_orders", button="secondary"),
    ]
}

# Moves made by the roll-up service on behalf of jobs and shipping (a void can move an order back).
ROLL_UP_MOVES = {
    t.name: t
    for t in [
        Transition("start_production", "Put in production", (S.APPROVED,), S.IN_PRODUCTION, None),
        Transition(
            "ship_partially", "Partially shipped", (S.APPROVED, S.IN_PRODUCTION, S.SHIPPED), S.PARTIALLY_SHIPPED, None
        ),
        Transition("ship_completely", "Shipped", (S.APPROVED, S.IN_PRODUCTION, S.PARTIALLY_SHIPPED), S.SHIPPED, None),
        Transition(
            "back_to_production", "Back in production", (S.PARTIALLY_SHIPPED, S.SHIPPED), S.IN_PRODUCTION, None
        ),
    ]
}

OPEN_STATUSES = (S.APPROVED, S.IN_PRODUCTION, S.PARTIALLY_SHIPPED)


# With its customer (not locked): the acknowledgment and the lifecycle's receivers read it. Every transition of an
# order takes the lock; an approval reads the lines: compiled once per process (mto.reads.CompiledQuery).
_ORDER_LOCK = reads.CompiledQuery(
    lambda pk: SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=pk)
)
_LINES_WITH_ITEMS = reads.CompiledQuery(
    lambda pk: SalesOrderLine.objects.filter(order_id=pk).select_related("item").order_by("line_no")
)


def _lock_order(order: SalesOrder) -> SalesOrder:
    return _ORDER_LOCK.get(order.pk)


def _record_order(order, *, from_status, to_status, by, reason):
    SalesOrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


def _notify_order(order, transition, *, from_status, by, reason):
    if transition.name == "approve":
        # The lines, read once under the order's lock, for every receiver (jobs, the acknowledgment).
        lines = _LINES_WITH_ITEMS.all(order.pk)
        for line in lines:  # each line's order is this one, as order.lines gives them
            SalesOrderLine.order.field.set_cached_value(line, order)
        signals.order_approved.send(sender=SalesOrder, order=order, lines=lines, by=by)
    elif transition.name == "cancel":
        signals.order_cancelled.send(sender=SalesOrder, order=order, cancelled_by=by, reason=reason)
    elif transition.name == "close" or transition.is_system:
        signals.order_status_changed.send(
            sender=SalesOrder, order=order, from_status=from_status, to_status=order.status, by=by
        )


ORDER = Lifecycle(
    model=SalesOrder,
    transitions=(*TRANSITIONS.values(), *ROLL_UP_MOVES.values()),
    initial={"": S.DRAFT},
    lock=_lock_order,
    record=_record_order,
    notify=_notify_order,
    describe=lambda order: order.number,
    says_already=True,
)


# --- change requests --------------------------------------------------------------------------------

CHANGE_TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for approval", (CR.DRAFT,), CR.PENDING, "edit_orders"),
        Transition(
            "approve",
            "Approve change",
            (CR.PENDING,),
            CR.APPROVED,
            "approve_orders",
            button="success",
            note="Note (optional)",
        ),  # fmt: skip
        Transition(
            "reject",
            "Reject change",
            (CR.PENDING,),
            CR.REJECTED,
            "approve_orders",
            needs_reason=True,
            button="warning",
        ),  # fmt: skip
        Transition(
            "withdraw", "Withdraw request", ChangeRequest.OPEN, CR.WITHDRAWN, "edit_orders", button="outline-danger"
        ),  # fmt: skip
    ]
}
_DONE = {"submit": "submitted", "approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}


def lock_change(change: ChangeRequest) -> ChangeRequest:
    """Lock in the house order: the order first, then its change request (which keeps the locked order)."""
    order_id = ChangeRequest.objects.values_list("order_id", flat=True).get(pk=change.pk)
    order = SalesOrder.objects.select_for_update().get(pk=order_id)
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    locked.order = order
    return locked


def _notify_change(change, transition, *, from_status, by, reason, items=()):
    if transition.name == "approve":
        # Jobs and shipping follow the change in their receivers; a refusal there rolls all of it back.
        signals.order_changed.send(sender=SalesOrder, order=change.order, change_request=change, items=items, by=by)


CHANGE_REQUEST = Lifecycle(
    model=ChangeRequest,
    transitions=tuple(CHANGE_TRANSITIONS.values()),
    initial={"": CR.DRAFT},
    lock=lock_change,
    # The request's own submitted/decided fields are its history.
    touch=lambda change, by: (),
    notify=_notify_change,
    refusal=lambda change, t: (
        f"Change {change.number} of {change.order.number} is {change.get_status_display().lower()}; "
        f"it cannot be {_DONE[t.name]}."
    ),
)


def available_transitions(order: SalesOrder, user) -> list[Transition]:
    return _available(ORDER, order, user)


def available_change_transitions(change: ChangeRequest, user, *, items) -> list[Transition]:
    """`items`: the request's changes (prefetched by the caller); a draft with none offers no submit, which
    the service would only refuse."""
    return [t for t in _available(CHANGE_REQUEST, change, user) if t.name != "submit" or items]
