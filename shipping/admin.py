from django.contrib import admin

from .models import Shipment, ShipmentLine, ShipmentStatusChange


class LineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    can_delete = False
    readonly_fields = ["order_line", "quantity"]

    def has_add_permission(self, request, obj=None):
        return False


class StatusInline(admin.TabularInline):
    model = ShipmentStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "status", "carrier", "tracking_number", "shipped_at"]
    list_filter = ["status"]
    search_fields = ["number", "order__number", "tracking_number"]
    readonly_fields = ["number", "order", "status", "shipped_by", "shipped_at", "created_by"]
    inlines = [LineInline, StatusInline]

    def has_add_permission(self, request):
        return False
