from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from mto.pagination import CappedPaginator

from .models import Notification, NotificationPreference
from .notifications import KINDS


def _inbox(user):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


class NotificationListView(ListView):
    """Everyone signed in sees their own notifications, and only theirs."""

    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 25
    paginator_class = CappedPaginator

    def get_queryset(self):
        return _inbox(self.request.user).order_by("-id")


class NotificationReadView(View):
    def post(self, request, pk=None):
        now = timezone.now()
        if pk is None:
            _inbox(request.user).filter(read_at__isnull=True).update(read_at=now)
            return redirect("notification-list")
        notification = get_object_or_404(_inbox(request.user), pk=pk)
        _inbox(request.user).filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        target = notification.link if notification.link.startswith("/") else None
        return redirect(target or "notification-list")


class NotificationPreferencesView(TemplateView):
    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs):
        off = set(
            NotificationPreference.objects.filter(user=self.request.user, email_enabled=False).values_list(
                "kind", flat=True
            )
        )
        kinds = [
            (key, kind, key not in off)
            for key, kind in KINDS.items()
            if key not in ("order_acknowledgment", "shipping_notice")
        ]
        return super().get_context_data(kinds=kinds, **kwargs)

    @transaction.atomic
    def post(self, request):
        for key in KINDS:
            NotificationPreference.objects.update_or_create(
                user=request.user, kind=key, defaults={"email_enabled": request.POST.get(key) == "on"}
            )
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("notification-preferences")
