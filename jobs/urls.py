from django.urls import path

from . import kiosk_views, views
from .reports import JobCostReportView

app_name = "jobs"

urlpatterns = [
    path("reports/job-cost/", JobCostReportView.as_view(), name="report-job-cost"),
    path("", views.JobListView.as_view(), name="job-list"),
    path("new/", views.ManualJobCreateView.as_view(), name="job-create"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("<int:pk>/traveler/", views.JobTravelerView.as_view(), name="job-traveler"),
    path("<int:pk>/operations/new/", views.OperationAddView.as_view(), name="operation-add"),
    path("<int:pk>/<slug:name>/", views.JobActionView.as_view(), name="job-action"),
    path("operations/<int:pk>/edit/", views.OperationEditView.as_view(), name="operation-edit"),
    path("operations/<int:pk>/reopen/", views.OperationReopenView.as_view(), name="operation-reopen"),
    path("operations/<int:pk>/remove/", views.OperationRemoveView.as_view(), name="operation-remove"),
    path("work-centers/", views.WorkCenterListView.as_view(), name="work-center-list"),
    path("work-centers/new/", views.WorkCenterFormView.as_view(), name="work-center-create"),
    path("work-centers/<int:pk>/edit/", views.WorkCenterFormView.as_view(), name="work-center-edit"),
    path("kiosks/", kiosk_views.KioskDeviceListView.as_view(), name="kiosk-list"),
    path("kiosks/<int:pk>/revoke/", kiosk_views.KioskDeviceRevokeView.as_view(), name="kiosk-revoke"),
    path("operators/", kiosk_views.OperatorListView.as_view(), name="operator-list"),
    path("operators/<int:pk>/", kiosk_views.OperatorDetailView.as_view(), name="operator-detail"),
    path("operators/<int:pk>/badge/", kiosk_views.OperatorBadgeView.as_view(), name="operator-badge"),
    path("floor/", views.FloorBoardView.as_view(), name="floor-board"),
    path("floor/jobs/<int:pk>/", views.FloorJobView.as_view(), name="floor-job"),
    path("floor/jobs/<int:pk>/notes/", views.FloorNoteView.as_view(), name="floor-note"),
    path("floor/operations/<int:pk>/<slug:action>/", views.FloorOperationView.as_view(), name="floor-operation"),
]
