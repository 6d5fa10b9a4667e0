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
]
