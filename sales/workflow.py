"""The sales order lifecycle of DESIGN.md as a plain transition map.

Each user-facing transition names the capability it needs; `None` marks transitions only other services
make (the roll-up from jobs and shipping).
"""

from dataclasses import dataclass

from .models import SalesOrder

S = SalesOrder.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    capability: str | None
    needs_reason: bool = False
    button: str = "primary"


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

# Moves made by the roll-up service on behalf of jobs and shipping (void can move an order back).
ROLL_UP_MOVES = {
    S.APPROVED: {S.IN_PRODUCTION, S.PARTIALLY_SHIPPED, S.SHIPPED},
    S.IN_PRODUCTION: {S.PARTIALLY_SHIPPED, S.SHIPPED},
    S.PARTIALLY_SHIPPED: {S.SHIPPED, S.IN_PRODUCTION},
    S.SHIPPED: {S.PARTIALLY_SHIPPED, S.IN_PRODUCTION},
}

OPEN_STATUSES = (S.APPROVED, S.IN_PRODUCTION, S.PARTIALLY_SHIPPED)


def available_transitions(order: SalesOrder, user) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if order.status in t.source and t.capability and user.has_perm(f"mto.{t.capability}")
    ]
