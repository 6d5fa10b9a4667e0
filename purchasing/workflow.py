"""The purchase order lifecycle of DESIGN.md, declared for mto.transitions.

A buyer sends a draft, cancels an order nothing was received on (with a reason), and closes an order once
its goods are in (a short close of a partly received order needs a reason). The moves to
partially_received and received are the system's, made by the receipt service.
"""

from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from .models import PurchaseOrder, PurchaseOrderStatusChange

S = PurchaseOrder.Status
# Orders whose lines still hold their requirement or outside operation (nothing else may buy it again).
OPEN_STATUSES = (S.DRAFT, S.SENT, S.PARTIALLY_RECEIVED, S.RECEIVED)
# Orders goods are expected on (the receiving list).
RECEIVING_STATUSES = (S.SENT, S.PARTIALLY_RECEIVED)
# Orders goods may still be booked on: a received order too, up to each line's tolerance limit (a vendor's
# small over-delivery); it stays received.
RECEIVABLE_STATUSES = (*RECEIVING_STATUSES, S.RECEIVED)

TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "send", "Send to vendor", (S.DRAFT,), S.SENT, "buy", button="success", done="Sent {what} to the vendor"
        ),
        Transition(
            "cancel",
            "Cancel order",
            (S.DRAFT, S.SENT),
            S.CANCELLED,
            "buy",
            needs_reason=True,
            button="outline-danger",
            reason_prompt="Say why the order is cancelled.",
        ),  # fmt: skip
        Transition("close", "Close", (S.RECEIVED,), S.CLOSED, "buy", button="outline-secondary"),
        Transition(
            "short_close",
            "Short-close",
            (S.PARTIALLY_RECEIVED,),
            S.CLOSED,
            "buy",
            needs_reason=True,
            button="outline-warning",
            reason_prompt="Say why the rest will not come.",
        ),  # fmt: skip
        # System moves, made by receipts on the locked order.
        Transition("receive_part", "Receive part", (S.SENT,), S.PARTIALLY_RECEIVED, None),
        Transition("receive_all", "Receive all", (S.SENT, S.PARTIALLY_RECEIVED), S.RECEIVED, None),
    ]
}


def _record(po, *, from_status, to_status, by, reason):
    PurchaseOrderStatusChange.objects.create(
        purchase_order=po, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


def _touch(po, by):
    po.version += 1
    return ("version", "updated_at")


PURCHASE_ORDER = Lifecycle(
    model=PurchaseOrder,
    transitions=tuple(TRANSITIONS.values()),
    initial={"": S.DRAFT},
    # Services lock job-side rows (job, operations) first, then the order, then its lines (house order).
    lock=lambda po: PurchaseOrder.objects.select_for_update().get(pk=po.pk),
    record=_record,
    touch=_touch,
    describe=lambda po: po.number,
)


def available_transitions(po: PurchaseOrder, user) -> list[Transition]:
    return _available(PURCHASE_ORDER, po, user)
