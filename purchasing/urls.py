from django.urls import path

from . import views

app_name = "purchasing"

urlpatterns = [
    path("", views.PurchaseOrderListView.as_view(), name="po-list"),
    path("vendors/", views.VendorListView.as_view(), name="vendor-list"),
    path("vendors/new/", views.VendorCreateView.as_view(), name="vendor-create"),
    path("vendors/<int:pk>/", views.VendorDetailView.as_view(), name="vendor-detail"),
    path("vendors/<int:pk>/edit/", views.VendorEditView.as_view(), name="vendor-edit"),
    path("orders/new/", views.PurchaseOrderFormView.as_view(), name="po-create"),
    path("orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="po-detail"),
    path("orders/<int:pk>/edit/", views.PurchaseOrderFormView.as_view(), name="po-edit"),
    path("orders/<int:pk>/print/", views.PurchaseOrderPrintView.as_view(), name="po-print"),
    path("orders/<int:pk>/<slug:name>/", views.PurchaseOrderTransitionView.as_view(), name="po-transition"),
    path("buy/", views.ProposalView.as_view(), name="proposal"),
    path("receiving/", views.ReceivingView.as_view(), name="receiving"),
    path("receiving/lines/<int:pk>/", views.ReceiveLineView.as_view(), name="receive-line"),
    path("jobs/<int:job>/material/new/", views.RequirementCreateView.as_view(), name="material-create"),
    path("material/<int:pk>/edit/", views.RequirementEditView.as_view(), name="material-edit"),
    path("material/<int:pk>/issue/", views.RequirementIssueView.as_view(), name="material-issue"),
    path("material/<int:pk>/remove/", views.RequirementRemoveView.as_view(), name="material-remove"),
    path("outside/", views.AtVendorsView.as_view(), name="at-vendors"),
    path("outside/<int:pk>/", views.OutsideOperationView.as_view(), name="outside-detail"),
    path("outside/<int:pk>/edit/", views.OutsideOperationEditView.as_view(), name="outside-edit"),
    path("outside/<int:pk>/ship-out/", views.ShipOutView.as_view(), name="outside-ship-out"),
    path("outside/<int:pk>/receive-back/", views.ReceiveBackView.as_view(), name="outside-receive-back"),
    path("ship-outs/<int:pk>/packing-slip/", views.VendorPackingSlipView.as_view(), name="vendor-packing-slip"),
    path("receipts/<int:pk>/certificate/", views.ReceiptCertificateView.as_view(), name="receipt-certificate"),
    path("returns/<int:pk>/certificate/", views.ReturnCertificateView.as_view(), name="return-certificate"),
]
