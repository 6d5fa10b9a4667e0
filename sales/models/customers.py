"""Customers, their ship-to addresses and the catalogue."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from mto.links import url_by_key
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
        # The order list's search matches UPPER(code) exactly (iexact) and UPPER(name) as a substring: this
        # index serves the first, and its expression's statistics tell PostgreSQL one customer matches, not
        # 0.5% of them (sales 0009 adds a trigram index for the name on PostgreSQL).
        indexes = [models.Index(fields=["name"]), models.Index(Upper("code"), name="customer_code_upper")]

    def __str__(self):
        return f"{self.code} - {self.name}"

    def get_absolute_url(self):
        return url_by_key("sales:customer-detail", self.pk)


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
        return url_by_key("sales:item-detail", self.pk)
