"""REST API of quality: an item's inspection plan (list, create, update), inspection results of an operation
(one sample at a time, as on the tablet), NCRs (list, open from scrap or failed results, disposition): the same
services as the pages."""

from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from jobs.models import Operation, ScrapRecord, WorkCenter
from mto.api import (
    ACTION_ERROR_RESPONSES,
    ERROR_RESPONSES,
    BooleanFilter,
    FilterSet,
    IdFilter,
    ModelSerializer,
    PrimaryKeyRelatedField,
    Serializer,
    idempotent,
    service_action,
)
from sales.models import Item

from . import services
from .models import InspectionResult, Kind, NonConformance, PlanCharacteristic, Sampling

READ = {"list": "view_quality", "retrieve": "view_quality"}
MEASURE = {"max_digits": 12, "decimal_places": 4, "allow_null": True, "required": False}
HOURS = {"max_digits": 9, "decimal_places": 3, "min_value": Decimal("0"), "required": False, "default": Decimal("0")}


class PlanCharacteristicSerializer(ModelSerializer):
    item = PrimaryKeyRelatedField(queryset=Item.objects.all(), help_text="Set on create; cannot change.")
    operation_sequence = serializers.IntegerField(min_value=1, max_value=32767)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, default=Kind.DIMENSION)
    nominal = serializers.DecimalField(**MEASURE)
    tolerance_plus = serializers.DecimalField(**MEASURE)
    tolerance_minus = serializers.DecimalField(**MEASURE, help_text="How far below nominal (a positive number).")
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    sampling = serializers.ChoiceField(choices=Sampling.choices, required=False, default=Sampling.EVERY)
    sample_n = serializers.IntegerField(min_value=1, max_value=1_000_000, allow_null=True, required=False)
    tolerance_label = serializers.CharField(read_only=True)

    class Meta:
        model = PlanCharacteristic
        fields = ["id", "item", "position", "operation_sequence", "name", "kind", "nominal", "tolerance_plus",
                  "tolerance_minus", "unit", "tolerance_label", "sampling", "sample_n", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "position", "updated_at"]

    def create(self, validated_data):
        return services.plan_characteristic_add(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        item = validated_data.pop("item", None)
        if item is not None and item.pk != instance.item_id:
            raise serializers.ValidationError({"item": ["A plan line stays on its item; add it to the other one."]})
        if self.partial:  # the defaults fill only what a full update leaves out
            validated_data = {k: v for k, v in validated_data.items() if k in self.initial_data}
        return services.plan_characteristic_update(
            characteristic=instance, by=self.context["request"].user, **validated_data
        )


class PlanCharacteristicFilter(FilterSet):
    item = IdFilter(field_name="item_id")

    class Meta:
        model = PlanCharacteristic
        fields = ["item"]


@extend_schema_view(
    list=extend_schema(responses={200: PlanCharacteristicSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: PlanCharacteristicSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: PlanCharacteristicSerializer, **ACTION_ERROR_RESPONSES}),
    update=extend_schema(responses={200: PlanCharacteristicSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: PlanCharacteristicSerializer, **ACTION_ERROR_RESPONSES}),
)
class PlanCharacteristicViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """An item's inspection plan, one characteristic a row; each new job of the item gets its own copy."""

    serializer_class = PlanCharacteristicSerializer
    queryset = PlanCharacteristic.objects.all()
    filterset_class = PlanCharacteristicFilter
    capabilities = {**READ, "create": "edit_quality_plans", "update": "edit_quality_plans",
                    "partial_update": "edit_quality_plans"}  # fmt: skip

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


# --- inspection results ---------------------------------------------------------------------------------------


class InspectionResultSerializer(ModelSerializer):
    operation = serializers.IntegerField(source="characteristic.operation_id", read_only=True)
    name = serializers.CharField(source="characteristic.name", read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["id", "characteristic", "operation", "name", "sample_no", "value", "passed", "ncr", "by", "at"]
        read_only_fields = fields


class MeasurementSerializer(Serializer):
    characteristic = serializers.IntegerField(min_value=1, help_text="A characteristic of the operation (job copy).")
    value = serializers.CharField(max_length=30, help_text='The measured value (a dimension), or "pass" / "fail".')


class InspectionRecordSerializer(Serializer):
    operation = PrimaryKeyRelatedField(queryset=Operation.objects.all())
    sample_no = serializers.IntegerField(min_value=1, max_value=1_000_000)
    measurements = MeasurementSerializer(many=True, help_text="At most 100; each characteristic once.")

    def validate_measurements(self, rows):
        if not rows or len(rows) > 100:
            raise serializers.ValidationError("Send 1 to 100 measurements.")
        if len({r["characteristic"] for r in rows}) != len(rows):
            raise serializers.ValidationError("Each characteristic once.")
        return rows


class InspectionResultFilter(FilterSet):
    operation = IdFilter(field_name="characteristic__operation_id")
    job = IdFilter(field_name="characteristic__job_id")
    passed = BooleanFilter(field_name="passed")

    class Meta:
        model = InspectionResult
        fields = ["operation", "job", "passed"]


@extend_schema_view(
    list=extend_schema(responses={200: InspectionResultSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: InspectionResultSerializer, **ERROR_RESPONSES}),
)
class InspectionResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Measured values and pass/fail results, with who and when; a failed one holds good pieces back at its
    operation until an NCR for it is dispositioned."""

    serializer_class = InspectionResultSerializer
    queryset = InspectionResult.objects.select_related("characteristic")
    filterset_class = InspectionResultFilter
    capabilities = {**READ, "create": "record_inspections"}

    @extend_schema(
        request=InspectionRecordSerializer,
        responses={201: InspectionResultSerializer(many=True), **ACTION_ERROR_RESPONSES},
        summary="Record one sample of an operation's characteristics",
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        body = InspectionRecordSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        values = {row["characteristic"]: row["value"] for row in data["measurements"]}
        results = services.inspection_record(
            operation=data["operation"], sample_no=data["sample_no"], values=values, by=request.user
        )
        rows = self.get_queryset().filter(pk__in=[r.pk for r in results])
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)


# --- NCRs -----------------------------------------------------------------------------------------------------


class NcrSerializer(ModelSerializer):
    class Meta:
        model = NonConformance
        fields = ["id", "number", "job", "operation", "work_center", "quantity", "reason", "scrap_record",
                  "opened_by", "opened_at", "status", "disposition", "disposition_note", "concession_reference",
                  "remake_job", "dispositioned_by", "dispositioned_at", "labor_cost", "material_cost",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields


class NcrOpenSerializer(Serializer):
    scrap_record = PrimaryKeyRelatedField(
        queryset=ScrapRecord.objects.all(), required=False, allow_null=True, help_text="Open it from a scrap report."
    )
    results = PrimaryKeyRelatedField(
        queryset=InspectionResult.objects.all(), many=True, required=False,
        help_text="Or from failed results of one operation (at most 100).",
    )  # fmt: skip
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False,
                                        help_text="Pieces (default: the scrap's or the failed samples').")  # fmt: skip
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if (attrs.get("scrap_record") is None) == (not attrs.get("results")):
            raise serializers.ValidationError("Give a scrap_record or failed results, not both.")
        if len(attrs.get("results") or []) > 100:
            raise serializers.ValidationError({"results": "At most 100 results."})
        return attrs


class DispositionSerializer(Serializer):
    disposition = serializers.ChoiceField(choices=NonConformance.Disposition.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    concession_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                                 help_text="The customer's, for use as is.")  # fmt: skip
    rework_work_center = PrimaryKeyRelatedField(
        queryset=WorkCenter.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    rework_description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    rework_setup_hours = serializers.DecimalField(**HOURS)
    rework_run_hours_per_piece = serializers.DecimalField(**HOURS)
    remake_quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True,
                                               default=None, help_text="Default: the NCR's pieces.")  # fmt: skip


class NcrFilter(FilterSet):
    job = IdFilter(field_name="job_id")
    work_center = IdFilter(field_name="work_center_id")
    status = django_filters.ChoiceFilter(choices=NonConformance.Status.choices)
    disposition = django_filters.ChoiceFilter(choices=NonConformance.Disposition.choices)

    class Meta:
        model = NonConformance
        fields = ["job", "work_center", "status", "disposition"]


def _disposition(ncr, user, data):
    services.ncr_disposition(ncr=ncr, by=user, **data)


@extend_schema_view(
    list=extend_schema(responses={200: NcrSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: NcrSerializer, **ERROR_RESPONSES}),
)
class NcrViewSet(viewsets.ReadOnlyModelViewSet):
    """Non-conformance reports: opened from scrap or a failed inspection, dispositioned, closed."""

    serializer_class = NcrSerializer
    queryset = NonConformance.objects.all()
    filterset_class = NcrFilter
    capabilities = {**READ, "create": "open_ncrs", "disposition": "disposition_ncrs"}

    @extend_schema(request=NcrOpenSerializer, responses={201: NcrSerializer, **ACTION_ERROR_RESPONSES},
                   summary="Open an NCR from a scrap report or failed inspection results")  # fmt: skip
    @idempotent
    def create(self, request, *args, **kwargs):
        body = NcrOpenSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if v is not None}
        ncr = services.ncr_open(by=request.user, **data)
        return Response(self.get_serializer(ncr).data, status=status.HTTP_201_CREATED)

    disposition = service_action("disposition", _disposition, request=DispositionSerializer, response=NcrSerializer,
                                 summary="Disposition an NCR (scrap, rework, use as is, return, remake)")  # fmt: skip
