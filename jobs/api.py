"""REST API of the jobs app: read jobs and their progress, act on jobs and operations (same services)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mto.api import ACTION_ERROR_RESPONSES, ERROR_RESPONSES, idempotent

from . import services
from .models import Job, Operation, WorkCenter
from .workflow import SCRAP_REASONS


class WorkCenterSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkCenter
        fields = ["id", "code", "name", "hourly_rate", "is_active"]


class OperationSerializer(serializers.ModelSerializer):
    work_center = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Operation
        fields = ["id", "sequence", "work_center", "description", "setup_hours", "run_hours_per_piece", "status",
                  "good_qty", "scrap_qty", "started_at", "finished_at", "version"]  # fmt: skip


class JobSerializer(serializers.ModelSerializer):
    operations = OperationSerializer(many=True, read_only=True)
    sales_order = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Job
        fields = ["id", "number", "origin", "sales_order", "sales_order_line", "part_number", "part_revision",
                  "description", "quantity", "quantity_completed", "due_date", "priority", "status", "hold_reason",
                  "version", "operations", "updated_at"]  # fmt: skip


class JobActionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, help_text="The job's version you saw; 409 if it moved on.")


class OperationActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The operation's version you saw.")


class ReportSerializer(serializers.Serializer):
    good = serializers.IntegerField(min_value=0, max_value=1_000_000)
    scrap = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)
    scrap_reason = serializers.ChoiceField(choices=[""] + SCRAP_REASONS, required=False, default="")
    version = serializers.IntegerField(required=False)


def _job_action(name):
    def run(self, request, pk=None):
        job = self.get_object()
        data = JobActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.job_act(job=job, action=name, by=request.user, reason=data.validated_data["reason"],
                         expected_version=data.validated_data.get("version"))  # fmt: skip
        return Response(JobSerializer(self.get_queryset().get(pk=job.pk)).data)

    run.__name__ = name
    run = action(detail=True, methods=["post"], url_path=name)(idempotent(run))
    return extend_schema(request=JobActionSerializer, responses={200: JobSerializer, **ACTION_ERROR_RESPONSES})(run)


@extend_schema_view(
    list=extend_schema(responses={200: JobSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: JobSerializer, **ERROR_RESPONSES}),
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer
    filterset_fields = {"status": ["exact"], "sales_order__number": ["exact"], "due_date": ["lte", "gte"],
                        "operations__work_center__code": ["exact"]}  # fmt: skip
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs", "release": "manage_jobs",
                    "cancel": "manage_jobs", "hold": ("run_floor", "manage_jobs"),
                    "resume": ("run_floor", "manage_jobs")}  # fmt: skip

    def get_queryset(self):
        return Job.objects.select_related("sales_order").prefetch_related("operations__work_center").distinct()

    release = _job_action("release")
    hold = _job_action("hold")
    resume = _job_action("resume")
    cancel = _job_action("cancel")


def _operation_action(name):
    def run(self, request, pk=None):
        operation = self.get_object()
        data = OperationActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.operation_act(operation=operation, action=name, by=request.user,
                               expected_version=data.validated_data.get("version"))  # fmt: skip
        return Response(OperationSerializer(self.get_queryset().get(pk=operation.pk)).data)

    run.__name__ = name
    run = action(detail=True, methods=["post"], url_path=name)(idempotent(run))
    return extend_schema(
        request=OperationActionSerializer, responses={200: OperationSerializer, **ACTION_ERROR_RESPONSES}
    )(run)


@extend_schema_view(
    list=extend_schema(responses={200: OperationSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: OperationSerializer, **ERROR_RESPONSES}),
)
class OperationViewSet(viewsets.ReadOnlyModelViewSet):
    """Operations for machine terminals: start, pause, resume, finish, report pieces."""

    serializer_class = OperationSerializer
    filterset_fields = ["status", "job", "work_center__code"]
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs", **dict.fromkeys(
        ["start", "pause", "resume", "finish", "report"], "run_floor")}  # fmt: skip

    def get_queryset(self):
        return Operation.objects.select_related("work_center")

    start = _operation_action("start")
    pause = _operation_action("pause")
    resume = _operation_action("resume")
    finish = _operation_action("finish")

    @extend_schema(request=ReportSerializer, responses={200: OperationSerializer, **ACTION_ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    @idempotent
    def report(self, request, pk=None):
        operation = self.get_object()
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.operation_report_pieces(operation=operation, good=v["good"], scrap=v["scrap"],
                                         scrap_reason=v["scrap_reason"], by=request.user,
                                         expected_version=v.get("version"))  # fmt: skip
        return Response(OperationSerializer(self.get_queryset().get(pk=operation.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: WorkCenterSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: WorkCenterSerializer, **ERROR_RESPONSES}),
)
class WorkCenterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkCenterSerializer
    queryset = WorkCenter.objects.all()
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs"}
