"""Purchasing: vendors, what each job must buy (material, outside operations), purchase orders, and the goods
that come in (material receipts) and go out and back (pieces shipped to a vendor for an outside operation).

jobs owns its operations' fields: purchasing changes them only through jobs services (pieces back from a
vendor are reported like pieces off the floor; an operation's material is marked received), and jobs hears
of purchasing only through its own signals. Quantities the database must keep (received against ordered,
pieces back against pieces sent) are also check constraints on the rows the services lock.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from jobs.models import Job, Operation
from mto.links import url_by_key
from mto.models import TextSafetyMixin

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}


class Unit(models.TextChoices):
    PIECE = "pcs", "pieces"
    KILOGRAM = "kg", "kg"
    METRE = "m", "metres"
    BAR = "bar", "bars"
    SHEET = "sheet", "sheets"
    LITRE = "l", "litres"
    LOT = "lot", "lot"


def certificate_upload_to(instance, filename):
    # Never the user's name: a random token with the extension of the checked type (like order drawings).
    return f"certificates/{instance.certificate_token}.pdf"


class CertificateMixin(models.Model):
    """A vendor's certificate (material cert, process cert): a PDF checked by its content, stored under a
    random name; the original name is kept for people."""

    certificate = models.FileField(upload_to=certificate_upload_to, blank=True)
    certificate_token = models.CharField(max_length=32, blank=True, editable=False)
    certificate_name = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        abstract = True


class Vendor(TextSafetyMixin, models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True, max_length=1000)
    lead_days = models.PositiveSmallIntegerField(default=7, help_text="Usual days from order to delivery.")
    supplies_material = models.BooleanField(default=False)
    # Outside processes it does (plating, heat treat, anodize...), comma separated; blank: none.
    processes = models.CharField(max_length=300, blank=True)
    is_approved = models.BooleanField("approved", default=False)
    is_active = models.BooleanField("active", default=True)
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="vendor_code_not_blank")]

    def __str__(self):
        return f"{self.code} - {self.name}"

    def get_absolute_url(self):
        return url_by_key("purchasing:vendor-detail", self.pk)

    @property
    def process_list(self) -> list[str]:
        return [p.strip() for p in self.processes.split(",") if p.strip()]

    @property
    def does_outside_processing(self) -> bool:
        return bool(self.process_list)


class MaterialRequirement(TextSafetyMixin, models.Model):
    """Material a job needs: bought on a PO line, or issued from what is at hand (recorded with its cost).

    `operation` is the one that consumes it (None: the job's first); that operation is ready on the floor
    only when all its requirements are received or issued (jobs.Operation.material_ready, set through a jobs
    service)."""

    class Source(models.TextChoices):
        BUY = "buy", "Buy"
        STOCK = "stock", "From stock"

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="material_requirements")
    # A removed (never started) operation hands its material to the job's first operation.
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="material_requirements"
    )
    description = models.CharField("description / spec", max_length=200)
    quantity = models.DecimalField(**QUANTITY)
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.PIECE)
    estimated_cost = models.DecimalField(**MONEY, default=Decimal("0"), help_text="For the whole quantity.")
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.BUY)
    # Who it is usually bought from: "buy what the jobs need" groups requirements by it (None: the buyer picks).
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="preferred vendor"
    )
    # Kept by the receipt service on the locked PO line's transaction (sum of the receipts against it).
    quantity_received = models.DecimalField(**QUANTITY, default=Decimal("0"), editable=False)
    # "From stock": what was issued and at what cost, and when.
    stock_cost = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "id"]
        indexes = [models.Index(fields=["job"], name="matreq_job")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="matreq_quantity_positive"),
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="matreq_estimate_not_negative"),
            models.CheckConstraint(condition=Q(quantity_received__gte=0), name="matreq_received_not_negative"),
            models.CheckConstraint(
                condition=Q(stock_cost__isnull=True) | Q(source="stock", stock_cost__gte=0),
                name="matreq_stock_cost_only_from_stock",
            ),
        ]

    def __str__(self):
        return f"{self.job.number}: {self.description}"

    @property
    def is_fulfilled(self) -> bool:
        if self.source == self.Source.STOCK:
            return self.issued_at is not None
        return self.quantity_received >= self.quantity


# Pieces at the vendor now: sent less those back (good or rejected).
PIECES_OUT = F("pieces_sent") - F("pieces_back_good") - F("pieces_rejected")


class OutsideOperation(TextSafetyMixin, models.Model):
    """The purchasing side of a job operation done by a vendor (an operation at an outside work center):
    who does it, at what estimated cost and lead time, and how many pieces are out and back.

    The counters are kept by the ship-out and return services on this locked row; the check constraint
    is the database's own refusal of more pieces back than were sent."""

    # Goes with its operation when the planner removes it (only a pending one can be, so nothing was sent);
    # a PO line bought for it still protects it.
    operation = models.OneToOneField(Operation, on_delete=models.CASCADE, related_name="outside")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lead_days = models.PositiveSmallIntegerField(default=0)
    estimated_cost = models.DecimalField(**MONEY, default=Decimal("0"), help_text="For the job's quantity.")
    pieces_sent = models.PositiveIntegerField(default=0, editable=False)
    pieces_back_good = models.PositiveIntegerField(default=0, editable=False)
    pieces_rejected = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # "At vendors" filters on this expression (selectors.at_vendors_queryset): PostgreSQL cannot estimate a
        # comparison of columns (it guessed a third of the table for a few hundred rows out, then hash-joined
        # every outside operation with its job and order), but it keeps statistics on an indexed expression.
        indexes = [models.Index(PIECES_OUT, name="outside_pieces_out")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pieces_back_good__lte=F("pieces_sent") - F("pieces_rejected")),
                name="outside_back_not_over_sent",
            ),
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="outside_estimate_not_negative"),
        ]

    def __str__(self):
        return f"{self.operation} at {self.vendor or 'no vendor yet'}"

    @property
    def pieces_at_vendor(self) -> int:
        return self.pieces_sent - self.pieces_back_good - self.pieces_rejected


