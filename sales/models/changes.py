"""Change requests: a customer's changes to an approved order and their items."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from mto.links import url_by_key
from mto.models import TextSafetyMixin

from .customers import MAX_PIECES, Item, ShipToAddress
from .orders import LineDrawing, SalesOrder, SalesOrderLine


def change_drawing_upload_to(instance, filename):
    # As for line drawings: a random stored name with the extension of the checked type, never the user's name.
    return f"drawings/{secrets.token_hex(16)}.{LineDrawing.EXTENSIONS[instance.drawing_type]}"


class ChangeRequest(TextSafetyMixin, models.Model):
    """A customer's change to an approved order: drafted by the office, approved or rejected by a manager.

    Nothing on the order changes until approval, which applies every item in one transaction.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.DRAFT, Status.PENDING)

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="change_requests")
    number = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    # The order revision its approval made.
    revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="change_unique_number"),
            # One change at a time: a second open request could undo the first one's checks.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["draft", "pending"]), name="change_one_open_per_order"
            ),
            models.UniqueConstraint(fields=["order", "revision"], name="change_unique_revision"),
        ]

    def __str__(self):
        return f"{self.order.number} change {self.number}"

    def get_absolute_url(self):
        return url_by_key("sales:change-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ChangeItem(TextSafetyMixin, models.Model):
    """One change of a change request, with the fields its kind needs and the values it replaced."""

    class Kind(models.TextChoices):
        QUANTITY = "quantity", "Line quantity"
        DUE_DATE = "due_date", "Line due date"
        REVISION = "revision", "Drawing revision"
        CANCEL_LINE = "cancel_line", "Cancel line"
        ADD_LINE = "add_line", "Add line"
        PROMISED_DATE = "promised_date", "Promised date"
        SHIP_TO = "ship_to", "Ship-to address"

    LINE_KINDS = (Kind.QUANTITY, Kind.DUE_DATE, Kind.REVISION, Kind.CANCEL_LINE)

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    # The line changed; for an added line, the line the approval made.
    line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_PIECES)]
    )
    date = models.DateField(null=True, blank=True)
    drawing_revision = models.CharField(max_length=10, blank=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    drawing_number = models.CharField("customer drawing number", max_length=60, blank=True)
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    ship_to = models.ForeignKey(ShipToAddress, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The customer's drawing of a new revision or an added custom line; attached to the line on approval.
    drawing = models.FileField(upload_to=change_drawing_upload_to, blank=True)
    drawing_name = models.CharField(max_length=255, blank=True)
    drawing_type = models.CharField(max_length=40, blank=True, choices=[(k, k) for k in LineDrawing.EXTENSIONS])
    reason = models.CharField(max_length=300)
    # What the approval replaced, e.g. {"quantity": 10}; read to reprint an earlier revision.
    before = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["change_request", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "kind", "line"],
                condition=Q(kind__in=["quantity", "due_date", "revision", "cancel_line"]),
                name="change_item_one_per_line_and_kind",
            ),
            models.UniqueConstraint(
                fields=["change_request", "kind"],
                condition=Q(kind__in=["promised_date", "ship_to"]),
                name="change_item_one_header_change",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="quantity", line__isnull=False, quantity__isnull=False)
                    | Q(kind="due_date", line__isnull=False, date__isnull=False)
                    | (Q(kind="revision", line__isnull=False) & (~Q(drawing_revision="") | Q(item__isnull=False)))
                    | Q(kind="cancel_line", line__isnull=False)
                    | (
                        Q(kind="add_line", quantity__isnull=False, date__isnull=False, unit_price__isnull=False)
                        & (Q(item__isnull=False) | (~Q(description="") & ~Q(drawing_number="")))
                    )
                    | Q(kind="promised_date", date__isnull=False)
                    | Q(kind="ship_to", ship_to__isnull=False)
                ),
                name="change_item_fields_fit_kind",
            ),
        ]

    def __str__(self):
        return f"{self.change_request}: {self.get_kind_display()}"

    def _was(self, key: str, now):
        """The value before the change: recorded at approval, else what the order holds now."""
        return self.before[key] if key in self.before else now

    @property
    def summary(self) -> str:
        """One line for people: what changes from what to what."""
        K, line = self.Kind, self.line
        where = f"Line {line.line_no}" if line else ""
        if self.kind == K.QUANTITY:
            return f"{where}: quantity {self._was('quantity', line.quantity)} \u2192 {self.quantity}"
        if self.kind == K.DUE_DATE:
            return f"{where}: due {self._was('due_date', line.due_date.isoformat())} \u2192 {self.date:%Y-%m-%d}"
        if self.kind == K.REVISION:
            now = line.item.revision if line.item_id else line.drawing_revision
            return f"{where}: revision {self._was('revision', now) or '-'} \u2192 {self.drawing_revision}"
        if self.kind == K.CANCEL_LINE:
            return f"{where} cancelled ({line.quantity} x {line.part_label})"
        if self.kind == K.ADD_LINE:
            part = f"{self.item.part_number} rev {self.item.revision}" if self.item_id else self.drawing_number
            return f"{where or 'New line'}: {self.quantity} x {part} added, due {self.date:%Y-%m-%d}"
        if self.kind == K.PROMISED_DATE:
            now = self.change_request.order.promised_date
            was = self._was("promised_date", now.isoformat() if now else None)
            return f"Promised date {was or '-'} \u2192 {self.date:%Y-%m-%d}"
        now = self.change_request.order.ship_to
        return f"Ship to {self._was('ship_to_label', now.label if now else '-')} \u2192 {self.ship_to.label}"
