from django.urls import path

from . import kiosk_views

app_name = "kiosk-quality"

urlpatterns = [
    path("scrap/<int:pk>/ncr/", kiosk_views.KioskNcrFromScrapView.as_view(), name="ncr-from-scrap"),
    path("operations/<int:pk>/inspect/", kiosk_views.KioskInspectView.as_view(), name="inspect"),
    path("operations/<int:pk>/ncr/", kiosk_views.KioskNcrFromInspectionView.as_view(), name="ncr-from-inspection"),
]
