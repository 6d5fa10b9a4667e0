"""Operators (users of the Operator role), their badges, PINs and labor rates; kiosk tablets (managers)."""

import hashlib
import re
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import KioskDevice, LaborClass, OperatorProfile, WorkCenter
from .common import _require

OPERATOR_ROLE = "Operator"  # the group mto 0013 makes
PIN_PATTERN = re.compile(r"\d{4,6}")


def _new_badge_key() -> str:
    return secrets.token_urlsafe(18)


def _pin_hash(pin: str) -> str:
    pin = (pin or "").strip()
    if not PIN_PATTERN.fullmatch(pin):
        raise ValidationError({"pin": "A PIN is 4 to 6 digits."})
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise ValidationError({"pin": "Pick a PIN that is not all one digit or a run (1234)."})
    return make_password(pin)


def _rate(value, errors: dict, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    value = Decimal(value)
    if value < 0:
        errors[name] = "Cannot be negative."
    return value


@atomic_with_retry
def operator_create(
    *, first_name: str, last_name: str, by: User, labor_class: LaborClass | None = None,
    hourly_rate: Decimal | None = None, pin: str = "",
) -> OperatorProfile:  # fmt: skip
    """A new operator: a user of the Operator role with no usable password, a badge, and a PIN if given."""
    _require(by, "manage_jobs")
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors: dict = {}
    if not first_name:
        errors["first_name"] = "Enter the operator's first name."
    rate = _rate(hourly_rate, errors, "hourly_rate")
    if errors:
        raise ValidationError(errors)
    base = slugify(f"op-{first_name}-{last_name}")[:140] or "op"
    model = get_user_model()
    username, n = base, 1
    while model.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = model(username=username, first_name=first_name[:150], last_name=last_name[:150])
    user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=OPERATOR_ROLE))
    profile = OperatorProfile(user=user, badge_key=_new_badge_key(), labor_class=labor_class, hourly_rate=rate)
    if pin:
        profile.pin_hash = _pin_hash(pin)
    profile.full_clean()
    profile.save()
    return profile


def _locked_profile(profile: OperatorProfile) -> OperatorProfile:
    locked = OperatorProfile.objects.select_for_update(of=("self",)).select_related("user", "labor_class")
    return locked.get(pk=profile.pk)


@atomic_with_retry
def operator_update(
    *, profile: OperatorProfile, by: User, first_name: str, last_name: str, labor_class: LaborClass | None,
    hourly_rate: Decimal | None, is_active: bool = True,
) -> OperatorProfile:  # fmt: skip
    """Change an operator's name and labor rate. Work already done keeps the rate it was done at."""
    _require(by, "manage_jobs")
    errors: dict = {}
    rate = _rate(hourly_rate, errors, "hourly_rate")
    if not (first_name or "").strip():
        errors["first_name"] = "Enter the operator's first name."
    if errors:
        raise ValidationError(errors)
    profile = _locked_profile(profile)
    user = profile.user
    user.first_name, user.last_name, user.is_active = first_name.strip(), (last_name or "").strip(), is_active
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "is_active"])
    profile.labor_class, profile.hourly_rate = labor_class, rate
    profile.full_clean()
    profile.save(update_fields=["labor_class", "hourly_rate"])
    return profile


@atomic_with_retry
def operator_set_pin(*, profile: OperatorProfile, pin: str, by: User) -> OperatorProfile:
    """Set (or, with an empty PIN, clear) an operator's PIN; only its hash is kept."""
    _require(by, "manage_jobs")
    profile = _locked_profile(profile)
    profile.pin_hash = _pin_hash(pin) if (pin or "").strip() else ""
    profile.save(update_fields=["pin_hash"])
    return profile


@atomic_with_retry
def operator_rotate_badge(*, profile: OperatorProfile, by: User) -> OperatorProfile:
    """A lost badge: the operator gets a new badge code, so the old badge no longer identifies anyone."""
    _require(by, "manage_jobs")
    profile = _locked_profile(profile)
    profile.badge_key = _new_badge_key()
    profile.badge_issued_at = timezone.now()
    profile.save(update_fields=["badge_key", "badge_issued_at"])
    return profile


def operator_check_pin(*, profile: OperatorProfile, pin: str) -> bool:
    """Whether `pin` is the operator's (the kiosk's PIN backend asks; throttling is django-axes')."""
    return bool(profile.pin_hash) and check_password((pin or "").strip(), profile.pin_hash)


@transaction.atomic
def labor_class_save(*, by: User, labor_class: LaborClass | None = None, name: str, hourly_rate) -> LaborClass:
    _require(by, "manage_jobs")
    obj = LaborClass.objects.select_for_update().get(pk=labor_class.pk) if labor_class else LaborClass()
    obj.name, obj.hourly_rate = (name or "").strip(), hourly_rate
    obj.full_clean()
    obj.save()
    return obj


# --- kiosk tablets -----------------------------------------------------------------------------------------


def kiosk_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@atomic_with_retry
def kiosk_enroll(*, work_center: WorkCenter, name: str, by: User) -> tuple[KioskDevice, str]:
    """Enroll a tablet as the kiosk of `work_center`. Returns the device and its secret (the caller puts it in the
    tablet's signed cookie; only its hash is kept)."""
    _require(by, "manage_jobs")
    if work_center.is_outside or not work_center.is_active:
        raise ValidationError({"work_center": "Pick an active work center of the shop (not a vendor's)."})
    secret = secrets.token_urlsafe(32)
    device = KioskDevice(work_center=work_center, name=(name or "").strip() or f"{work_center.code} tablet",
                         secret_hash=kiosk_secret_hash(secret), enrolled_by=by)  # fmt: skip
    device.full_clean()
    device.save()
    return device, secret


@atomic_with_retry
def kiosk_revoke(*, device: KioskDevice, by: User) -> KioskDevice:
    """End a tablet's kiosk session for good (its cookie no longer opens anything). Idempotent."""
    _require(by, "manage_jobs")
    device = KioskDevice.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = timezone.now(), by
        device.save(update_fields=["revoked_at", "revoked_by"])
    return device
