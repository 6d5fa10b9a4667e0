from django.urls import path

from . import views
from .reports import OnTimeReportView

app_name = "shipping"

urlpatterns = [
    path("reports/on-time/", OnTimeReportView.as_view(), name="report-on-time"),
    path("", views.ReadyToShipView.as_view(), name="ready-to-ship"),
    path("shipments/", views.ShipmentListView.as_view(), name="shipment-list"),
    path("orders/<int:order>/new/", views.ShipmentFormView.as_view(), name="shipment-create"),
    path("shipments/<int:pk>/", views.ShipmentDetailView.as_view(), name="shipment-detail"),
    path("shipments/<int:pk>/edit/", views.ShipmentFormView.as_view(), name="shipment-edit"),
    path("shipments/<int:pk>/packing-slip/", views.PackingSlipView.as_view(), name="packing-slip"),
    path("shipments/<int:pk>/certificate/", views.CertificateView.as_view(), name="certificate"),
    path("shipments/<int:pk>/bill-of-lading/", views.BillOfLadingView.as_view(), name="bill-of-lading"),
    path("shipments/<int:pk>/<slug:name>/", views.ShipmentTransitionView.as_view(), name="shipment-transition"),
]
