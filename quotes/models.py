"""Quotes: a customer's (or prospect's) request priced from an estimate of the work, won or lost.

A quote's lines carry quantity breaks and an estimate (operations at work centers, material, outside
services); pricing is worked out by `quotes.selectors.quote_pricing`, never stored, so a changed rate or
markup re-prices a draft at once. Accepting writes the chosen break per line and the link to the order.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from jobs.models import WorkCenter
from mto.links import url_by_key
from mto.models import TextSafetyMixin
from quality.models import CharacteristicFields
from quality.models import _characteristic_constraints as characteristic_constraints
from sales.models import MAX_PIECES, Customer, Item, LineDrawing, PartLineMixin, SalesOrder, SalesOrderLine

HOURS = {"max_digits": 9, "decimal_places": 3, "default": Decimal("0")}
MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 6, "decimal_places": 2}
FACTOR = {"max_digits": 5, "decimal_places": 2, "default": Decimal("1.00")}


class Basis(models.TextChoices):
    PIECE = "piece", "per piece"
    LOT = "lot", "per lot"


class Quote(TextSafetyMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        # A later revision replaced this one; it stays readable as it was sent.
        REVISED = "revised", "Revised"

    class DeclineReason(models.TextChoices):
        PRICE = "price", "Price"
        LEAD_TIME = "lead_time", "Lead time"
        COMPETITOR = "competitor", "Lost to competitor"
        NO_BID = "no_bid", "No bid"

    number = models.CharField(max_length=20, editable=False)
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision", editable=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes")
    # A prospect not yet a customer: becomes one when the quote is accepted.
    prospect_name = models.CharField(max_length=200, blank=True)
    prospect_email = models.EmailField(blank=True)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField("contact e-mail", blank=True)
    rfq_reference = models.CharField("customer's RFQ reference", max_length=60, blank=True)
    valid_until = models.DateField()
    lead_time_days = models.PositiveSmallIntegerField(default=21, help_text="Days from order to the due date.")
    notes = models.TextField(blank=True, max_length=4000)
    # The shop default (settings.QUOTE_DEFAULT_MARKUP_PERCENT) when made; a line may override it.
    markup_percent = models.DecimalField(**PERCENT)
    # Assigned only by mto.transitions (quotes.workflow).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    decline_reason = models.CharField(max_length=12, choices=DeclineReason.choices, blank=True, editable=False)
    decline_note = models.CharField(max_length=500, blank=True, editable=False)
    estimator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A Manager's approval of a margin below settings.QUOTE_MIN_MARGIN_PERCENT; any edit withdraws it.
    margin_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    margin_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    margin_approved_percent = models.DecimalField(**PERCENT, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the reports count, stored by the service that sends (each line at its first, smallest break) and
    # the one that accepts (at the breaks chosen): the prices the customer saw, read without re-pricing.
    # Null on quotes sent before they were stored (quotes.reports prices those; store_quote_values fills them).
    sent_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    accepted_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="quote_status_id"),
            models.Index(fields=["customer", "-id"], name="quote_customer_id"),
            models.Index(fields=["valid_until"], condition=Q(status="sent"), name="quote_sent_valid_until"),
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=False), name="quote_sent_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="quote_unique_number_revision"),
            models.CheckConstraint(condition=Q(number__regex=r"^Q-[0-9]{6,}$"), name="quote_number_format"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="quote_revision_from_1"),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | (~Q(prospect_name="") & ~Q(prospect_email="")),
                name="quote_customer_or_prospect",
            ),
            models.CheckConstraint(condition=Q(markup_percent__gte=0), name="quote_markup_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="quote_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(sent_value__isnull=True) | (Q(sent_value__gte=0) & Q(sent_at__isnull=False)),
                name="quote_sent_value_when_sent",
            ),
            models.CheckConstraint(
                condition=Q(accepted_value__isnull=True) | (Q(accepted_value__gte=0) & Q(status="accepted")),
                name="quote_accepted_value_when_accepted",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return url_by_key("quotes:quote-detail", self.pk)

    @property
    def label(self) -> str:
        return f"{self.number} rev {self.revision}" if self.revision > 1 else self.number

    @property
    def party_name(self) -> str:
        return self.customer.name if self.customer_id else self.prospect_name

    @property
    def send_to(self) -> str:
        return self.contact_email or (self.customer.email if self.customer_id else self.prospect_email)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def sales_order(self) -> SalesOrder | None:
        """The order its acceptance made (select_related("acceptance__sales_order") to read it with the quote)."""
        try:
            return self.acceptance.sales_order
        except QuoteAcceptance.DoesNotExist:
            return None


class QuoteAcceptance(models.Model):
    """The acceptance of a quote and the order it made: one per quote and one per order. The row lock on the
    quote serialises two acceptances; this table's keys are the database's own refusal of a second one."""

    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, primary_key=True, related_name="acceptance")
    sales_order = models.OneToOneField(SalesOrder, on_delete=models.PROTECT, related_name="quote_acceptance")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    submitted = models.BooleanField(default=False, help_text="The order was submitted for approval at once.")

    def __str__(self):
        return f"{self.quote_id} -> {self.sales_order_id}"


class QuoteStatusChange(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Quote.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Quote.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.quote_id}: {self.from_status or '-'} -> {self.to_status}"


class QuoteLine(PartLineMixin, TextSafetyMixin, models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    drawing_number = models.CharField("customer drawing number", max_length=60, blank=True)
    drawing_revision = models.CharField(max_length=10, blank=True)
    # None: the quote's markup.
    markup_percent = models.DecimalField(**PERCENT, null=True, blank=True)
    # Written on acceptance: the break the customer chose and the order line it became (jobs read the
    # quoted routing through jobs.signals.routing_for_lines, answered by quotes.receivers).
    chosen_break = models.ForeignKey(
        "QuantityBreak", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    sales_order_line = models.OneToOneField(
        SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="quote_line", editable=False
    )

    class Meta:
        ordering = ["quote", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "line_no"], name="quoteline_unique_line_no"),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | (~Q(description="") & ~Q(drawing_number="")),
                name="quoteline_item_or_custom_part",
            ),
            models.CheckConstraint(
                condition=Q(markup_percent__isnull=True) | Q(markup_percent__gte=0), name="quoteline_markup_ok"
            ),
        ]

    def __str__(self):
        return f"{self.quote.label}/{self.line_no}"

    @property
    def break_quantities(self) -> list[int]:
        return [b.quantity for b in self.breaks.all()]


class QuantityBreak(models.Model):
    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="breaks")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["line", "quantity"]
        constraints = [
            models.UniqueConstraint(fields=["line", "quantity"], name="quotebreak_unique_quantity"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=MAX_PIECES), name="quotebreak_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} pcs"


class EstimateOperation(TextSafetyMixin, models.Model):
    """One routing step of the estimate. The factors are the estimate-accuracy adjustment applied (1: none);
    the hours the price and the job use are hours x factor, the base hours stay visible beside them."""

    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveSmallIntegerField()
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    setup_hours = models.DecimalField(**HOURS)
    run_hours_per_piece = models.DecimalField(**HOURS)
    setup_factor = models.DecimalField(**FACTOR)
    run_factor = models.DecimalField(**FACTOR)
    factor_source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["line", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["line", "sequence"], name="estop_unique_sequence"),
            models.CheckConstraint(
                condition=Q(setup_hours__gte=0, run_hours_per_piece__gte=0), name="estop_hours_not_negative"
            ),
            models.CheckConstraint(condition=Q(setup_factor__gt=0, run_factor__gt=0), name="estop_factors_positive"),
        ]

    def __str__(self):
        return f"{self.sequence}: {self.description}"

    @property
    def adjusted_setup_hours(self) -> Decimal:
        return (self.setup_hours * self.setup_factor).quantize(Decimal("0.001"))

    @property
    def adjusted_run_hours_per_piece(self) -> Decimal:
        return (self.run_hours_per_piece * self.run_factor).quantize(Decimal("0.001"))

    @property
    def is_adjusted(self) -> bool:
        return self.setup_factor != 1 or self.run_factor != 1


class EstimateMaterial(TextSafetyMixin, models.Model):
    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="materials")
    description = models.CharField("description / spec", max_length=200)
    cost = models.DecimalField(**MONEY)
    basis = models.CharField(max_length=5, choices=Basis.choices, default=Basis.PIECE)
    # Extra material bought for the pieces scrapped (per-piece material; a lot is bought whole).
    scrap_percent = models.DecimalField(**PERCENT, default=Decimal("0"))

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="estmat_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(scrap_percent__gte=0, scrap_percent__lt=100), name="estmat_scrap_0_to_100"
            ),
        ]

    def __str__(self):
        return self.description


class EstimateOutside(TextSafetyMixin, models.Model):
    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="outside_services")
    vendor_name = models.CharField(max_length=200)
    description = models.CharField(max_length=200, blank=True)
    cost = models.DecimalField(**MONEY)
    basis = models.CharField(max_length=5, choices=Basis.choices, default=Basis.LOT)
    lead_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line", "id"]
        verbose_name_plural = "estimate outside services"
        constraints = [models.CheckConstraint(condition=Q(cost__gte=0), name="estout_cost_not_negative")]

    def __str__(self):
        return f"{self.vendor_name}: {self.description}"


def quote_drawing_upload_to(instance, filename):
    # As order drawings: the stored name never comes from the user.
    return f"drawings/quotes/{instance.stored_token}.{instance.EXTENSIONS[instance.content_type]}"


class QuoteLineDrawing(models.Model):
    """A customer's drawing of a quote line, checked by its content like an order line's
    (sales.services.drawing_validate); copied onto the order line when the quote is accepted."""

    EXTENSIONS = LineDrawing.EXTENSIONS

    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="drawings")
    file = models.FileField(upload_to=quote_drawing_upload_to)
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
        return url_by_key("quotes:drawing-download", self.pk)


class AccuracySample(models.Model):
    """One finished operation's actual against estimated hours, written when its job completes
    (quotes.receivers, on jobs.signals.job_completed), so the estimate-accuracy figures are one aggregate
    over this index instead of a join of jobs, operations and time entries.

    setup_ratio: actual setup hours (time entries with no pieces) / estimated setup hours; run_ratio: actual
    run hours per piece / estimated run hours per piece. None where either side is zero."""

    operation = models.OneToOneField("jobs.Operation", on_delete=models.CASCADE, primary_key=True, related_name="+")
    work_center = models.ForeignKey(WorkCenter, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()
    setup_ratio = models.FloatField(null=True)
    run_ratio = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["work_center", "completed_at"], include=["setup_ratio", "run_ratio"],
                         name="accuracy_wc_completed"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.operation_id}: setup x{self.setup_ratio}, run x{self.run_ratio}"


class QuoteLineCharacteristic(CharacteristicFields):
    """A characteristic the customer's drawing asks inspected, quoted with the line (issue 19): handed to quality
    as the order line's own inspection plan when the quote becomes an order (quality.services.line_plan_set)."""

    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="characteristics")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line", "operation_sequence", "position", "id"]
        constraints = [
            *characteristic_constraints("quote_char"),
            models.UniqueConstraint(fields=["line", "position"], name="quote_char_unique_position"),
        ]
