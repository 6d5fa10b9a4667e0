from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from . import selectors, services
from .api import ERROR_RESPONSES, ModelSerializer, service_action
from .models import Notification


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body_text", "link", "created_at", "read_at"]


def _mark_read(notification, user, data):
    services.notifications_mark_read(user=user, notification=notification)


@extend_schema_view(
    list=extend_schema(responses={200: NotificationSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: NotificationSerializer, **ERROR_RESPONSES}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own in-app notifications."""

    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]
    capabilities = {"list": "*", "retrieve": "*", "read": "*"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return selectors.inbox(user=self.request.user)

    read = service_action("read", _mark_read, response=NotificationSerializer, idempotency=False)
