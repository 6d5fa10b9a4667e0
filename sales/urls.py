from django.urls import path

from . import views
from .reports import OrderBookReportView

app_name = "sales"

urlpatterns = [
    path("reports/order-book/", OrderBookReportView.as_view(), name="report-order-book"),
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("customers/ship-tos/", views.CustomerShipToOptionsView.as_view(), name="customer-ship-tos"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer-edit"),
    path("customers/<int:pk>/ship-tos/new/", views.ShipToCreateView.as_view(), name="shipto-create"),
    path("ship-tos/<int:pk>/edit/", views.ShipToUpdateView.as_view(), name="shipto-edit"),
    path("items/", views.ItemListView.as_view(), name="item-list"),
    path("items/new/", views.ItemCreateView.as_view(), name="item-create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<int:pk>/edit/", views.ItemUpdateView.as_view(), name="item-edit"),
    path("orders/", views.SalesOrderListView.as_view(), name="order-list"),
    path("orders/new/", views.SalesOrderFormView.as_view(), name="order-create"),
    path("orders/<int:pk>/", views.SalesOrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", views.SalesOrderFormView.as_view(), name="order-edit"),
    path("orders/<int:pk>/acknowledgment/", views.SalesOrderAcknowledgmentView.as_view(), name="order-acknowledgment"),
    path("orders/<int:pk>/changes/new/", views.ChangeRequestCreateView.as_view(), name="change-create"),
    path("orders/<int:pk>/<slug:name>/", views.SalesOrderTransitionView.as_view(), name="order-transition"),
    path("changes/<int:pk>/", views.ChangeRequestDetailView.as_view(), name="change-detail"),
    path("changes/<int:pk>/add/<slug:kind>/", views.ChangeItemFormView.as_view(), name="change-item-create"),
    path("changes/<int:pk>/<slug:name>/", views.ChangeRequestActionView.as_view(), name="change-action"),
    path("change-items/<int:item>/edit/", views.ChangeItemFormView.as_view(), name="change-item-edit"),
    path("change-items/<int:pk>/remove/", views.ChangeItemRemoveView.as_view(), name="change-item-remove"),
    path("drawings/<int:pk>/", views.DrawingDownloadView.as_view(), name="drawing-download"),
]
