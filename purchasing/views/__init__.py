"""Pages of the purchasing app: vendors and purchase orders (orders.py), outside operations (outside.py)."""

from .orders import (
    ProposalView,
    PurchaseOrderDetailView,
    PurchaseOrderFormView,
    PurchaseOrderListView,
    PurchaseOrderPrintView,
    PurchaseOrderTransitionView,
    ReceiveLineView,
    ReceivingView,
    VendorCreateView,
    VendorDetailView,
    VendorEditView,
    VendorListView,
)
from .outside import (
    AtVendorsView,
    OutsideOperationEditView,
    OutsideOperationView,
    ReceiveBackView,
    ReturnCertificateView,
    ShipOutView,
    VendorPackingSlipView,
)

__all__ = [
    "AtVendorsView",
    "OutsideOperationEditView",
    "OutsideOperationView",
    "ProposalView",
    "PurchaseOrderDetailView",
    "PurchaseOrderFormView",
    "PurchaseOrderListView",
    "PurchaseOrderPrintView",
    "PurchaseOrderTransitionView",
    "ReceiveBackView",
    "ReceiveLineView",
    "ReceivingView",
    "ReturnCertificateView",
    "ShipOutView",
    "VendorCreateView",
    "VendorDetailView",
    "VendorEditView",
    "VendorListView",
    "VendorPackingSlipView",
]
