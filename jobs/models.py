from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from mto.links import url_by_key
from mto.models import TextSafetyMixin
from sales.models import Item, SalesOrder, SalesOrderLine

HOURS = {"max_digits": 9, "decimal_places": 3, "default": Decimal("0")}


class WorkCenter(TextSafetyMixin, models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2)
    is_active = models.BooleanField("active", default=True)
    # Work done by a vendor (plating, heat treat): its operations are shipped out and received back
    # (purchasing), not started and reported on the floor.
    is_outside = models.BooleanField("outside process", default=False)
    # Who hears about new work here; a work center without leads notifies every shop floor lead.
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="work_centers")

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="wc_rate_not_negative")]

    def __str__(self):
        return f"{self.code} - {self.name}"


class RoutingStep(TextSafetyMixin, models.Model):
    """One step of a standard item's default routing; copied onto each job made for the item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="routing_steps")
    sequence = models.PositiveSmallIntegerField()
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    setup_hours = models.DecimalField(**HOURS)
    run_hours_per_piece = models.DecimalField(**HOURS)

    class Meta:
        ordering = ["item", "sequence"]
        constraints = [models.UniqueConstraint(fields=["item", "sequence"], name="routing_step_unique_sequence")]

    def __str__(self):
        return f"{self.item.part_number} {self.sequence}: {self.description}"


class Job(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RELEASED = "released", "Released"
        IN_PROGRESS = "in_progress", "In progress"
        ON_HOLD = "on_hold", "On hold"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    class Origin(models.TextChoices):
        ORDER = "order", "Sales order"
        REWORK = "rework", "Rework"
        STOCK = "stock", "Stock"
        SAMPLE = "sample", "Sample"
        # More pieces for an order line whose original job is complete (sales change requests).
        CHANGE = "change", "Order change"

    number = models.CharField(max_length=20, unique=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ORDER)
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sales_order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    part_number = models.CharField(max_length=60)
    part_revision = models.CharField(max_length=10, blank=True)
    description = models.CharField(max_length=255)
    is_custom = models.BooleanField(default=False)
    quantity = models.PositiveIntegerField()
    due_date = models.DateField()
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 (urgent) to 5 (whenever).")
    # Assigned only by jobs.services (the transition map in jobs.workflow).
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED, editable=False)
    held_from = models.CharField(max_length=12, choices=Status.choices, blank=True, editable=False)
    hold_reason = models.CharField(max_length=200, blank=True, editable=False)
    # Good pieces off the last operation: what shipping may ship. Kept by the piece-reporting service.
    quantity_completed = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The sales order revision this job follows (travelers print it).
    order_revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "priority", "id"]
        indexes = [
            models.Index(fields=["status", "due_date", "priority"], name="job_status_due"),
            models.Index(fields=["due_date", "priority", "id"], name="job_due_priority"),
            models.Index(fields=["sales_order"], name="job_sales_order"),
            # Open work is a small slice of ten years of jobs: late lists and the queue read only that slice.
            models.Index(
                fields=["due_date", "id"],
                condition=Q(status__in=["planned", "released", "in_progress", "on_hold"]),
                name="job_open_due",
            ),
            models.Index(fields=["completed_at"], condition=Q(status="complete"), name="job_completed_at"),
        ]
        constraints = [
            # One original job per order line: approving twice can never make a second set.
            models.UniqueConstraint(
                fields=["sales_order_line"], condition=Q(origin="order"), name="job_one_per_order_line"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="job_quantity_positive"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=5), name="job_priority_1_to_5"),
            models.CheckConstraint(
                condition=Q(origin="order", sales_order_line__isnull=False) | ~Q(origin="order"),
                name="job_order_origin_has_line",
            ),
            models.CheckConstraint(
                condition=Q(origin="change", sales_order_line__isnull=False) | ~Q(origin="change"),
                name="job_change_origin_has_line",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return url_by_key("jobs:job-detail", self.pk)

    def get_floor_url(self):
        return reverse("jobs:floor-job", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.COMPLETE, self.Status.CANCELLED)

    @property
    def is_late(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def is_short(self) -> bool:
        """Completed with fewer good pieces than ordered (the remake is the quality issue's)."""
        return self.status == self.Status.COMPLETE and self.quantity_completed < self.quantity

    @property
    def shortfall(self) -> int:
        return max(self.quantity - self.quantity_completed, 0)

    @property
    def part_label(self) -> str:
        rev = f" rev {self.part_revision}" if self.part_revision else ""
        return f"{self.part_number}{rev}"


class Operation(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveSmallIntegerField()
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="operations")
    description = models.CharField(max_length=200)
    setup_hours = models.DecimalField(**HOURS)
    run_hours_per_piece = models.DecimalField(**HOURS)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, editable=False)
    good_qty = models.PositiveIntegerField(default=0, editable=False)
    scrap_qty = models.PositiveIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # False while material this operation needs is still to come (purchasing sets it through a jobs
    # service); the floor shows such an operation as waiting, not ready.
    material_ready = models.BooleanField(default=True, editable=False)
    # An outside operation's pieces shipped to the vendor and not back yet (kept by the ship-out and
    # receive-back services of jobs, which purchasing calls); the floor shows "at vendor (N pcs)".
    pieces_at_vendor = models.PositiveIntegerField(default=0, editable=False)
    # Where the newest schedule puts this operation (planning writes them through jobs.services.
    # operations_set_planned); None: not in a schedule (never planned, its job on hold or just made).
    planned_start = models.DateTimeField(null=True, blank=True, editable=False)
    planned_finish = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["job", "sequence"]
        indexes = [
            models.Index(fields=["work_center", "status"], name="op_wc_status"),
            models.Index(fields=["planned_start"], condition=Q(planned_start__isnull=False), name="op_planned"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "sequence"], name="op_unique_sequence"),
            models.CheckConstraint(condition=Q(setup_hours__gte=0, run_hours_per_piece__gte=0), name="op_hours_ok"),
        ]

    def __str__(self):
        return f"{self.job.number}/{self.sequence} {self.description}"

    # Routing edits (not status moves): the planning services and the job page both ask these.
    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def is_removable(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def estimated_hours(self) -> Decimal:
        return self.setup_hours + self.run_hours_per_piece * self.job.quantity


class TimeEntry(models.Model):
    """An operation ran from start to stop; the pieces are those reported while it ran."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="time_entries")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    good_qty = models.PositiveIntegerField(default=0)
    scrap_qty = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The work center's rate when the entry started: a later rate change must not rewrite what work cost.
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            # No double time entry: an operation has at most one entry running.
            models.UniqueConstraint(
                fields=["operation"], condition=Q(stopped_at__isnull=True), name="time_entry_one_open"
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gte=F("started_at")), name="time_entry_order"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="time_entry_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.operation_id}: {self.started_at:%Y-%m-%d %H:%M}"


class ScrapRecord(models.Model):
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="scrap_records")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=60)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.quantity} x {self.reason}"


class JobNote(TextSafetyMixin, models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.text[:40]


class JobStatusChange(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Job.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Job.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.job_id}: {self.from_status or '-'} -> {self.to_status}"


class OperationStatusChange(models.Model):
    """An operation's moves: who started, paused, finished or reopened it, when, and why (a reopen says why)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Operation.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Operation.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.operation_id}: {self.from_status or '-'} -> {self.to_status}"


# --- operators, kiosks and labor (issue 21) ---------------------------------------------------------------


class LaborClass(TextSafetyMixin, models.Model):
    """A class of operators paid alike (setter, machinist, helper): the labor rate of those without their own."""

    name = models.CharField(max_length=60, unique=True)
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "labor classes"
        constraints = [models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="labor_class_rate_not_negative")]

    def __str__(self):
        return self.name