class PurchaseOrder(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTIALLY_RECEIVED = "partially_received", "Partially received"
        RECEIVED = "received", "Received"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="purchase_orders")
    # Assigned only by mto.transitions (purchasing.workflow).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    cancel_reason = models.CharField(max_length=500, blank=True, editable=False)
    notes = models.TextField(blank=True, max_length=2000)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="po_status_id"),
            models.Index(fields=["vendor", "-id"], name="po_vendor_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^PO-[0-9]{6,}$"), name="po_number_format"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="po_cancelled_has_reason"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return url_by_key("purchasing:po-detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class PurchaseOrderLine(TextSafetyMixin, models.Model):
    """One thing bought: pegged to a job's material requirement, to a job's outside operation, or to
    neither (shop supplies). `receive_limit` is the quantity plus the shop's over-receipt tolerance at the
    time the line was made, so the database itself refuses receiving beyond it."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    requirement = models.ForeignKey(
        MaterialRequirement, on_delete=models.PROTECT, null=True, blank=True, related_name="po_lines"
    )
    outside_operation = models.ForeignKey(
        OutsideOperation, on_delete=models.PROTECT, null=True, blank=True, related_name="po_lines"
    )
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(**QUANTITY)
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.PIECE)
    unit_cost = models.DecimalField(**MONEY)
    due_date = models.DateField()
    quantity_received = models.DecimalField(**QUANTITY, default=Decimal("0"), editable=False)
    receive_limit = models.DecimalField(**QUANTITY, editable=False)
    # Set when its order is cancelled: the requirement or operation may then go on another PO.
    is_cancelled = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["purchase_order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "line_no"], name="poline_unique_line_no"),
            models.UniqueConstraint(
                fields=["requirement"],
                condition=Q(requirement__isnull=False, is_cancelled=False),
                name="poline_one_open_per_requirement",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["outside_operation"],
                condition=Q(outside_operation__isnull=False, is_cancelled=False),
                name="poline_one_open_per_outside_operation",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(requirement__isnull=True) | Q(outside_operation__isnull=True),
                name="poline_pegged_to_one",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="poline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="poline_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=0, quantity_received__lte=F("receive_limit")),
                name="poline_received_within_tolerance",
            ),
            models.CheckConstraint(condition=Q(receive_limit__gte=F("quantity")), name="poline_limit_covers_quantity"),
        ]

    def __str__(self):
        return f"{self.purchase_order.number}/{self.line_no}"

    @property
    def line_total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))

    @property
    def quantity_open(self) -> Decimal:
        return max(self.quantity - self.quantity_received, Decimal("0"))


class Receipt(CertificateMixin, TextSafetyMixin, models.Model):
    """Material received against a PO line (partial receipts are many rows), with its lot or heat number."""

    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts")
    quantity = models.DecimalField(**QUANTITY)
    lot_number = models.CharField("lot / heat number", max_length=60, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["lot_number"], name="receipt_lot", condition=~Q(lot_number="")),
            # The recall by heat (quality's trace): a case-insensitive match is an index scan.
            models.Index(Upper("lot_number"), name="receipt_lot_upper", condition=~Q(lot_number="")),
        ]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_quantity_positive")]

    def __str__(self):
        return f"{self.po_line}: {self.quantity}"


class ShipOut(TextSafetyMixin, models.Model):
    """Pieces shipped to a vendor for an outside operation; prints as the vendor packing slip VS-000123."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    outside_operation = models.ForeignKey(OutsideOperation, on_delete=models.PROTECT, related_name="ship_outs")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField()
    carrier = models.CharField(max_length=60, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shipped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shipped_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipout_quantity_positive"),
            models.CheckConstraint(condition=Q(number__regex=r"^VS-[0-9]{6,}$"), name="shipout_number_format"),
        ]

    def __str__(self):
        return self.number


class VendorReturn(CertificateMixin, TextSafetyMixin, models.Model):
    """Pieces back from a vendor: good ones pass on to the next operation (reported through jobs), rejected
    ones are scrap with the reason "vendor reject"; the vendor's certificate attaches here."""

    outside_operation = models.ForeignKey(OutsideOperation, on_delete=models.PROTECT, related_name="returns")
    good = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    lot_number = models.CharField("vendor lot / batch", max_length=60, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(Upper("lot_number"), name="vendorreturn_lot_upper", condition=~Q(lot_number="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(good__gt=0) | Q(rejected__gt=0), name="vendorreturn_some_pieces")
        ]

    def __str__(self):
        return f"{self.outside_operation}: {self.good} good, {self.rejected} rejected"


class PurchaseOrderStatusChange(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=PurchaseOrder.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=PurchaseOrder.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.purchase_order_id}: {self.from_status or '-'} -> {self.to_status}"
