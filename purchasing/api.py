"""REST API of purchasing: vendors, purchase orders (create with lines, send, cancel) and receipts (same services)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from mto.api import (
    ACTION_ERROR_RESPONSES,
    ERROR_RESPONSES,
    ActionsField,
    ModelSerializer,
    ReasonSerializer,
    check_if_match,
    etag_for,
    idempotent,
    service_action,
)

from . import services
from .models import MaterialRequirement, OutsideOperation, PurchaseOrder, PurchaseOrderLine, Receipt, Unit, Vendor
from .workflow import TRANSITIONS, available_transitions

QUANTITY = {"max_digits": 12, "decimal_places": 3, "min_value": Decimal("0.001")}
COST = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
READ = {"list": "view_purchasing", "retrieve": "view_purchasing"}


class VendorSerializer(ModelSerializer):
    lead_days = serializers.IntegerField(min_value=0, max_value=365, required=False)

    class Meta:
        model = Vendor
        fields = ["id", "code", "name", "contact_name", "email", "phone", "address", "lead_days", "supplies_material",
                  "processes", "is_approved", "is_active", "notes", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"code": {"validators": []}}  # the service (full_clean) says the code is taken

    def create(self, validated_data):
        return services.vendor_create(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.vendor_update(vendor=instance, by=self.context["request"].user, **validated_data)


class PurchaseOrderLineSerializer(ModelSerializer):
    requirement = serializers.PrimaryKeyRelatedField(
        queryset=MaterialRequirement.objects.all(), allow_null=True, required=False
    )
    outside_operation = serializers.PrimaryKeyRelatedField(
        queryset=OutsideOperation.objects.all(), allow_null=True, required=False
    )
    quantity = serializers.DecimalField(**QUANTITY)
    unit_cost = serializers.DecimalField(**COST)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, default=Unit.PIECE)

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "line_no", "requirement", "outside_operation", "description", "quantity", "unit", "unit_cost",
                  "due_date", "quantity_received", "receive_limit", "is_cancelled"]  # fmt: skip
        read_only_fields = ["id", "line_no", "quantity_received", "receive_limit", "is_cancelled"]
        validators = []  # one open line per requirement: the service says which order holds it


class PurchaseOrderSerializer(ModelSerializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    lines = PurchaseOrderLineSerializer(many=True, help_text="At most 200 lines.")
    actions = ActionsField(available_transitions, [n for n, t in TRANSITIONS.items() if not t.is_system])

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "vendor", "status", "actions", "notes", "cancel_reason", "sent_at", "lines",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "number", "status", "cancel_reason", "sent_at", "created_at", "updated_at"]

    def validate_lines(self, lines):
        if len(lines) > 200:
            raise serializers.ValidationError("At most 200 lines.")
        return lines

    def create(self, validated_data):
        return services.purchase_order_create(
            vendor=validated_data["vendor"], lines=[dict(line) for line in validated_data["lines"]],
            notes=validated_data.get("notes", ""), by=self.context["request"].user,
        )  # fmt: skip


class ReceiptSerializer(ModelSerializer):
    po_line = serializers.PrimaryKeyRelatedField(queryset=PurchaseOrderLine.objects.all())
    quantity = serializers.DecimalField(**QUANTITY)
    lot_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    class Meta:
        model = Receipt
        fields = ["id", "po_line", "quantity", "lot_number", "certificate_name", "received_by", "received_at"]
        read_only_fields = ["id", "certificate_name", "received_by", "received_at"]

    def create(self, validated_data):
        return services.receipt_create(by=self.context["request"].user, **validated_data)


@extend_schema_view(
    list=extend_schema(responses={200: VendorSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: VendorSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: VendorSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: VendorSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: VendorSerializer, **ACTION_ERROR_RESPONSES}),
)
class VendorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VendorSerializer
    queryset = Vendor.objects.all()
    filterset_fields = ["code", "is_active", "is_approved", "supplies_material"]
    capabilities = {**READ, "create": "buy", "update": "buy", "partial_update": "buy"}

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def perform_update(self, serializer):
        check_if_match(self.request, serializer.instance)
        serializer.save()


def _po_action(name: str):
    transition = name.replace("-", "_")

    def run(po, user, data):
        services.purchase_order_transition(po=po, name=transition, by=user, reason=data.get("reason", ""))

    return service_action(name, run, request=ReasonSerializer, response=PurchaseOrderSerializer,
                          summary=f"{TRANSITIONS[transition].label} (purchase order)")  # fmt: skip


@extend_schema_view(
    list=extend_schema(responses={200: PurchaseOrderSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: PurchaseOrderSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: PurchaseOrderSerializer, **ACTION_ERROR_RESPONSES}),
)
class PurchaseOrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["status", "vendor"]
    capabilities = {**READ, "create": "buy", "send": "buy", "cancel": "buy", "close": "buy", "short_close": "buy"}

    def get_queryset(self):
        return PurchaseOrder.objects.prefetch_related("lines")

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    send = _po_action("send")
    cancel = _po_action("cancel")
    close = _po_action("close")
    short_close = _po_action("short-close")


@extend_schema_view(
    list=extend_schema(responses={200: ReceiptSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ReceiptSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ReceiptSerializer, **ACTION_ERROR_RESPONSES}),
)
class ReceiptViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Material receipts (the certificate PDF is attached on the receiving page)."""

    serializer_class = ReceiptSerializer
    queryset = Receipt.objects.all()
    filterset_fields = ["po_line", "lot_number"]
    capabilities = {**READ, "create": "receive"}

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
