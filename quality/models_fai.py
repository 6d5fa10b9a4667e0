"""First-article inspections (FAI) and remake proposals: the quality rows that gate a new revision's first run
and that answer a job completed short. Imported by quality.models (their app is quality)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jobs.models import Job
from mto.links import url_by_key
from mto.models import TextSafetyMixin
from sales.models import Customer


class FirstArticle(TextSafetyMixin, models.Model):
    """One first-article inspection a job needs: every characteristic of its plan measured on the first piece,
    then accepted (or rejected) by Quality or a Manager. While it is required or recorded, the job's first
    operation passes on no more pieces than `pieces_allowed` (the first article itself).

    A rejection (the piece does not conform, or it was lost before it could be inspected) opens the next
    attempt, which allows one more piece: the next first article. A change order that brings a new drawing
    revision supersedes the job's FAI and requires a new one at the new revision."""

    class Status(models.TextChoices):
        REQUIRED = "required", "Required"
        RECORDED = "recorded", "Recorded, waiting for acceptance"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    class Reason(models.TextChoices):
        NEW_REVISION = "new_revision", "First job of the revision"
        REVISION_CHANGE = "revision_change", "New drawing revision by a change order"

    LIVE = (Status.REQUIRED, Status.RECORDED)

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="first_articles")
    attempt = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # What it proves: the part and revision (and, for a customer's drawing, whose drawing it is).
    part_number = models.CharField(max_length=60)
    part_revision = models.CharField(max_length=10, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The most good pieces the job's first operation may have passed on while this FAI is live.
    pieces_allowed = models.PositiveIntegerField(default=1)
    # Assigned only by quality.services.fai (the transition map in quality.workflow_fai).
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUIRED, editable=False)
    all_passed = models.BooleanField(default=False, editable=False)
    note = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_reason = models.CharField(max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job", "attempt", "id"]
        verbose_name = "first-article inspection"
        indexes = [
            models.Index(fields=["part_number", "part_revision"], condition=Q(status="accepted"), name="fai_accepted"),
            models.Index(fields=["status", "created_at"], name="fai_status_created"),
        ]
        constraints = [
            # At most one live FAI per job: the gate reads one row, two requirements never race each other in.
            models.UniqueConstraint(
                fields=["job"], condition=Q(status__in=["required", "recorded"]), name="fai_one_live_per_job"
            ),
            models.UniqueConstraint(fields=["job", "attempt"], name="fai_attempt_unique"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="fai_attempt_from_1"),
            models.CheckConstraint(condition=~Q(status="accepted") | Q(all_passed=True), name="fai_accepted_passed"),
            models.CheckConstraint(
                condition=Q(status="required") | Q(status="superseded") | Q(status="rejected")
                | Q(recorded_at__isnull=False, recorded_by__isnull=False),
                name="fai_recorded_has_who",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "rejected"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="fai_decided_has_who",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="fai_rejected_has_reason"
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"FAI {self.job.number} #{self.attempt}" if self.job_id else "FAI"

    def get_absolute_url(self):
        return url_by_key("quality:fai", self.pk)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def revision_label(self) -> str:
        return f"{self.part_number} rev {self.part_revision}" if self.part_revision else self.part_number


class FirstArticleResult(models.Model):
    """The first article's value (or pass/fail) of one characteristic of the job."""

    first_article = models.ForeignKey(FirstArticle, on_delete=models.CASCADE, related_name="results")
    characteristic = models.ForeignKey("quality.JobCharacteristic", on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_article", "characteristic__operation_sequence", "characteristic__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first_article", "characteristic"], name="fai_result_one_per_char")
        ]

    def __str__(self):
        return f"{self.first_article_id}/{self.characteristic_id}: {'pass' if self.passed else 'FAIL'}"


class RemakeProposal(TextSafetyMixin, models.Model):
    """A job completed with fewer good pieces than its quantity, and its order line still short: quality proposes
    a remake of the missing pieces, accepted in one click (jobs' job_create_remake) or dismissed with a reason."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    # One per job: a completed job does not complete again.
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="remake_proposal")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    remake_job = models.OneToOneField(
        Job, on_delete=models.PROTECT, null=True, blank=True, related_name="remake_of_proposal", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    dismiss_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], condition=Q(status="proposed"), name="remake_open")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="remake_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(remake_job__isnull=False), name="remake_accepted_has_job"
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""), name="remake_dismissed_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="remake_decided_has_who",
            ),
        ]

    def __str__(self):
        return f"Remake {self.quantity} of {self.job.number}" if self.job_id else "Remake"
