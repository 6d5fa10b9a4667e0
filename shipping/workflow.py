from .models import Shipment

S = Shipment.Status

TRANSITIONS = {
    "ship": {"source": (S.DRAFT,), "target": S.SHIPPED, "capability": "ship", "label": "Mark shipped"},
    "cancel": {"source": (S.DRAFT,), "target": S.CANCELLED, "capability": "ship", "label": "Cancel draft"},
    "void": {
        "source": (S.SHIPPED,),
        "target": S.VOIDED,
        "capability": "void_shipments",
        "label": "Void shipment",
        "needs_reason": True,
    },
}


def available_transitions(shipment: Shipment, user) -> list[tuple[str, dict]]:
    return [
        (name, t)
        for name, t in TRANSITIONS.items()
        if shipment.status in t["source"] and user.has_perm(f"mto.{t['capability']}")
    ]
