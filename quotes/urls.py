from django.urls import path

from . import report_views, views

app_name = "quotes"

urlpatterns = [
    path("", views.QuoteListView.as_view(), name="quote-list"),
    path("reports/hit-rate/", report_views.QuoteOutcomeReportView.as_view(), name="report-hit-rate"),
    path(
        "reports/estimate-accuracy/",
        report_views.EstimateAccuracyReportView.as_view(),
        name="report-estimate-accuracy",
    ),  # fmt: skip
    path("<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("<int:pk>/print/", report_views.QuotePrintView.as_view(), name="quote-print"),
    path("<int:pk>/approve-margin/", views.QuoteApproveMarginView.as_view(), name="quote-approve-margin"),
    path("<int:pk>/apply-accuracy/", views.QuoteApplyAccuracyView.as_view(), name="quote-apply-accuracy"),
    path("<int:pk>/<slug:name>/", views.QuoteActionView.as_view(), name="quote-action"),
]
