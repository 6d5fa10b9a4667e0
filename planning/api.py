"""REST API of planning: the schedule's status, a new run (Plan now), and the projections of a job and of an
order against their due (and promised) dates. Same selectors and services as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jobs.models import Job
from mto.api import ERROR_RESPONSES, ModelSerializer
from sales.models import SalesOrder

from . import selectors
from .models import ScheduleRun
from .services import schedule_request

READ = ("plan_jobs", "view_reports")


class ScheduleRunSerializer(ModelSerializer):
    class Meta:
        model = ScheduleRun
        fields = ["id", "trigger", "reason", "requested_at", "status", "started_at", "finished_at", "progress",
                  "stage", "method", "solver_status", "objective", "bound", "seconds", "jobs_count",
                  "operations_count", "late_jobs", "message"]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(many=False)  # one object at the list URL, not a list
class StatusSerializer(serializers.Serializer):
    current = ScheduleRunSerializer(allow_null=True, help_text="The schedule in force: the newest finished run.")
    latest = ScheduleRunSerializer(allow_null=True, help_text="The newest run, maybe still queued or running.")

    class Meta:
        ref_name = "ScheduleStatus"


class ProjectionFields(serializers.Serializer):
    finish = serializers.DateTimeField(allow_null=True, help_text="Projected finish; null when not scheduled.")
    due_date = serializers.DateField(allow_null=True)
    planned = serializers.BooleanField(help_text="Whether the schedule holds it (released, not on hold).")
    late_days = serializers.IntegerField()
    is_late = serializers.BooleanField()
    at_risk = serializers.BooleanField(help_text="Finishing within a day of its due (or promised) date.")


class JobProjectionSerializer(ProjectionFields):
    job = serializers.IntegerField()
    number = serializers.CharField()
    run = serializers.IntegerField(allow_null=True)


class OrderProjectionSerializer(ProjectionFields):
    order = serializers.IntegerField()
    number = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True)
    run = serializers.IntegerField(allow_null=True)
    jobs = JobProjectionSerializer(many=True)


class PromiseLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    finish = serializers.DateTimeField()


class PromiseSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    number = serializers.CharField()
    run = serializers.IntegerField(allow_null=True, help_text="The schedule it was planned into (null: none yet).")
    earliest_ship_date = serializers.DateField(allow_null=True)
    finish = serializers.DateTimeField(allow_null=True)
    lines = PromiseLineSerializer(many=True)
    unrouted_lines = serializers.ListField(child=serializers.IntegerField(),
                                           help_text="Lines without a routing yet: not in the date.")  # fmt: skip
    too_far = serializers.BooleanField(
        help_text="No room within the plan's horizon (the stored schedule's end plus the order's own work)."
    )
    earliest_ship_date_moving_work = serializers.DateField(
        allow_null=True,
        help_text="The second figure: committed work may move where no other order becomes late "
        "(against its promised date, else its due date) nor later than it is, where late already.",
    )
    finish_moving_work = serializers.DateTimeField(allow_null=True)
    lines_moving_work = PromiseLineSerializer(many=True)
    orders_moved = serializers.ListField(
        child=serializers.CharField(), help_text="Orders that finish later in the second figure (none late)."
    )


class SlipSerializer(serializers.Serializer):
    order = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(help_text="The order's number (a job's, for a job without an order).")
    jobs = serializers.ListField(child=serializers.CharField())
    before = serializers.DateTimeField(help_text="Its projected finish now.")
    after = serializers.DateTimeField(help_text="Its projected finish if the order gets priority.")
    hours_later = serializers.FloatField()
    date = serializers.DateField(allow_null=True, help_text="Its promised date, else its latest due date.")
    becomes_late = serializers.BooleanField()
    was_late = serializers.BooleanField()


class WhatIfSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    number = serializers.CharField()
    run = serializers.IntegerField(allow_null=True)
    finish_now = serializers.DateTimeField(allow_null=True)
    finish_with_priority = serializers.DateTimeField(allow_null=True)
    slips = SlipSerializer(many=True, help_text="Other orders that would finish later, the largest slip first.")
    stored = serializers.BooleanField(help_text="Always false: a what-if changes no schedule.")


def _fields(p) -> dict:
    if p is None:
        return {"finish": None, "due_date": None, "planned": False, "late_days": 0, "is_late": False, "at_risk": False}
    return {"finish": p.finish, "due_date": p.due, "planned": p.planned, "late_days": p.late_days,
            "is_late": p.is_late, "at_risk": p.at_risk}  # fmt: skip


class ScheduleViewSet(viewsets.ViewSet):
    """The schedule: GET its status, POST run for a new one, GET a job's or an order's projection."""

    capabilities = {"list": READ, "run": "plan_jobs", "job": READ, "order": READ, "promise": READ, "what_if": READ}
    serializer_class = ScheduleRunSerializer

    @extend_schema(responses={200: StatusSerializer, **ERROR_RESPONSES}, summary="The schedule's status")
    def list(self, request):
        current, latest = selectors.current_run(), selectors.latest_run()
        return Response({"current": ScheduleRunSerializer(current).data if current else None,
                         "latest": ScheduleRunSerializer(latest).data if latest else None})  # fmt: skip

    @extend_schema(request=None, responses={202: ScheduleRunSerializer, **ERROR_RESPONSES},
                   summary="Plan now: ask for a new schedule (the newest request wins)")  # fmt: skip
    @action(detail=False, methods=["post"])
    def run(self, request):
        run = schedule_request(trigger=ScheduleRun.Trigger.ON_DEMAND, by=request.user, reason="API")
        return Response(ScheduleRunSerializer(run).data, status=202)

    @extend_schema(responses={200: JobProjectionSerializer, **ERROR_RESPONSES}, summary="A job's projected finish")
    @action(detail=False, methods=["get"], url_path=r"jobs/(?P<job_pk>[0-9]+)")
    def job(self, request, job_pk=None):
        job = get_object_or_404(Job, pk=job_pk)
        run = selectors.current_run()
        projection = selectors.job_projection(job=job, run=run) if run else None
        data = {"job": job.pk, "number": job.number, "run": run.pk if run else None, **_fields(projection)}
        if projection is None:
            data["due_date"] = job.due_date
        return Response(JobProjectionSerializer(data).data)

    @extend_schema(responses={200: OrderProjectionSerializer, **ERROR_RESPONSES},
                   summary="An order's projected finish, and each of its open jobs'")  # fmt: skip
    @action(detail=False, methods=["get"], url_path=r"orders/(?P<order_pk>[0-9]+)")
    def order(self, request, order_pk=None):
        order = get_object_or_404(SalesOrder, pk=order_pk)
        run = selectors.current_run()
        projection = selectors.order_projection(order=order, run=run) if run else None
        jobs = [{"job": job.pk, "number": job.number, "run": run.pk, **_fields(p)}
                for job, p in (projection.jobs if projection else [])]  # fmt: skip
        data = {"order": order.pk, "number": order.number, "promised_date": order.promised_date,
                "run": run.pk if run else None, **_fields(projection), "jobs": jobs}  # fmt: skip
        return Response(OrderProjectionSerializer(data).data)

    @extend_schema(responses={200: PromiseSerializer, **ERROR_RESPONSES},
                   summary="Capable to promise: a draft or pending order's earliest ship date")  # fmt: skip
    @action(detail=False, methods=["get"], url_path=r"orders/(?P<order_pk>[0-9]+)/promise")
    def promise(self, request, order_pk=None):
        from rest_framework.exceptions import ValidationError

        from .services.promise import promise_figures

        order = get_object_or_404(SalesOrder, pk=order_pk)
        if order.status not in ("draft", "pending_approval"):
            raise ValidationError({"detail": f"{order.number} is {order.get_status_display().lower()}: its jobs "
                                             "are in the schedule already (see its projection)."})  # fmt: skip
        run = selectors.current_run()
        p, q = promise_figures(order=order, run=run)
        return Response(PromiseSerializer({
            "order": order.pk, "number": order.number, "run": run.pk if run else None,
            "earliest_ship_date": p.ship_date, "finish": p.finish,
            "lines": [{"line_no": line.line_no, "finish": finish} for line, finish in p.lines],
            "unrouted_lines": [line.line_no for line in p.unrouted], "too_far": p.too_far,
            "earliest_ship_date_moving_work": q.ship_date, "finish_moving_work": q.finish,
            "lines_moving_work": [{"line_no": line.line_no, "finish": finish} for line, finish in q.lines],
            "orders_moved": [s.order.number if s.order else s.jobs[0].number for s in q.moved],
        }).data)  # fmt: skip

    @extend_schema(responses={200: WhatIfSerializer, **ERROR_RESPONSES},
                   summary="What if the order gets priority: which other orders would slip, by how much")  # fmt: skip
    @action(detail=False, methods=["get"], url_path=r"orders/(?P<order_pk>[0-9]+)/what-if")
    def what_if(self, request, order_pk=None):
        from rest_framework.exceptions import ValidationError

        from .services.priority import order_priority_what_if

        order = get_object_or_404(SalesOrder, pk=order_pk)
        if order.status in ("shipped", "closed", "cancelled"):
            raise ValidationError({"detail": f"{order.number} is {order.get_status_display().lower()}: nothing of "
                                             "it is left to plan."})  # fmt: skip
        run = selectors.current_run()
        answer = order_priority_what_if(order=order, run=run)
        slips = [{"order": s.order.pk if s.order else None, "number": s.order.number if s.order else s.jobs[0].number,
                  "jobs": [j.number for j in s.jobs], "before": s.before, "after": s.after, "hours_later": s.hours,
                  "date": s.target, "becomes_late": s.becomes_late, "was_late": s.was_late}
                 for s in answer.slips]  # fmt: skip
        return Response(WhatIfSerializer({
            "order": order.pk, "number": order.number, "run": run.pk if run else None,
            "finish_now": answer.before, "finish_with_priority": answer.after, "slips": slips, "stored": False,
        }).data)  # fmt: skip
