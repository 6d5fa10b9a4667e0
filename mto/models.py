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
