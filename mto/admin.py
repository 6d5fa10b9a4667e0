from django.contrib import admin, messages
from django.db import transaction

from .admin_utils import ServiceOwnedAdmin
from .models import AuditEntry, Notification, NotificationPreference
from .notifications import enqueue


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "email", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["email", "subject", "recipient__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    @admin.action(description="Send again (e-mail rows)")
    def resend(self, request, queryset):
        with transaction.atomic():
            ids = list(queryset.filter(channel=Notification.Channel.EMAIL).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=ids).update(status=Notification.Status.PENDING, last_error="")
            transaction.on_commit(lambda: enqueue(ids))
        messages.success(request, f"{len(ids)} e-mail(s) queued to send again.")

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email_enabled"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceOwnedAdmin):
    """Read-only: the trail cannot be edited, added to or deleted from the UI."""

    list_display = ["changed_at", "object_label", "field", "before", "after", "changed_by"]
    list_filter = ["object_type", "field"]
    search_fields = ["object_label"]
