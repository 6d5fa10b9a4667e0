"""The /api/v1/ URL space: each app's viewsets on one router, the OpenAPI schema and its docs page."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from jobs import api as jobs_api
from mto.api import login_not_required_patterns
from mto.notification_api import NotificationViewSet
from planning import api as planning_api
from purchasing import api as purchasing_api
from quality import api as quality_api
from quality import trace_api
from quotes import api as quotes_api
from sales import api as sales_api
from shipping import api as shipping_api

router = DefaultRouter()
router.register("customers", sales_api.CustomerViewSet, basename="customer")
router.register("items", sales_api.ItemViewSet, basename="item")
router.register("sales-orders", sales_api.SalesOrderViewSet, basename="sales-order")
router.register("change-requests", sales_api.ChangeRequestViewSet, basename="change-request")
router.register("jobs", jobs_api.JobViewSet, basename="job")
router.register("operations", jobs_api.OperationViewSet, basename="operation")
router.register("work-centers", jobs_api.WorkCenterViewSet, basename="work-center")
router.register("shipments", shipping_api.ShipmentViewSet, basename="shipment")
router.register("quotes", quotes_api.QuoteViewSet, basename="quote")
router.register("vendors", purchasing_api.VendorViewSet, basename="vendor")
router.register("purchase-orders", purchasing_api.PurchaseOrderViewSet, basename="purchase-order")
router.register("receipts", purchasing_api.ReceiptViewSet, basename="receipt")
router.register("material-requirements", purchasing_api.MaterialRequirementViewSet, basename="material-requirement")
router.register("outside-operations", purchasing_api.OutsideOperationViewSet, basename="outside-operation")
router.register("ship-outs", purchasing_api.ShipOutViewSet, basename="ship-out")
router.register("vendor-returns", purchasing_api.VendorReturnViewSet, basename="vendor-return")
router.register("inspection-plan", quality_api.PlanCharacteristicViewSet, basename="plan-characteristic")
router.register("inspection-results", quality_api.InspectionResultViewSet, basename="inspection-result")
router.register("ncrs", quality_api.NcrViewSet, basename="ncr")
router.register("trace", trace_api.TraceViewSet, basename="trace")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("schedule", planning_api.ScheduleViewSet, basename="schedule")

app_name = "api"
urlpatterns = [
    *login_not_required_patterns(
        [
            path("", include(router.urls)),
            # 401/403 JSON for anonymous callers (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
            path("schema/", SpectacularAPIView.as_view(), name="schema"),
        ]
    ),
    # A page for people: anonymous visitors go to the login page (DRF views opt out of the login middleware).
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
