"""Every write of the purchasing app, one module per concern (outside operations: outside.py)."""

from .outside import (
    OutsideEstimate,
    certificate_validate,
    outside_operation_update,
    outside_operations_ensure,
    outside_receive_back,
    outside_ship_out,
    outside_vendors,
)

__all__ = [
    "OutsideEstimate",
    "certificate_validate",
    "outside_operation_update",
    "outside_operations_ensure",
    "outside_receive_back",
    "outside_ship_out",
    "outside_vendors",
]
