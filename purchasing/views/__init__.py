"""Pages of the purchasing app: vendors and purchase orders (orders.py), outside operations (outside.py), a job's
material (material.py)."""

from .material import RequirementCreateView, RequirementEditView, RequirementIssueView, RequirementRemoveView
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
    ReceiptCertificateView,
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
    "ReceiptCertificateView",
    "ReceiveBackView",
    "ReceiveLineView",
    "ReceivingView",
    "RequirementCreateView",
    "RequirementEditView",
    "RequirementIssueView",
    "RequirementRemoveView",
    "ReturnCertificateView",
    "ShipOutView",
    "VendorCreateView",
    "VendorDetailView",
    "VendorEditView",
    "VendorListView",
    "VendorPackingSlipView",
]
