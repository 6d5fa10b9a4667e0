from django.conf import settings
from django.db import models
from django.db.models import Q

from mto.links import url_by_key
from mto.models import TextSafetyMixin
from sales.models import SalesOrder, SalesOrderLine


class Shipment(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"
        VOIDED = "voided", "Voided"

    number = models.CharField(max_length=20, unique=True, editable=False)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="+")
    ship_to = models.TextField("ship-to address", help_text="Copied from the order; edit for a one-off address.")
    carrier = models.CharField(max_length=60, blank=True)
    service = models.CharField(max_length=60, blank=True, help_text="e.g. Ground, Next day, LTL freight.")
    tracking_number = models.CharField(max_length=100, blank=True)
    packages = models.PositiveSmallIntegerField(default=1)
    weight_kg = models.DecimalField("weight (kg)", max_digits=9, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    needs_certificate = models.BooleanField("certificate of conformance", default=False)
    # Assigned only by shipping.services.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    shipped_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["order", "status"], name="shipment_order_status"),
            models.Index(fields=["status", "-id"], name="shipment_status_id"),
            # Home pages' recent shipments: the last shipped, without sorting every shipment.
            models.Index(fields=["status", "-shipped_at"], name="shipment_status_shipped"),
            models.Index(fields=["tracking_number"], name="shipment_tracking"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^SH-[0-9]{6,}$"), name="shipment_number_format"),
            models.CheckConstraint(condition=Q(packages__gte=1), name="shipment_packages_positive"),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gte=0), name="shipment_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="shipped") | Q(shipped_at__isnull=False), name="shipment_shipped_has_time"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return url_by_key("shipping:shipment-detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["order_line__line_no"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.shipment_id}: {self.quantity} x line {self.order_line_id}"


class ShipmentStatusChange(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Shipment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Shipment.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.shipment_id}: {self.from_status or '-'} -> {self.to_status}"
