"""Pages of the sales app, one module per entity."""

from .changes import (
    ChangeItemFormView,
    ChangeItemRemoveView,
    ChangeRequestActionView,
    ChangeRequestCreateView,
    ChangeRequestDetailView,
)
from .customers import (
    CustomerCreateView,
    CustomerDetailView,
    CustomerListView,
    CustomerUpdateView,
    ShipToCreateView,
    ShipToUpdateView,
)
from .items import ItemCreateView, ItemDetailView, ItemListView, ItemUpdateView
from .orders import (
    CustomerShipToOptionsView,
    DrawingDownloadView,
    SalesOrderAcknowledgmentView,
    SalesOrderDetailView,
    SalesOrderFormView,
    SalesOrderListView,
    SalesOrderTransitionView,
)

__all__ = [
    "ChangeItemFormView",
    "ChangeItemRemoveView",
    "ChangeRequestActionView",
    "ChangeRequestCreateView",
    "ChangeRequestDetailView",
    "CustomerCreateView",
    "CustomerDetailView",
    "CustomerListView",
    "CustomerShipToOptionsView",
    "CustomerUpdateView",
    "DrawingDownloadView",
    "ItemCreateView",
    "ItemDetailView",
    "ItemListView",
    "ItemUpdateView",
    "SalesOrderAcknowledgmentView",
    "SalesOrderDetailView",
    "SalesOrderFormView",
    "SalesOrderListView",
    "SalesOrderTransitionView",
    "ShipToCreateView",
    "ShipToUpdateView",
]
