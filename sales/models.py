import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from mto.models import TextSafetyMixin

# A sanity cap on pieces per line (the same on every database; far above any job shop's order).
MAX_PIECES = 10_000_000


class Customer(TextSafetyMixin, models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="Short code, e.g. ACME.")
    name = models.CharField(max_length=200)
    email = models.EmailField("contact e-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    billing_address = models.TextField(blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.code} - {self.name}"

    def get_absolute_url(self):
        return reverse("sales:customer-detail", args=[self.pk])


class ShipToAddress(TextSafetyMixin, models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ship_tos")
    label = models.CharField(max_length=100, help_text="e.g. Main plant, Dock 3.")
    address = models.TextField()
    is_default = models.BooleanField("default ship-to", default=False)

    class Meta:
        ordering = ["-is_default", "label"]
        verbose_name = "ship-to address"
        verbose_name_plural = "ship-to addresses"
        constraints = [
            models.UniqueConstraint(fields=["customer", "label"], name="shipto_unique_label_per_customer"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="shipto_one_default_per_customer"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.address.splitlines()[0] if self.address else ''}"


class Item(TextSafetyMixin, models.Model):
    part_number = models.CharField(max_length=60)
    revision = models.CharField(max_length=10, default="A")
    description = models.CharField(max_length=255)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["part_number", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["part_number", "revision"], name="item_unique_part_revision"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="item_unit_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.part_number} rev {self.revision} - {self.description}"

    def get_absolute_url(self):
        return reverse("sales:item-detail", args=[self.pk])


class SalesOrder(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_APPROVAL = "pending_approval", "Pending approval"
        APPROVED = "approved", "Approved"
        IN_PRODUCTION = "in_production", "In production"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    customer_po = models.CharField("customer PO number", max_length=60, blank=True)
    ship_to = models.ForeignKey(ShipToAddress, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order_date = models.DateField()
    requested_date = models.DateField(null=True, blank=True)
    promised_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Assigned only by sales.services (the transition map in sales.workflow).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    # 0 as approved; each approved change request raises it by one (sales.services.change_request_approve).
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="so_status_id"),
            models.Index(fields=["customer", "-id"], name="so_customer_id"),
            models.Index(fields=["-order_date", "-id"], name="so_order_date_id"),
            models.Index(fields=["customer_po"], name="so_customer_po"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^SO-[0-9]{6,}$"), name="so_number_format"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("sales:order-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def lines_total(self) -> Decimal:
        """Sum of the lines still ordered; uses prefetched lines when the selector prefetched them."""
        return sum((line.amount for line in self.lines.all() if not line.is_cancelled), Decimal("0.00"))

    @property
    def is_changeable(self) -> bool:
        """Approved orders change through change requests until the last piece ships."""
        from .workflow import OPEN_STATUSES  # workflow imports the models

        return self.status in OPEN_STATUSES

    @property
    def number_digits(self) -> str:
        return self.number.removeprefix("SO-")


class SalesOrderLineQuerySet(models.QuerySet):
    def with_amount(self):
        return self.annotate(amount=F("quantity") * F("unit_price"))

    def active(self):
        """Lines still ordered (a change request can cancel a line; it stays for the history)."""
        return self.filter(is_cancelled=False)


class SalesOrderLine(TextSafetyMixin, models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    drawing_number = models.CharField("customer drawing number", max_length=60, blank=True)
    drawing_revision = models.CharField(max_length=10, blank=True)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_PIECES)])
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    due_date = models.DateField()
    # Total shipped, kept by sales_order_record_shipped from the shipping app's own figures.
    quantity_shipped = models.PositiveIntegerField(default=0, editable=False)
    # Set by an approved change request; a cancelled line keeps its figures but ships and bills nothing.
    is_cancelled = models.BooleanField("cancelled", default=False, editable=False)

    objects = SalesOrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="soline_unique_line_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="soline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="soline_unit_price_not_negative"),
            models.CheckConstraint(condition=Q(quantity_shipped__lte=F("quantity")), name="soline_not_over_shipped"),
            models.CheckConstraint(
                condition=Q(is_cancelled=False) | Q(quantity_shipped=0), name="soline_cancelled_shipped_nothing"
            ),
            # A line is a standard item, or a custom part described by the customer's drawing.
            models.CheckConstraint(
                condition=Q(item__isnull=False) | (~Q(description="") & ~Q(drawing_number="")),
                name="soline_item_or_custom_part",
            ),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.line_no}"

    @property
    def is_custom(self) -> bool:
        return self.item_id is None

    @property
    def part_label(self) -> str:
        if self.item_id:
            return f"{self.item.part_number} rev {self.item.revision}"
        rev = f" rev {self.drawing_revision}" if self.drawing_revision else ""
        return f"{self.drawing_number}{rev} (custom)"

    @property
    def part_description(self) -> str:
        return self.description or (self.item.description if self.item_id else "")

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


def drawing_upload_to(instance, filename):
    # The stored name never comes from the user: a random name with the extension of the checked type.
    return f"drawings/{instance.stored_token}.{instance.EXTENSIONS[instance.content_type]}"


class LineDrawing(models.Model):
    EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}

    line = models.ForeignKey(SalesOrderLine, on_delete=models.CASCADE, related_name="drawings")
    file = models.FileField(upload_to=drawing_upload_to)
    stored_token = models.CharField(max_length=32, unique=True, editable=False)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40, choices=[(k, k) for k in EXTENSIONS])
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("sales:drawing-download", args=[self.pk])


class SalesOrderStatusChange(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=SalesOrder.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SalesOrder.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["order", "changed_at"])]

    def __str__(self):
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


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
        return reverse("sales:change-detail", args=[self.pk])

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
