"""Sales orders, their lines, drawings and status history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from mto.links import url_by_key
from mto.models import TextSafetyMixin

from .customers import MAX_PIECES, Customer, Item, ShipToAddress


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
            # The open orders by promised date (the home's "promised this week" and "at risk"): a few hundred
            # of however many orders the years have closed. The statuses are sales.workflow.OPEN_STATUSES.
            models.Index(
                fields=["promised_date", "id"],
                condition=Q(status__in=["approved", "in_production", "partially_shipped"]),
                name="so_open_promised",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^SO-[0-9]{6,}$"), name="so_number_format"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return url_by_key("sales:order-detail", self.pk)

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
        from ..workflow import OPEN_STATUSES  # workflow imports the models

        return self.status in OPEN_STATUSES

    @property
    def number_digits(self) -> str:
        return self.number.removeprefix("SO-")


class PartLineMixin:
    """A line that is a catalogue item or a custom part from the customer's drawing (an order's, a quote's):
    its `item`, or its `description`, `drawing_number` and `drawing_revision`."""

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


class SalesOrderLineQuerySet(models.QuerySet):
    def with_amount(self):
        return self.annotate(amount=F("quantity") * F("unit_price"))

    def active(self):
        """Lines still ordered (a change request can cancel a line; it stays for the history)."""
        return self.filter(is_cancelled=False)


class SalesOrderLine(PartLineMixin, TextSafetyMixin, models.Model):
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
    # Good pieces off the line's jobs that are not cancelled (remakes too), kept by the jobs app through
    # sales_order_line_record_produced in the transaction of every change to them (piece reports, returns from a
    # vendor, a job cancelled): ready to ship and the shipment limits read it instead of summing the jobs.
    quantity_produced = models.PositiveIntegerField(default=0, editable=False)
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
            # A line never ships more than its jobs produced.
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity_produced")), name="soline_shipped_within_produced"
            ),
            # A line is a standard item, or a custom part described by the customer's drawing.
            models.CheckConstraint(
                condition=Q(item__isnull=False) | (~Q(description="") & ~Q(drawing_number="")),
                name="soline_item_or_custom_part",
            ),
        ]
        indexes = [
            # Ready to ship: the few lines with produced pieces not yet shipped, out of every line ever ordered.
            models.Index(
                fields=["order"],
                name="soline_ready_to_ship",
                condition=Q(is_cancelled=False, quantity_produced__gt=F("quantity_shipped")),
            ),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.line_no}"

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
        return url_by_key("sales:drawing-download", self.pk)


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
        indexes = [
            models.Index(fields=["order", "changed_at"]),
            # The on-time figures read the orders fully shipped in a period (shipping.selectors._first_shipped).
            models.Index(fields=["changed_at"], condition=Q(to_status="shipped"), name="so_change_shipped_at"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"
