"""REST API of purchasing: vendors, purchase orders (create with lines, send, cancel), receipts, a job's material
requirements (create, update, remove, issue from stock), outside operations (vendor, lead days, estimate), ship-outs,
vendor returns, and a vendor's certificate uploaded for a receipt or a return (the same services as the pages)."""

from decimal import Decimal

import django_filters
from django.db.models import F
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jobs.models import Job, Operation
from mto.api import (
    ACTION_ERROR_RESPONSES,
    ERROR_RESPONSES,
    ActionsField,
    BooleanFilter,
    EtagMixin,
    FilterSet,
    IdempotentCreateMixin,
    IdFilter,
    ModelSerializer,
    PrimaryKeyRelatedField,
    ReasonSerializer,
    Serializer,
    idempotent,
    service_action,
)

from . import services
from .models import (
    MaterialRequirement,
    OutsideOperation,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipOut,
    Unit,
    Vendor,
    VendorReturn,
)
from .workflow import TRANSITIONS, available_transitions

QUANTITY = {"max_digits": 12, "decimal_places": 3, "min_value": Decimal("0.001")}
COST = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
PIECES = {"min_value": 0, "max_value": 1_000_000}
READ = {"list": "view_purchasing", "retrieve": "view_purchasing"}
# A job's material: the buyer's, and the planner's (the services take either capability).
MATERIAL = ("buy", "plan_jobs")


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
    requirement = PrimaryKeyRelatedField(queryset=MaterialRequirement.objects.all(), allow_null=True, required=False)
    outside_operation = PrimaryKeyRelatedField(
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
    vendor = PrimaryKeyRelatedField(queryset=Vendor.objects.all())
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
    po_line = PrimaryKeyRelatedField(queryset=PurchaseOrderLine.objects.all())
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
class VendorViewSet(
    IdempotentCreateMixin, EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = VendorSerializer
    queryset = Vendor.objects.all()
    filterset_fields = ["code", "is_active", "is_approved", "supplies_material"]
    capabilities = {**READ, "create": "buy", "update": "buy", "partial_update": "buy"}


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


class CertificateSerializer(Serializer):
    certificate = serializers.FileField(
        help_text="The vendor's certificate: a PDF (checked by its content), named .pdf."
    )


def _certificate_action(response, what: str):
    def run(row, user, data):
        services.certificate_attach(row=row, upload=data["certificate"], by=user)

    return service_action("certificate", run, request=CertificateSerializer, response=response,
                          parsers=[MultiPartParser], idempotency=False,
                          summary=f"Attach the vendor's certificate (a PDF) to a {what}")  # fmt: skip


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
    capabilities = {**READ, "create": "receive", "certificate": "receive"}

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    certificate = _certificate_action(ReceiptSerializer, "receipt")


# --- a job's material --------------------------------------------------------------------------------------


class MaterialRequirementSerializer(ModelSerializer):
    job = PrimaryKeyRelatedField(queryset=Job.objects.all(), help_text="Set on create; cannot change.")
    operation = PrimaryKeyRelatedField(
        queryset=Operation.objects.all(), allow_null=True, required=False,
        help_text="The job's operation that waits for it (null: the job's first).",
    )  # fmt: skip
    vendor = PrimaryKeyRelatedField(queryset=Vendor.objects.all(), allow_null=True, required=False)
    description = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(**QUANTITY)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, default=Unit.PIECE)
    estimated_cost = serializers.DecimalField(**COST, required=False, default=Decimal("0"))

    class Meta:
        model = MaterialRequirement
        fields = ["id", "job", "operation", "description", "quantity", "unit", "estimated_cost", "vendor", "source",
                  "quantity_received", "stock_cost", "issued_at", "created_at"]  # fmt: skip
        read_only_fields = ["id", "source", "quantity_received", "stock_cost", "issued_at", "created_at"]

    def create(self, validated_data):
        job = validated_data.pop("job")
        return services.requirement_add(job=job, by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        job = validated_data.pop("job", None)
        if job is not None and job.pk != instance.job_id:
            raise serializers.ValidationError({"job": ["A requirement stays on its job; remove it and add it there."]})
        if self.partial:  # the defaults fill only what a full update leaves out
            validated_data = {k: v for k, v in validated_data.items() if k in self.initial_data}
        return services.requirement_update(requirement=instance, by=self.context["request"].user, **validated_data)


class IssueFromStockSerializer(Serializer):
    cost = serializers.DecimalField(**COST, help_text="What the material taken from stock is worth (the job's cost).")


class MaterialRequirementFilter(FilterSet):
    job = IdFilter(field_name="job_id")
    source = django_filters.ChoiceFilter(choices=MaterialRequirement.Source.choices)

    class Meta:
        model = MaterialRequirement
        fields = ["job", "source"]


def _issue_from_stock(requirement, user, data):
    services.requirement_issue_from_stock(requirement=requirement, cost=data["cost"], by=user)


@extend_schema_view(
    list=extend_schema(responses={200: MaterialRequirementSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: MaterialRequirementSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: MaterialRequirementSerializer, **ACTION_ERROR_RESPONSES}),
    update=extend_schema(responses={200: MaterialRequirementSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: MaterialRequirementSerializer, **ACTION_ERROR_RESPONSES}),
    destroy=extend_schema(responses={204: None, **ACTION_ERROR_RESPONSES}),
)
class MaterialRequirementViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                                 viewsets.ReadOnlyModelViewSet):  # fmt: skip
    """A job's material: bought on a PO line or issued from stock; its operation waits until it is in."""

    serializer_class = MaterialRequirementSerializer
    queryset = MaterialRequirement.objects.all()
    filterset_class = MaterialRequirementFilter
    capabilities = {**READ, "create": MATERIAL, "update": MATERIAL, "partial_update": MATERIAL,
                    "destroy": MATERIAL, "issue_from_stock": MATERIAL}  # fmt: skip

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.requirement_remove(requirement=instance, by=self.request.user)

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    issue_from_stock = service_action("issue-from-stock", _issue_from_stock, request=IssueFromStockSerializer,
                                      response=MaterialRequirementSerializer,
                                      summary="Issue a requirement from stock, with its cost")  # fmt: skip


# --- outside operations, ship-outs and vendor returns ---------------------------------------------------------


class OutsideOperationSerializer(ModelSerializer):
    vendor = PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), allow_null=True, required=False,
        help_text="An approved, active vendor of outside processing (null: none yet).",
    )  # fmt: skip
    lead_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    estimated_cost = serializers.DecimalField(**COST, required=False, help_text="For the job's quantity.")
    job = serializers.IntegerField(source="operation.job_id", read_only=True)
    work_center = serializers.CharField(source="operation.work_center.code", read_only=True)
    operation_status = serializers.CharField(source="operation.status", read_only=True)
    pieces_at_vendor = serializers.IntegerField(read_only=True)

    class Meta:
        model = OutsideOperation
        fields = ["id", "operation", "job", "work_center", "operation_status", "vendor", "lead_days", "estimated_cost",
                  "pieces_sent", "pieces_back_good", "pieces_rejected", "pieces_at_vendor", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "operation", "pieces_sent", "pieces_back_good", "pieces_rejected", "updated_at"]

    def update(self, instance, validated_data):
        def given(name):
            return validated_data[name] if name in validated_data else getattr(instance, name)

        return services.outside_operation_update(
            outside_operation=instance, vendor=given("vendor"), lead_days=given("lead_days"),
            estimated_cost=given("estimated_cost"), by=self.context["request"].user,
        )  # fmt: skip


