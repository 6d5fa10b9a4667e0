"""Reads of the purchasing app, one module per concern; callers import them from `purchasing.selectors`."""

from .orders import (
    job_material,
    lines_to_receive,
    models_line_total,
    purchase_order_detail,
    purchase_order_list_queryset,
    vendor_detail,
    vendor_list_queryset,
    vendor_recent_orders,
)
from .outside import (
    at_vendors,
    at_vendors_queryset,
    job_outside,
    material_costs,
    other_costs_for_jobs,
    outside_costs,
    outside_operation_detail,
    ship_out_detail,
)
from .trace import (
    JobMaterial,
    material_for_jobs,
    normalized_lot,
    outside_returns_for_jobs,
    receipts_of_lot,
    returns_of_lot,
)

__all__ = [
    "JobMaterial",
    "at_vendors",
    "at_vendors_queryset",
    "job_material",
    "job_outside",
    "lines_to_receive",
    "material_costs",
    "material_for_jobs",
    "models_line_total",
    "normalized_lot",
    "other_costs_for_jobs",
    "outside_costs",
    "outside_operation_detail",
    "outside_returns_for_jobs",
    "purchase_order_detail",
    "purchase_order_list_queryset",
    "receipts_of_lot",
    "returns_of_lot",
    "ship_out_detail",
    "vendor_detail",
    "vendor_list_queryset",
    "vendor_recent_orders",
]
