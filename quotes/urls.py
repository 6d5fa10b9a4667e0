from django.urls import path

from . import edit, report_views, views, views_inspection

app_name = "quotes"

urlpatterns = [
    path("", views.QuoteListView.as_view(), name="quote-list"),
    path("reports/hit-rate/", report_views.QuoteOutcomeReportView.as_view(), name="report-hit-rate"),
    path(
        "reports/estimate-accuracy/",
        report_views.EstimateAccuracyReportView.as_view(),
        name="report-estimate-accuracy",
    ),  # fmt: skip
    path("<int:pk>/print/", report_views.QuotePrintView.as_view(), name="quote-print"),
    path("new/", edit.QuoteFormView.as_view(), name="quote-create"),
    path("edit/preview/", edit.QuotePreviewView.as_view(), name="quote-preview"),
    path("edit/row/", edit.QuoteFormRowView.as_view(), name="quote-form-row"),
    path("edit/routing-sources/", edit.QuoteRoutingSourcesView.as_view(), name="quote-routing-sources"),
    path("edit/routing/", edit.QuoteRoutingCopyView.as_view(), name="quote-routing-copy"),
    path("drawings/<int:pk>/", edit.QuoteDrawingDownloadView.as_view(), name="drawing-download"),
    path(
        "lines/<int:pk>/characteristics/",
        views_inspection.QuoteLineCharacteristicAddView.as_view(),
        name="line-characteristic-add",
    ),
    path(
        "characteristics/<int:pk>/remove/",
        views_inspection.QuoteLineCharacteristicRemoveView.as_view(),
        name="line-characteristic-remove",
    ),
    path("<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("<int:pk>/edit/", edit.QuoteFormView.as_view(), name="quote-edit"),
    path("<int:pk>/approve-margin/", views.QuoteApproveMarginView.as_view(), name="quote-approve-margin"),
    path("<int:pk>/apply-accuracy/", views.QuoteApplyAccuracyView.as_view(), name="quote-apply-accuracy"),
    path("<int:pk>/<slug:name>/", views.QuoteActionView.as_view(), name="quote-action"),
]
