from django.urls import path

from . import kiosk_views as views

app_name = "kiosk"

urlpatterns = [
    path("", views.KioskHomeView.as_view(), name="home"),
    path("badge/", views.KioskBadgeView.as_view(), name="badge"),
    path("pin/<int:pk>/", views.KioskPinView.as_view(), name="pin"),
    path("sign-off/", views.KioskSignOffView.as_view(), name="sign-off"),
    path("shift/<slug:action>/", views.KioskAttendanceView.as_view(), name="attendance"),
    path("jobs/<int:pk>/", views.KioskJobView.as_view(), name="job"),
    path("jobs/<int:pk>/notes/", views.KioskNoteView.as_view(), name="note"),
    path("operations/<int:pk>/<slug:action>/", views.KioskOperationView.as_view(), name="operation"),
]
