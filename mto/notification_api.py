from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .api import ACTION_ERROR_RESPONSES, ERROR_RESPONSES
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body_text", "link", "created_at", "read_at"]


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

    @extend_schema(request=None, responses={200: NotificationSerializer, **ACTION_ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(self.get_queryset().get(pk=notification.pk)).data)
