"""REST API of shipping: create shipments from order lines, ship, cancel, void (same services)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from mto.api import (
    ACTION_ERROR_RESPONSES,
    ERROR_RESPONSES,
    ActionsField,
    ModelSerializer,
    PrimaryKeyRelatedField,
    ReasonSerializer,
    idempotent,
    service_action,
)
from sales.models import MAX_PIECES, SalesOrder, SalesOrderLine

from . import services
from .models import Shipment, ShipmentLine
from .workflow import TRANSITIONS, available_transitions


class ShipmentLineSerializer(ModelSerializer):
    order_line = PrimaryKeyRelatedField(queryset=SalesOrderLine.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_PIECES)

    class Meta:
        model = ShipmentLine
        fields = ["order_line", "quantity"]


class ShipmentSerializer(ModelSerializer):
    order = PrimaryKeyRelatedField(queryset=SalesOrder.objects.all())
    lines = ShipmentLineSerializer(
        many=True, help_text="One entry per order line: naming the same order line twice is refused (400)."
    )
    ship_to = serializers.CharField(required=False, allow_blank=True)
    actions = ActionsField(available_transitions, TRANSITIONS)

    class Meta:
        model = Shipment
        fields = ["id", "number", "order", "status", "actions", "ship_to", "carrier", "service",
                  "tracking_number", "packages", "weight_kg", "notes", "needs_certificate", "lines", "shipped_at",
                  "created_at"]  # fmt: skip
        read_only_fields = ["id", "number", "status", "shipped_at", "created_at"]

    def validate_lines(self, lines):
        seen = set()
        for line in lines:
            if line["order_line"].pk in seen:
                raise serializers.ValidationError(
                    f"Order line {line['order_line'].pk} is named twice; give each line once with its whole quantity."
                )
            seen.add(line["order_line"].pk)
        return lines

    def create(self, validated_data):
        lines = {line["order_line"].pk: line["quantity"] for line in validated_data.pop("lines")}
        order = validated_data.pop("order")
        if not validated_data.get("ship_to"):
            validated_data.pop("ship_to", None)
        return services.shipment_create(order=order, lines=lines, by=self.context["request"].user, **validated_data)


def _shipment_action(name: str):
    def run(shipment, user, data):
        services.shipment_transition(shipment=shipment, name=name, by=user, reason=data["reason"])

    return service_action(name, run, request=ReasonSerializer, response=ShipmentSerializer)


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
