"""Admin for reading; customers stay editable here. Orders, lines, items (prices) and change requests are
read-only: they change only through the services (the pages or the API), which check the role and keep
the history, the audit trail and the change requests."""

from django.contrib import admin

from mto.admin_utils import ReadOnlyInline, ServiceOwnedAdmin, StatusHistoryInline

from .models import (
    ChangeItem,
    ChangeRequest,
    Customer,
    Item,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    ShipToAddress,
)


class ShipToInline(admin.TabularInline):
    model = ShipToAddress
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "email", "is_active"]
    search_fields = ["code", "name", "email"]
    inlines = [ShipToInline]


@admin.register(Item)
class ItemAdmin(ServiceOwnedAdmin):
    """Read-only: a price changes through item_update (the item page), which audits it."""

    list_display = ["part_number", "revision", "description", "unit_price", "is_active"]
    search_fields = ["part_number", "description"]


class LineInline(ReadOnlyInline):
    model = SalesOrderLine
    readonly_fields = ["line_no", "item", "description", "drawing_number", "quantity", "unit_price", "due_date",
                       "quantity_shipped", "is_cancelled"]  # fmt: skip


class StatusInline(StatusHistoryInline):
    model = SalesOrderStatusChange


@admin.register(SalesOrder)
class SalesOrderAdmin(ServiceOwnedAdmin):
    """Read-only: an approved order's dates, ship-to and lines change only through a change request."""

    list_display = ["number", "customer", "customer_po", "status", "order_date", "promised_date"]
    list_filter = ["status"]
    search_fields = ["number", "customer_po", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = ["number", "status", "revision", "customer", "created_by"]
    inlines = [LineInline, StatusInline]


class ChangeItemInline(ReadOnlyInline):
    model = ChangeItem
    readonly_fields = ["kind", "line", "quantity", "date", "drawing_revision", "item", "ship_to", "reason", "before"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceOwnedAdmin):
    """Read-only: change requests move only through the services, which apply them to the order and jobs."""

    list_display = ["order", "number", "status", "revision", "created_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["order__number"]
    list_select_related = ["order", "created_by", "decided_by"]
    readonly_fields = ["order", "number", "status", "revision", "created_by", "submitted_at", "decided_by",
                       "decided_at", "decision_note"]  # fmt: skip
    inlines = [ChangeItemInline]
