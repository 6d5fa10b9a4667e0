"""Every write of the quotes app. Views, the API and tasks call these; nothing else saves quote rows."""

from .accuracy import accuracy_samples_record
from .estimate import (
    LINE_FIELDS,
    QUOTE_FIELDS,
    STATISTICS,
    quote_apply_accuracy,
    quote_approve_margin,
    quote_create,
    quote_line_attach_drawing,
    quote_line_copy_routing,
    quote_update,
)
from .inspection import quote_line_characteristic_add, quote_line_characteristic_remove
from .lifecycle import quote_accept, quote_decline, quote_expire_due, quote_revise, quote_send, quote_values_store

__all__ = [
    "accuracy_samples_record",
    "LINE_FIELDS",
    "QUOTE_FIELDS",
    "STATISTICS",
    "quote_accept",
    "quote_apply_accuracy",
    "quote_approve_margin",
    "quote_create",
    "quote_decline",
    "quote_expire_due",
    "quote_line_attach_drawing",
    "quote_line_characteristic_add",
    "quote_line_characteristic_remove",
    "quote_line_copy_routing",
    "quote_revise",
    "quote_send",
    "quote_values_store",
    "quote_update",
]
