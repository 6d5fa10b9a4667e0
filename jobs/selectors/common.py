"""Units the jobs app's reads share."""

from decimal import Decimal

from django.db.models import (
    DecimalField,
)

CENT = Decimal("0.01")
HOURS = DecimalField(max_digits=14, decimal_places=3)
