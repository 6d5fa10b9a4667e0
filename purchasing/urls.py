from django.urls import path

from . import views_outside as views

app_name = "purchasing"

urlpatterns = [
    path("outside/", views.AtVendorsView.as_view(), name="at-vendors"),
    path("outside/<int:pk>/", views.OutsideOperationView.as_view(), name="outside-detail"),
    path("outside/<int:pk>/edit/", views.OutsideOperationEditView.as_view(), name="outside-edit"),
    path("outside/<int:pk>/ship-out/", views.ShipOutView.as_view(), name="outside-ship-out"),
    path("outside/<int:pk>/receive-back/", views.ReceiveBackView.as_view(), name="outside-receive-back"),
    path("ship-outs/<int:pk>/packing-slip/", views.VendorPackingSlipView.as_view(), name="vendor-packing-slip"),
    path("returns/<int:pk>/certificate/", views.ReturnCertificateView.as_view(), name="return-certificate"),
]
