"""Inspection plans, the job's own copy of them, measured results and non-conformance reports (NCRs)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from jobs.models import Job, Operation, ScrapRecord, WorkCenter
from mto.links import url_by_key
from mto.models import TextSafetyMixin
from sales.models import Item

MEASURE = {"max_digits": 12, "decimal_places": 4, "null": True, "blank": True}
MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class Kind(models.TextChoices):
    DIMENSION = "dimension", "Dimension"
    ATTRIBUTE = "attribute", "Pass/fail"


class Sampling(models.TextChoices):
    EVERY = "every", "Every piece"
    FIRST = "first", "First N pieces"
    LOT = "lot", "One per lot of N"


class CharacteristicFields(TextSafetyMixin, models.Model):
    """What a characteristic is: the plan's and the job's copy share these fields."""

    operation_sequence = models.PositiveSmallIntegerField(
        help_text="The routing step (sequence) of the inspection operation it is measured at."
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIMENSION)
    nominal = models.DecimalField(**MEASURE)
    tolerance_plus = models.DecimalField(**MEASURE)
    tolerance_minus = models.DecimalField(**MEASURE, help_text="How far below nominal (a positive number).")
    unit = models.CharField(max_length=10, blank=True, default="mm")
    sampling = models.CharField(max_length=5, choices=Sampling.choices, default=Sampling.EVERY)
    sample_n = models.PositiveIntegerField(null=True, blank=True, help_text="N of first N or of a lot of N.")

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def is_dimension(self) -> bool:
        return self.kind == Kind.DIMENSION

    @property
    def lower(self) -> Decimal | None:
        return None if self.nominal is None else self.nominal - (self.tolerance_minus or 0)

    @property
    def upper(self) -> Decimal | None:
        return None if self.nominal is None else self.nominal + (self.tolerance_plus or 0)

    @property
    def tolerance_label(self) -> str:
        if not self.is_dimension:
            return "pass / fail"
        plus, minus = self.tolerance_plus or Decimal(0), self.tolerance_minus or Decimal(0)
        return f"{self.nominal.normalize():f} +{plus.normalize():f}/-{minus.normalize():f} {self.unit}".strip()

    @property
    def sampling_label(self) -> str:
        if self.sampling == Sampling.EVERY:
            return "every piece"
        return f"first {self.sample_n}" if self.sampling == Sampling.FIRST else f"1 per lot of {self.sample_n}"

    def samples_for(self, quantity: int) -> int:
        """How many samples a job of `quantity` pieces needs measured."""
        if self.sampling == Sampling.EVERY:
            return quantity
        if self.sampling == Sampling.FIRST:
            return min(self.sample_n or 1, quantity)
        n = self.sample_n or 1
        return -(-quantity // n)

    def conforms(self, value: Decimal) -> bool:
        return self.lower <= value <= self.upper


def _characteristic_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=~Q(kind="dimension") | Q(nominal__isnull=False, tolerance_plus__gte=0, tolerance_minus__gte=0),
            name=f"{prefix}_dimension_has_tolerance",
        ),
        models.CheckConstraint(condition=Q(sampling="every") | Q(sample_n__gte=1), name=f"{prefix}_sample_n_given"),
    ]


class PlanCharacteristic(CharacteristicFields):
    """One line of an item's inspection plan; copied onto each job made for the item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="inspection_plan")
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item", "operation_sequence", "position", "id"]
        constraints = _characteristic_constraints("plan_char")