class OperatorProfile(TextSafetyMixin, models.Model):
    """What makes a user (role Operator) an operator: the badge they scan, their PIN, their labor rate.

    Operators never log in with a password: they identify on a kiosk tablet (jobs.kiosk) with the badge's code or
    their PIN. The badge's code is a random key; a lost badge is revoked by giving the operator a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_profile")
    badge_key = models.CharField(max_length=64, unique=True, editable=False)
    badge_issued_at = models.DateTimeField(default=timezone.now, editable=False)
    # A Django password hash of the 4-6 digit PIN ("" while none is set: the badge only).
    pin_hash = models.CharField(max_length=128, blank=True, editable=False)
    labor_class = models.ForeignKey(LaborClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The operator's own rate, over their class's.
    hourly_rate = models.DecimalField("own labor rate", max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0), name="operator_rate_not_negative"
            )
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.username

    @property
    def labor_rate(self) -> Decimal:
        """The rate in force now: their own, else their class's, else none known (0)."""
        if self.hourly_rate is not None:
            return self.hourly_rate
        if self.labor_class_id:
            return self.labor_class.hourly_rate
        return Decimal("0")


class KioskDevice(TextSafetyMixin, models.Model):
    """A tablet a manager enrolled as the kiosk of a work center. It holds a long-lived signed cookie with its id
    and a secret whose hash is kept here; revoking the row ends the tablet's kiosk session at its next request."""

    name = models.CharField(max_length=60)
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="kiosks")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["work_center__code", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.work_center.code})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LaborEntry(models.Model):
    """An operator on an operation from start to stop: their labor time, kept apart from the machine time (the
    operation's TimeEntry rows, which run while anyone is on it). Priced at the operator's labor rate in force when
    the entry started, so a later rate change leaves what the work cost alone."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="labor_entries")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labor_entries")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    good_qty = models.PositiveIntegerField(default=0)
    scrap_qty = models.PositiveIntegerField(default=0)
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2)
    labor_class = models.CharField(max_length=60, blank=True)  # the class's name then (shown with the cost)
    kiosk = models.ForeignKey(KioskDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name_plural = "labor entries"
        indexes = [models.Index(fields=["operator", "started_at"], name="labor_operator_started")]
        constraints = [
            # An operator is on one operation at a time (and so never twice on one).
            models.UniqueConstraint(
                fields=["operator"], condition=Q(stopped_at__isnull=True), name="labor_entry_one_open"
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gte=F("started_at")), name="labor_entry_order"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="labor_entry_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.operator_id} on {self.operation_id}: {self.started_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """An operator's shift: clocked in to clocked out (kept apart from the job time inside it)."""

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances")
    clock_in = models.DateTimeField()
    clock_out = models.DateTimeField(null=True, blank=True)
    kiosk = models.ForeignKey(KioskDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["clock_in", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator"], condition=Q(clock_out__isnull=True), name="attendance_one_open"
            ),
            models.CheckConstraint(
                condition=Q(clock_out__isnull=True) | Q(clock_out__gte=F("clock_in")), name="attendance_order"
            ),
        ]

    def __str__(self):
        return f"{self.operator_id}: {self.clock_in:%Y-%m-%d %H:%M}"


class IndirectTime(models.Model):
    """Time on the clock that is no job's: a meeting, cleaning, training (the gaps between job time)."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        CLEANING = "cleaning", "Cleaning"
        TRAINING = "training", "Training"
        MAINTENANCE = "maintenance", "Maintenance"
        WAITING = "waiting", "Waiting for work"

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indirect_times")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    hourly_rate = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator"], condition=Q(stopped_at__isnull=True), name="indirect_one_open"
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gte=F("started_at")), name="indirect_order"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="indirect_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.operator_id} {self.kind}: {self.started_at:%Y-%m-%d %H:%M}"
