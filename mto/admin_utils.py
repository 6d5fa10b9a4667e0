from django.contrib import admin


class ServiceOwnedAdmin(admin.ModelAdmin):
    """Shown to staff, never written: these rows change only through their services, which check the role,
    keep the status history and the audit trail, and go through change requests once an order is approved.
    Staff (superusers too) get the view page; add, change and delete are off."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """History and lines shown in the admin but changed only through the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusHistoryInline(ReadOnlyInline):
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]
