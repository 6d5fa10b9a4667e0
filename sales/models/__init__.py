"""The sales app's models, one module per entity; import them from here."""

from .changes import ChangeItem, ChangeRequest, change_drawing_upload_to
from .customers import MAX_PIECES, Customer, Item, ShipToAddress
from .orders import (
    LineDrawing,
    PartLineMixin,
    SalesOrder,
    SalesOrderLine,
    SalesOrderLineQuerySet,
    SalesOrderStatusChange,
    drawing_upload_to,
)

__all__ = [
    "ChangeItem",
    "ChangeRequest",
    "Customer",
    "Item",
    "LineDrawing",
    "MAX_PIECES",
    "PartLineMixin",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderLineQuerySet",
    "SalesOrderStatusChange",
    "ShipToAddress",
    "change_drawing_upload_to",
    "drawing_upload_to",
]
