"""Helpers every purchasing service uses.

House lock order when a service locks both sides: job-side rows first (the sales order, the job, its
operations, through jobs.services.job_lock_for_material), then purchasing rows (the purchase order, its
lines, the material requirements). Receipts and stock issues change an operation's material readiness, so
they lock the job side first; services that touch only purchasing rows lock order, lines, requirements.
"""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from mto.transitions import User

QUANTUM = Decimal("0.001")
MONEY_QUANTUM = Decimal("0.01")


def _require(user: User, *capabilities: str) -> None:
    if user is None or not any(user.has_perm(f"mto.{c}") for c in capabilities):
        raise PermissionDenied("Your role does not allow this.")


def decimal_of(value, *, field: str, what: str = "quantity", positive: bool = True) -> Decimal:
    """A Decimal with at most 3 places (quantities) or a clear error naming the field."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: f"Give the {what} as a number."}) from None
    if not number.is_finite():
        raise ValidationError({field: f"Give the {what} as a number."})
    if positive and number <= 0:
        raise ValidationError({field: f"The {what} must be more than 0."})
    if number < 0:
        raise ValidationError({field: f"The {what} must not be negative."})
    if number >= Decimal("1e9"):
        raise ValidationError({field: f"The {what} is too large."})
    return number


def receive_limit_for(quantity: Decimal) -> Decimal:
    """The most that may be received against `quantity`: the shop's over-receipt tolerance on top
    (settings.PURCHASING_RECEIVE_TOLERANCE_PERCENT), rounded down, never below the quantity itself."""
    tolerance = Decimal(str(settings.PURCHASING_RECEIVE_TOLERANCE_PERCENT))
    limit = (quantity * (1 + tolerance / 100)).quantize(QUANTUM, rounding=ROUND_DOWN)
    return max(limit, quantity)
