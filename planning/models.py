"""Work-center calendars and stored schedule runs.

A work center with no calendar row works the defaults (DEFAULT_SHIFTS: one 8-hour shift Monday to Friday,
capacity 1, 100 %). The schedule is the newest run whose status is `done`: a failed, interrupted or
superseded run leaves the previous one in place (its rows are written in one transaction at its end).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from jobs.models import Job, Operation, WorkCenter
from mto.models import TextSafetyMixin

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]  # fmt: skip
# (weekday, start, end) of a work center without shifts of its own.
DEFAULT_SHIFTS = tuple((day, datetime.time(7, 0), datetime.time(15, 0)) for day in range(5))
DEFAULT_CAPACITY = 1
DEFAULT_EFFICIENCY = 100


class WorkCenterCalendar(models.Model):
    """How much a work center can do: identical machines or people, and how efficiently against standard."""

    work_center = models.OneToOneField(WorkCenter, on_delete=models.CASCADE, related_name="calendar")
    capacity = models.PositiveSmallIntegerField(
        default=DEFAULT_CAPACITY, help_text="Identical machines or people who work here at the same time."
    )
    efficiency_percent = models.PositiveSmallIntegerField(
        "efficiency %", default=DEFAULT_EFFICIENCY, help_text="Standard hours done per hour worked, in percent."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="calendar_capacity_positive"),
            models.CheckConstraint(
                condition=Q(efficiency_percent__gte=1, efficiency_percent__lte=500), name="calendar_efficiency_range"
            ),
        ]

    def __str__(self):
        return f"Calendar of {self.work_center.code}"


class Shift(models.Model):
    """A shift of a work center on one weekday; an end at or before the start runs past midnight."""

    work_center = models.ForeignKey(WorkCenter, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["work_center", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shift_weekday_0_to_6"),
            models.CheckConstraint(condition=~Q(start=F("end")), name="shift_not_empty"),
            models.UniqueConstraint(fields=["work_center", "weekday", "start"], name="shift_unique_start"),
        ]

    def __str__(self):
        return f"{self.work_center.code} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(TextSafetyMixin, models.Model):
    """A day nobody works: the whole shop (no work center) or one work center."""

    date = models.DateField()
    work_center = models.ForeignKey(
        WorkCenter, on_delete=models.CASCADE, null=True, blank=True, related_name="holidays",
        help_text="Empty: the whole shop.",
    )  # fmt: skip
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(work_center__isnull=True), name="holiday_shop_date"),
            models.UniqueConstraint(fields=["date", "work_center"], name="holiday_center_date"),
        ]

    def __str__(self):
        return f"{self.date} {self.name or 'holiday'}"


class ScheduleRun(models.Model):
    class Trigger(models.TextChoices):
        ON_DEMAND = "on_demand", "On demand"
        NIGHTLY = "nightly", "Nightly"
        EVENT = "event", "After an event"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        # A newer request came in before this one started: the newest wins.
        SUPERSEDED = "superseded", "Superseded"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    reason = models.CharField(max_length=200, blank=True)  # which event, e.g. "J-000123 held"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The plan's time 0 (the minute it was made); planned operations are stored as datetimes.
    origin = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=20, blank=True)  # "cp-sat" or "dispatch"
    solver_status = models.CharField(max_length=20, blank=True)  # optimal, feasible, time_limit, infeasible
    objective = models.BigIntegerField(null=True, blank=True)  # total weighted tardiness, minutes x weight
    bound = models.BigIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    jobs_count = models.PositiveIntegerField(default=0)
    operations_count = models.PositiveIntegerField(default=0)
    late_jobs = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)  # why it failed

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="schedule_run_status")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="schedule_run_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(message=""), name="schedule_run_failed_has_message"
            ),
        ]

    def __str__(self):
        return f"Schedule run {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("planning:schedule")

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PlannedJob(models.Model):
    """A job's projected finish in a run: its last open operation's planned finish."""

    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="planned_jobs")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    finish = models.DateTimeField()
    due = models.DateTimeField()  # the end of the due date's day
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["run", "finish"]
        constraints = [models.UniqueConstraint(fields=["run", "job"], name="planned_job_once_per_run")]

    def __str__(self):
        return f"{self.job_id} in run {self.run_id}"

    @property
    def is_late(self) -> bool:
        return self.finish > self.due

    @property
    def late_days(self) -> int:
        return max((self.finish.date() - self.due.date()).days, 0)


class PlannedOperation(models.Model):
    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="planned_operations")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    work_center = models.ForeignKey(WorkCenter, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    finish = models.DateTimeField()
    work_minutes = models.PositiveIntegerField(default=0)
    is_fixed = models.BooleanField(default=False)  # running: left where it is

    class Meta:
        ordering = ["run", "start", "id"]
        indexes = [
            models.Index(fields=["run", "work_center", "start"], name="planned_op_center"),
            models.Index(fields=["run", "job"], name="planned_op_job"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "operation"], name="planned_op_once_per_run"),
            models.CheckConstraint(condition=Q(finish__gte=F("start")), name="planned_op_order"),
        ]

    def __str__(self):
        return f"{self.operation_id} in run {self.run_id}: {self.start:%Y-%m-%d %H:%M}"
