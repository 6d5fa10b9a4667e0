from django.urls import path

from . import reports, trace_views, views, views_fai

app_name = "quality"

urlpatterns = [
    path("", views.NcrListView.as_view(), name="ncr-list"),
    path("ncrs/<int:pk>/", views.NcrDetailView.as_view(), name="ncr-detail"),
    path("ncrs/<int:pk>/disposition/", views.NcrDispositionView.as_view(), name="ncr-disposition"),
    path("ncrs/<int:pk>/close/", views.NcrCloseView.as_view(), name="ncr-close"),
    path("scrap/<int:pk>/ncr/", views.NcrFromScrapView.as_view(), name="ncr-from-scrap"),
    path("operations/<int:pk>/ncr/", views.NcrFromInspectionView.as_view(), name="ncr-from-inspection"),
    path("operations/<int:pk>/inspect/", views.InspectView.as_view(), name="inspect"),
    path("items/<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("items/<int:pk>/plan/add/", views.PlanAddView.as_view(), name="plan-add"),
    path("plan/<int:pk>/remove/", views.PlanRemoveView.as_view(), name="plan-remove"),
    # traceability (quality/trace.py, quality/pack.py)
    path("recall/", trace_views.RecallView.as_view(), name="recall"),
    path("shipments/<int:pk>/trace/", trace_views.ShipmentTraceView.as_view(), name="trace-shipment"),
    path("shipments/<int:pk>/certificate-pack/", trace_views.CertificatePackView.as_view(), name="certificate-pack"),
    # First-article inspection and remake proposals (quality.views_fai)
    path("fai/<int:pk>/", views_fai.FirstArticleView.as_view(), name="fai"),
    path("fai/<int:pk>/accept/", views_fai.FirstArticleAcceptView.as_view(), name="fai-accept"),
    path("fai/<int:pk>/reject/", views_fai.FirstArticleRejectView.as_view(), name="fai-reject"),
    path("remakes/<int:pk>/accept/", views_fai.RemakeAcceptView.as_view(), name="remake-accept"),
    path("remakes/<int:pk>/dismiss/", views_fai.RemakeDismissView.as_view(), name="remake-dismiss"),
    # Reports (quality.reports)
    path("reports/pareto/", reports.ParetoReportView.as_view(), name="report-pareto"),
    path("reports/cost-of-poor-quality/", reports.CostOfPoorQualityReportView.as_view(), name="report-copq"),
    path("reports/first-pass-yield/", reports.FirstPassYieldReportView.as_view(), name="report-fpy"),
]
