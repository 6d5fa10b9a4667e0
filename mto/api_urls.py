"""The /api/v1/ URL space: each app's viewsets on one router, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from mto.api import login_not_required_patterns
from sales import api as sales_api

router = DefaultRouter()
router.register("customers", sales_api.CustomerViewSet, basename="customer")
router.register("items", sales_api.ItemViewSet, basename="item")
router.register("sales-orders", sales_api.SalesOrderViewSet, basename="sales-order")

app_name = "api"
urlpatterns = login_not_required_patterns(
    [
        path("", include(router.urls)),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    ]
)
