from django.db import models

from .roles import CAPABILITIES


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
