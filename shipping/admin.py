from django.contrib import admin

from mto.admin_utils import ReadOnlyInline, ServiceOwnedAdmin, StatusHistoryInline

from .models import Shipment, ShipmentLine, ShipmentStatusChange


class LineInline(ReadOnlyInline):
    model = ShipmentLine
    readonly_fields = ["order_line", "quantity"]


class StatusInline(StatusHistoryInline):
    model = ShipmentStatusChange


@admin.register(Shipment)
class ShipmentAdmin(ServiceOwnedAdmin):
    """Read-only: shipments are made, shipped and voided through the shipping services."""

    list_display = ["number", "order", "status", "carrier", "tracking_number", "shipped_at"]
    list_filter = ["status"]
    search_fields = ["number", "order__number", "tracking_number"]
    readonly_fields = ["number", "order", "status", "shipped_by", "shipped_at", "created_by"]
    inlines = [LineInline, StatusInline]
