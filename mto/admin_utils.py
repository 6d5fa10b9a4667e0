from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """History and lines shown in the admin but changed only through the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusHistoryInline(ReadOnlyInline):
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]
