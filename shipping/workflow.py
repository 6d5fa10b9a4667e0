"""The shipment lifecycle of DESIGN.md, declared for mto.transitions."""

from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from . import signals
from .models import Shipment, ShipmentStatusChange

S = Shipment.Status

TRANSITIONS = {
    t.name: t
    for t in [
        Transition("ship", "Mark shipped", (S.DRAFT,), S.SHIPPED, "ship", button="success"),
        Transition("cancel", "Cancel draft", (S.DRAFT,), S.CANCELLED, "ship", button="outline-secondary"),
        Transition(
            "void",
            "Void shipment",
            (S.SHIPPED,),
            S.VOIDED,
            "void_shipments",
            needs_reason=True,
            button="outline-danger",
        ),  # fmt: skip
    ]
}


def _record(shipment, *, from_status, to_status, by, reason):
    ShipmentStatusChange.objects.create(
        shipment=shipment, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


def _notify(shipment, transition, *, from_status, by, reason):
    if transition.name == "ship":
        signals.shipment_shipped.send(sender=Shipment, shipment=shipment, by=by)
    elif transition.name == "void":
        signals.shipment_voided.send(sender=Shipment, shipment=shipment, by=by, reason=reason)


SHIPMENT = Lifecycle(
    model=Shipment,
    transitions=tuple(TRANSITIONS.values()),
    initial={"": S.DRAFT},
    # The shipping service locks the order and its lines first (house order), then the shipment.
    lock=lambda shipment: Shipment.objects.select_for_update().get(pk=shipment.pk),
    record=_record,
    notify=_notify,
    describe=lambda shipment: shipment.number,
)


def available_transitions(shipment: Shipment, user) -> list[Transition]:
    return _available(SHIPMENT, shipment, user)
