"""Traceability's panel on the shipment page (registered from QualityConfig.ready(); see mto/panels.py)."""

from mto import panels
from mto.panels import can


def shipment_trace(request, *, shipment) -> dict:
    """Links to the shipment's trace and its certificate pack: no query of its own."""
    user = request.user
    return {"shipment": shipment, "can_trace": user.has_perm("mto.trace_shipments"),
            "can_print": user.has_perm("mto.print_certificate_packs")}  # fmt: skip


def register_panels() -> None:
    panels.register(page="shipment-detail", order=10, name="quality.shipment-trace",
                    template="quality/partials/shipment_trace_panel.html", context=shipment_trace,
                    visible=can("trace_shipments", "print_certificate_packs"))  # fmt: skip
