"""Every write of the purchasing app, one module per concern (re-exported here; keep the lists sorted).

House lock order when both sides are locked: job-side rows (sales order, job, operations) first, then
purchasing rows (purchase order, its lines, requirements, outside operations); see services/common.py.
"""

from .common import receive_limit_for
from .material import (
    MaterialEstimate,
    material_readiness_refresh,
    requirement_add,
    requirement_issue_from_stock,
    requirement_remove,
    requirement_update,
    requirements_fill_for_jobs,
)
from .orders import (
    LineInput,
    Proposal,
    ProposedGroup,
    purchase_order_create,
    purchase_order_transition,
    purchase_order_update,
    purchase_orders_create_proposed,
    purchase_proposal,
)
from .outside import (
    OutsideEstimate,
    outside_operation_update,
    outside_operations_ensure,
    outside_receive_back,
    outside_ship_out,
    outside_vendors,
)
from .receipts import attach_certificate, certificate_attach, certificate_validate, receipt_create
from .vendors import vendor_create, vendor_update

__all__ = [
    "LineInput",
    "MaterialEstimate",
    "OutsideEstimate",
    "Proposal",
    "ProposedGroup",
    "attach_certificate",
    "certificate_attach",
    "certificate_validate",
    "material_readiness_refresh",
    "outside_operation_update",
    "outside_operations_ensure",
    "outside_receive_back",
    "outside_ship_out",
    "outside_vendors",
    "purchase_order_create",
    "purchase_order_transition",
    "purchase_order_update",
    "purchase_orders_create_proposed",
    "purchase_proposal",
    "receipt_create",
    "receive_limit_for",
    "requirement_add",
    "requirement_issue_from_stock",
    "requirement_remove",
    "requirement_update",
    "requirements_fill_for_jobs",
    "vendor_create",
    "vendor_update",
]