class JobCharacteristic(CharacteristicFields):
    """The job's own copy of a plan line, made when the job is: later plan edits leave a running job alone."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="characteristics")
    # The operation at `operation_sequence` when the copy was made (none if the job's routing has no such step).
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="characteristics"
    )
    source = models.ForeignKey(PlanCharacteristic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["job", "operation_sequence", "position", "id"]
        constraints = [
            *_characteristic_constraints("job_char"),
            # Copying twice (a retried approval, jobs_created and jobs_changed both heard) never doubles a plan.
            models.UniqueConstraint(fields=["job", "source"], name="job_char_one_copy"),
        ]


class NonConformance(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISPOSITIONED = "dispositioned", "Dispositioned"
        CLOSED = "closed", "Closed"

    class Disposition(models.TextChoices):
        SCRAP = "scrap", "Scrap"
        REWORK = "rework", "Rework"
        USE_AS_IS = "use_as_is", "Use as is"
        RETURN_TO_VENDOR = "return_to_vendor", "Return to vendor"
        REMAKE = "remake", "Remake"

    number = models.CharField(max_length=20, unique=True)
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="ncrs")
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="ncrs")
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    # What it was opened from: a scrap report, or failed results of an inspection (InspectionResult.ncr).
    scrap_record = models.OneToOneField(
        ScrapRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="ncr"
    )
    # The operator: who opened it (on the tablet, the lead who reported the scrap or measured the piece).
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    # Assigned only by quality.services (the transition map in quality.workflow).
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN, editable=False)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True, editable=False)
    disposition_note = models.CharField(max_length=500, blank=True, editable=False)
    concession_reference = models.CharField(max_length=60, blank=True, editable=False)
    remake_job = models.OneToOneField(
        Job, on_delete=models.PROTECT, null=True, blank=True, related_name="remake_of_ncr", editable=False
    )
    # The operation a rework disposition added: its pieces passed once already, so first-pass yield leaves it out.
    rework_operation = models.OneToOneField(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="rework_of_ncr", editable=False
    )
    dispositioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    dispositioned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The cost of poor quality: labor and material already in the non-conforming pieces, when it was opened.
    labor_cost = models.DecimalField(**MONEY, editable=False)
    material_cost = models.DecimalField(**MONEY, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "non-conformance report"
        indexes = [
            models.Index(fields=["status", "opened_at"], name="ncr_status_opened"),
            models.Index(fields=["job", "status"], name="ncr_job_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ncr_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status="open", disposition="") | (~Q(status="open") & ~Q(disposition="")),
                name="ncr_disposition_iff_not_open",
            ),
            models.CheckConstraint(
                condition=~Q(disposition="use_as_is") | ~Q(concession_reference=""),
                name="ncr_use_as_is_has_concession",
            ),
            models.CheckConstraint(
                condition=~Q(disposition="remake") | Q(remake_job__isnull=False), name="ncr_remake_has_job"
            ),
            models.CheckConstraint(condition=Q(labor_cost__gte=0, material_cost__gte=0), name="ncr_cost_ok"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return url_by_key("quality:ncr-detail", self.pk)

    @property
    def total_cost(self) -> Decimal:
        return self.labor_cost + self.material_cost


class InspectionResult(models.Model):
    """One sample's measurement (or pass/fail) of one characteristic of a job, with who and when."""

    characteristic = models.ForeignKey(JobCharacteristic, on_delete=models.CASCADE, related_name="results")
    sample_no = models.PositiveIntegerField()
    value = models.DecimalField(**MEASURE)
    passed = models.BooleanField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # A failed result is settled by the NCR opened for it; until its disposition it blocks pieces passing on.
    ncr = models.ForeignKey(NonConformance, on_delete=models.SET_NULL, null=True, blank=True, related_name="results")

    class Meta:
        ordering = ["characteristic", "sample_no"]
        constraints = [
            models.UniqueConstraint(fields=["characteristic", "sample_no"], name="result_one_per_sample"),
            models.CheckConstraint(condition=Q(sample_no__gte=1), name="result_sample_from_1"),
        ]
        indexes = [models.Index(fields=["characteristic"], condition=Q(passed=False), name="result_failed")]

    def __str__(self):
        return f"{self.characteristic_id} #{self.sample_no}: {'pass' if self.passed else 'FAIL'}"


class NonConformanceStatusChange(models.Model):
    ncr = models.ForeignKey(NonConformance, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=15, choices=NonConformance.Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=NonConformance.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.ncr_id}: {self.from_status or '-'} -> {self.to_status}"


# What a job's copy takes from the plan line (besides its position and where it came from).
COPIED_FIELDS = (
    "operation_sequence", "name", "kind", "nominal", "tolerance_plus", "tolerance_minus", "unit", "sampling",
    "sample_n",
)  # fmt: skip


# First-article inspections and remake proposals live in their own module (quality.models_fai).
from .models_fai import FirstArticle, FirstArticleResult, RemakeProposal  # noqa: E402, F401
from .models_lines import LinePlanCharacteristic  # noqa: E402, F401
