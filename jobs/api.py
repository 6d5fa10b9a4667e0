"""REST API of the jobs app: read jobs and their progress, act on jobs and operations (same services)."""

import django_filters
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from mto import reads
from mto.api import ERROR_RESPONSES, ActionsField, FilterSet, ModelSerializer, Serializer, service_action
from sales.models import MAX_PIECES

from . import services
from .models import Job, Operation, WorkCenter
from .workflow import JOB_ACTIONS, OPERATION_MOVES, SCRAP_REASONS, available_job_actions, available_operation_moves


class WorkCenterSerializer(ModelSerializer):
    class Meta:
        model = WorkCenter
        fields = ["id", "code", "name", "hourly_rate", "is_active"]


class OperationSerializer(ModelSerializer):
    work_center = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # None while the job may not move; the job comes with the row (select_related or the job's prefetch).
    actions = ActionsField(lambda op, user: available_operation_moves(op, op.job, user), OPERATION_MOVES)

    class Meta:
        model = Operation
        fields = ["id", "sequence", "work_center", "description", "setup_hours", "run_hours_per_piece", "status",
                  "actions", "good_qty", "scrap_qty", "started_at", "finished_at", "version"]  # fmt: skip


class JobSerializer(ModelSerializer):
    operations = OperationSerializer(many=True, read_only=True)
    sales_order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    actions = ActionsField(available_job_actions, JOB_ACTIONS)

    class Meta:
        model = Job
        fields = ["id", "number", "origin", "sales_order", "sales_order_line", "part_number", "part_revision",
                  "description", "quantity", "quantity_completed", "due_date", "priority", "status", "actions",
                  "hold_reason",
                  "version", "operations", "updated_at"]  # fmt: skip


class JobActionSerializer(Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, help_text="The job's version you saw; 409 if it moved on.")


class OperationActionSerializer(Serializer):
    version = serializers.IntegerField(required=False, help_text="The operation's version you saw.")
    short = serializers.BooleanField(
        required=False, default=False,
        help_text="Finish: confirmed that pieces are left unreported (without it such a finish is refused).",
    )  # fmt: skip
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Reopen: why (required)."
    )


class ReportSerializer(Serializer):
    good = serializers.IntegerField(min_value=0, max_value=MAX_PIECES)
    scrap = serializers.IntegerField(min_value=0, max_value=MAX_PIECES, default=0)
    scrap_reason = serializers.ChoiceField(choices=[""] + SCRAP_REASONS, required=False, default="")
    version = serializers.IntegerField(required=False)


def _job_action(name: str):
    def run(job, user, data):
        services.job_act(job=job, action=name, by=user, reason=data["reason"], expected_version=data.get("version"))

    return service_action(name, run, request=JobActionSerializer, response=JobSerializer)


class JobApiFilter(FilterSet):
    """The jobs list's filters. A work center is an EXISTS on its operations, not a join: a join needs DISTINCT,
    which made PostgreSQL sort every job before the page's 50 (64 ms at 10,000 orders, growing with the data)."""

    operations__work_center__code = django_filters.CharFilter(method="at_work_center", label="Work center code")

    class Meta:
        model = Job
        fields = {"status": ["exact"], "sales_order__number": ["exact"], "due_date": ["lte", "gte"]}

    def at_work_center(self, queryset, name, value):
        return queryset.filter(Exists(Operation.objects.filter(job=OuterRef("pk"), work_center__code=value)))


@extend_schema_view(
    list=extend_schema(responses={200: JobSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: JobSerializer, **ERROR_RESPONSES}),
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer
    filterset_class = JobApiFilter
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs", "release": "manage_jobs",
                    "cancel": "manage_jobs", "hold": ("run_floor", "manage_jobs"),
                    "resume": ("run_floor", "manage_jobs")}  # fmt: skip

    def get_queryset(self):
        return Job.objects.select_related("sales_order").prefetch_related("operations__work_center")

    release = _job_action("release")
    hold = _job_action("hold")
    resume = _job_action("resume")
    cancel = _job_action("cancel")


def _operation_action(name: str):
    def run(operation, user, data):
        services.operation_act(operation=operation, action=name, by=user, expected_version=data.get("version"),
                               short=data.get("short", False), reason=data.get("reason", ""))  # fmt: skip

    return service_action(name, run, request=OperationActionSerializer, response=OperationSerializer)


def _report(operation, user, data):
    services.operation_report_pieces(operation=operation, good=data["good"], scrap=data["scrap"],
                                     scrap_reason=data["scrap_reason"], by=user,
                                     expected_version=data.get("version"))  # fmt: skip


@extend_schema_view(
    list=extend_schema(responses={200: OperationSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: OperationSerializer, **ERROR_RESPONSES}),
)
class OperationViewSet(viewsets.ReadOnlyModelViewSet):
    """Operations for machine terminals: start, pause, resume, finish, report pieces."""

    serializer_class = OperationSerializer
    filterset_fields = ["status", "job", "work_center__code"]
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs", **dict.fromkeys(
        ["start", "pause", "resume", "finish", "report"], "run_floor"),
        "reopen": ("run_floor", "manage_jobs")}  # fmt: skip

    # An action's operation, before and after its service: compiled once per process (the tablets' hot path).
    detail_read = reads.CompiledQuery(lambda pk: Operation.objects.select_related("work_center", "job").filter(pk=pk))

    def get_queryset(self):
        return Operation.objects.select_related("work_center", "job")

    start = _operation_action("start")
    pause = _operation_action("pause")
    resume = _operation_action("resume")
    finish = _operation_action("finish")
    reopen = _operation_action("reopen")

    report = service_action("report", _report, request=ReportSerializer, response=OperationSerializer)


@extend_schema_view(
    list=extend_schema(responses={200: WorkCenterSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: WorkCenterSerializer, **ERROR_RESPONSES}),
)
class WorkCenterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkCenterSerializer
    queryset = WorkCenter.objects.all()
    capabilities = {"list": "view_jobs", "retrieve": "view_jobs"}
