from django.contrib import admin

from mto.admin_utils import ReadOnlyInline, ServiceOwnedAdmin, StatusHistoryInline

from .models import Job, JobStatusChange, Operation, RoutingStep, WorkCenter


@admin.register(WorkCenter)
class WorkCenterAdmin(ServiceOwnedAdmin):
    """Read-only: a rate changes through work_center_save (the work center page), which audits it."""

    list_display = ["code", "name", "hourly_rate", "is_active"]
    filter_horizontal = ["leads"]


@admin.register(RoutingStep)
class RoutingStepAdmin(admin.ModelAdmin):
    list_display = ["item", "sequence", "work_center", "description", "setup_hours", "run_hours_per_piece"]
    list_select_related = ["item", "work_center"]
    search_fields = ["item__part_number"]


class OperationInline(ReadOnlyInline):
    model = Operation
    fields = ["sequence", "work_center", "description", "status", "good_qty", "scrap_qty"]
    readonly_fields = fields


class StatusInline(StatusHistoryInline):
    model = JobStatusChange


@admin.register(Job)
class JobAdmin(ServiceOwnedAdmin):
    """Read-only: quantity, due date and status change through the jobs services and change requests."""

    list_display = ["number", "part_number", "quantity", "due_date", "priority", "status"]
    list_filter = ["status", "origin"]
    search_fields = ["number", "part_number"]
    readonly_fields = ["number", "origin", "sales_order", "sales_order_line", "status", "quantity_completed"]
    inlines = [OperationInline, StatusInline]