class OutsideOperationFilter(FilterSet):
    job = IdFilter(field_name="operation__job_id")
    vendor = IdFilter(field_name="vendor_id")
    work_center = IdFilter(field_name="operation__work_center_id")
    operation_status = django_filters.ChoiceFilter(field_name="operation__status", choices=Operation.Status.choices)
    at_vendor = BooleanFilter(method="filter_at_vendor", help_text="Pieces are at the vendor now.")
    no_vendor = BooleanFilter(field_name="vendor", lookup_expr="isnull", help_text="No vendor picked yet.")

    class Meta:
        model = OutsideOperation
        fields = ["job", "vendor", "work_center", "operation_status", "at_vendor", "no_vendor"]

    def filter_at_vendor(self, queryset, name, value):
        out = F("pieces_sent") - F("pieces_back_good") - F("pieces_rejected")
        queryset = queryset.alias(out=out)
        return queryset.filter(out__gt=0) if value else queryset.filter(out=0)


@extend_schema_view(
    list=extend_schema(responses={200: OutsideOperationSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: OutsideOperationSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: OutsideOperationSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: OutsideOperationSerializer, **ACTION_ERROR_RESPONSES}),
)
class OutsideOperationViewSet(EtagMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Job operations a vendor does: who, how long, the estimate, and how many pieces are out and back."""

    serializer_class = OutsideOperationSerializer
    queryset = OutsideOperation.objects.select_related("operation__work_center")
    filterset_class = OutsideOperationFilter
    capabilities = {**READ, "update": "buy", "partial_update": "buy"}


class ShipOutSerializer(ModelSerializer):
    outside_operation = PrimaryKeyRelatedField(queryset=OutsideOperation.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    carrier = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        model = ShipOut
        fields = ["id", "number", "outside_operation", "quantity", "carrier", "notes", "po_line", "shipped_by",
                  "shipped_at"]  # fmt: skip
        read_only_fields = ["id", "number", "po_line", "shipped_by", "shipped_at"]

    def create(self, validated_data):
        return services.outside_ship_out(by=self.context["request"].user, **validated_data)


@extend_schema_view(
    list=extend_schema(responses={200: ShipOutSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ShipOutSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ShipOutSerializer, **ACTION_ERROR_RESPONSES}),
)
class ShipOutViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pieces shipped to a vendor for an outside operation (each prints as a vendor packing slip VS-000123)."""

    serializer_class = ShipOutSerializer
    queryset = ShipOut.objects.all()
    filterset_fields = ["outside_operation"]
    capabilities = {**READ, "create": "receive"}

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class VendorReturnSerializer(ModelSerializer):
    outside_operation = PrimaryKeyRelatedField(queryset=OutsideOperation.objects.all())
    good = serializers.IntegerField(**PIECES, required=False, default=0)
    rejected = serializers.IntegerField(**PIECES, required=False, default=0,
                                        help_text="Scrapped with the reason vendor reject.")  # fmt: skip
    lot_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    class Meta:
        model = VendorReturn
        fields = ["id", "outside_operation", "good", "rejected", "lot_number", "certificate_name", "received_by",
                  "received_at"]  # fmt: skip
        read_only_fields = ["id", "certificate_name", "received_by", "received_at"]

    def validate(self, attrs):
        if not attrs.get("good") and not attrs.get("rejected"):
            raise serializers.ValidationError({"good": "Receive at least one piece back (good or rejected)."})
        return attrs

    def create(self, validated_data):
        return services.outside_receive_back(by=self.context["request"].user, **validated_data)


@extend_schema_view(
    list=extend_schema(responses={200: VendorReturnSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: VendorReturnSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: VendorReturnSerializer, **ACTION_ERROR_RESPONSES}),
)
class VendorReturnViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pieces back from a vendor: good ones pass on to the next operation, rejected ones are scrap."""

    serializer_class = VendorReturnSerializer
    queryset = VendorReturn.objects.all()
    filterset_fields = ["outside_operation"]
    capabilities = {**READ, "create": "receive", "certificate": "receive"}

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    certificate = _certificate_action(VendorReturnSerializer, "vendor return")
