"""Customers, their ship-to addresses and catalogue items."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from mto.audit import audit_changes

from ..models import (
    Customer,
    Item,
    ShipToAddress,
)
from .common import _save


@transaction.atomic
def customer_create(*, ship_tos: Iterable[dict] = (), **fields) -> Customer:
    customer = _save(Customer(), fields)
    for index, ship_to in enumerate(ship_tos):
        ship_to_create(customer=customer, is_default=index == 0, **ship_to)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    return _save(customer, fields)


@transaction.atomic
def ship_to_create(*, customer: Customer, label: str, address: str, is_default: bool = False) -> ShipToAddress:
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if is_default or not customer.ship_tos.exists():
        customer.ship_tos.filter(is_default=True).update(is_default=False)
        is_default = True
    return _save(ShipToAddress(customer=customer, label=label, address=address, is_default=is_default))


@transaction.atomic
def ship_to_update(*, ship_to: ShipToAddress, **fields) -> ShipToAddress:
    Customer.objects.select_for_update().filter(pk=ship_to.customer_id).first()
    ship_to = ShipToAddress.objects.get(pk=ship_to.pk)
    if ship_to.is_default and "is_default" in fields and not fields["is_default"]:
        # Orders entered without a ship-to take the default; a customer with addresses keeps one.
        raise ValidationError({"is_default": "Make another address the default instead of clearing this one."})
    if fields.get("is_default"):
        ShipToAddress.objects.filter(customer_id=ship_to.customer_id, is_default=True).exclude(pk=ship_to.pk).update(
            is_default=False
        )
    return _save(ship_to, fields)


@transaction.atomic
def item_create(**fields) -> Item:
    return _save(Item(), fields)


@transaction.atomic
def item_update(*, item: Item, by=None, **fields) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    before = {"unit_price": item.unit_price}
    item = _save(item, fields)
    audit_changes(instance=item, before=before, fields=["unit_price"], by=by, label=f"Item {item.part_number}")
    return item
