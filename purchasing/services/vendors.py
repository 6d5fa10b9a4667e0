"""Vendors: who the shop buys material and outside processes from."""

from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import Vendor
from .common import _require

VENDOR_FIELDS = ("code", "name", "contact_name", "email", "phone", "address", "lead_days", "supplies_material",
                 "processes", "is_approved", "is_active", "notes")  # fmt: skip


def _apply(vendor: Vendor, fields: dict) -> None:
    for name, value in fields.items():
        if name in VENDOR_FIELDS:
            setattr(vendor, name, value)
    vendor.code = (vendor.code or "").strip().upper()
    vendor.processes = ", ".join(p.strip() for p in (vendor.processes or "").split(",") if p.strip())


@atomic_with_retry
def vendor_create(*, by: User, **fields) -> Vendor:
    _require(by, "buy")
    vendor = Vendor()
    _apply(vendor, fields)
    vendor.full_clean()
    vendor.save()
    return vendor


@atomic_with_retry
def vendor_update(*, vendor: Vendor, by: User, **fields) -> Vendor:
    _require(by, "buy")
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    _apply(vendor, fields)
    vendor.full_clean()
    vendor.save()
    return vendor
