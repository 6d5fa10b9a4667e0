"""REST API of shipping: create shipments from order lines, ship, cancel, void (same services)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mto.api import ACTION_ERROR_RESPONSES, ERROR_RESPONSES, idempotent
from sales.models import SalesOrder, SalesOrderLine

from . import services
from .models import Shipment, ShipmentLine


class ShipmentLineSerializer(serializers.ModelSerializer):
    order_line = serializers.PrimaryKeyRelatedField(queryset=SalesOrderLine.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)

    class Meta:
        model = ShipmentLine
        fields = ["order_line", "quantity"]


class ShipmentSerializer(serializers.ModelSerializer):
    order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all())
    lines = ShipmentLineSerializer(many=True)
    ship_to = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Shipment
        fields = ["id", "number", "order", "status", "ship_to", "carrier", "service", "tracking_number", "packages",
                  "weight_kg", "notes", "needs_certificate", "lines", "shipped_at", "created_at"]  # fmt: skip
        read_only_fields = ["id", "number", "status", "shipped_at", "created_at"]

    def create(self, validated_data):
        lines = {line["order_line"].pk: line["quantity"] for line in validated_data.pop("lines")}
        order = validated_data.pop("order")
        if not validated_data.get("ship_to"):
            validated_data.pop("ship_to", None)
        return services.shipment_create(order=order, lines=lines, by=self.context["request"].user, **validated_data)


class ShipmentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _shipment_action(name):
    def run(self, request, pk=None):
        shipment = self.get_object()
        data = ShipmentReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.shipment_transition(
            shipment=shipment, name=name, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data)

    run.__name__ = name
    run = action(detail=True, methods=["post"], url_path=name)(idempotent(run))
    return extend_schema(
        request=ShipmentReasonSerializer, responses={200: ShipmentSerializer, **ACTION_ERROR_RESPONSES}
    )(run)


@extend_schema_view(
    list=extend_schema(responses={200: ShipmentSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ShipmentSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ShipmentSerializer, **ACTION_ERROR_RESPONSES}),
)
class ShipmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ShipmentSerializer
    filterset_fields = ["status", "order", "tracking_number"]
    capabilities = {"list": "view_shipments", "retrieve": "view_shipments", "create": "ship", "ship": "ship",
                    "cancel": "ship", "void": "void_shipments"}  # fmt: skip

    def get_queryset(self):
        return Shipment.objects.prefetch_related("lines")

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    ship = _shipment_action("ship")
    cancel = _shipment_action("cancel")
    void = _shipment_action("void")
