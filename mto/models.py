from django.core.exceptions import ValidationError
from django.db import models

from .roles import CAPABILITIES


class TextSafetyMixin:
    """full_clean() refuses NUL characters in text fields, as forms do: PostgreSQL cannot store them, so
    without this such input would reach the database and fail there (a 500) instead of a clear error."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude or not isinstance(field, models.CharField | models.TextField):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, str) and "\x00" in value:
                errors.setdefault(field.name, []).append(ValidationError("Null characters are not allowed."))
        if errors:
            raise ValidationError(errors)


class Capability(models.Model):
    """Holds the role permissions (`mto.<codename>`); it has no table of its own."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = sorted(CAPABILITIES.items())

    def __str__(self):
        return "capability"


class DocumentSequence(models.Model):
    """Gap-free document numbers: the row is locked and bumped inside the creating transaction."""

    name = models.CharField(max_length=20, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_value}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key on an API create or action, with the response it got.

    The row is inserted in the same transaction as the change, so a retried or concurrent duplicate
    request either waits on the unique key and then replays the stored response, or finds it at once.
    """

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class Notification(models.Model):
    """An outbox row: written in the transaction of the change that caused it, sent by a Celery task.

    `channel` says how it reaches its person: in the app (shown under the bell) or by e-mail. The row's
    status makes sending idempotent: a task claims it pending -> sending, and only one claim can win.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        IN_APP = "in_app", "In the app"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    email = models.EmailField(blank=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_outbox"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="in_app", recipient__isnull=False)
                | models.Q(channel="email") & ~models.Q(email=""),
                name="notification_has_an_address",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.email or self.recipient_id}"


class NotificationPreference(models.Model):
    """A person's choice to receive a kind of notification by e-mail or not (in the app always)."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    email_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {'e-mail' if self.email_enabled else 'app only'}"


class AuditEntry(models.Model):
    """Who changed a price or a quantity, when, from what to what. Written by services; read-only everywhere."""

    object_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    object_label = models.CharField(max_length=120)
    field = models.CharField(max_length=60)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.object_label}.{self.field}: {self.before} -> {self.after}"
