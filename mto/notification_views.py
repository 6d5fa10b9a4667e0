from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView, TemplateView

from mto.pagination import CappedPaginator

from . import selectors, services
from .notifications import KINDS


class NotificationListView(ListView):
    """Everyone signed in sees their own notifications, and only theirs."""

    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 25
    paginator_class = CappedPaginator

    def get_queryset(self):
        return selectors.inbox(user=self.request.user).order_by("-id")


class NotificationReadView(View):
    def post(self, request, pk=None):
        if pk is None:
            services.notifications_mark_read(user=request.user)
            return redirect("notification-list")
        notification = get_object_or_404(selectors.inbox(user=request.user), pk=pk)
        services.notifications_mark_read(user=request.user, notification=notification)
        target = notification.link if notification.link.startswith("/") else None
        return redirect(target or "notification-list")


class NotificationPreferencesView(TemplateView):
    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=selectors.email_choices(user=self.request.user), **kwargs)

    def post(self, request):
        # An unticked box is not posted: every kind is saved, on or off.
        choices = {key: request.POST.get(key) == "on" for key in KINDS}
        services.notification_preferences_save(user=request.user, email_enabled=choices)
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("notification-preferences")
