"""Demo customers, items and sales orders, made through the services so every rule applies."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import Customer, Item, SalesOrder

CUSTOMERS = [
    (
        "ACME",
        "Acme Packaging Machines",
        "purchasing@acme.example.com",
        "+1 312 555 0101",
        "200 Industrial Pkwy\nChicago, IL",
    ),
    ("BOREAL", "Boreal Hydraulics", "buyer@boreal.example.com", "+1 612 555 0144", "17 Lakeshore Dr\nDuluth, MN"),
    ("CASCADE", "Cascade Food Equipment", "orders@cascade.example.com", "+1 503 555 0190", "9 Mill St\nPortland, OR"),
    ("DELTA", "Delta Robotics", "supply@delta.example.com", "+1 512 555 0122", "400 Innovation Way\nAustin, TX"),
    ("EMBER", "Ember Furnace Works", "ap@ember.example.com", "+1 216 555 0175", "3 Foundry Rd\nCleveland, OH"),
    ("FJORD", "Fjord Marine Systems", "parts@fjord.example.com", "+1 206 555 0133", "88 Harbor Ave\nSeattle, WA"),
]
ITEMS = [
    ("BRK-100", "C", "Motor mount bracket, 6061-T6", "18.40"),
    ("SHF-220", "B", "Drive shaft, 4140 HT, 22 mm", "64.00"),
    ("FLG-310", "A", "Weld-neck flange, 316 SS", "92.50"),
    ("PLT-045", "D", "Guard plate, 3 mm steel, powder coated", "27.90"),
    ("HSG-500", "A", "Gearbox housing, machined casting", "310.00"),
    ("SPC-012", "A", "Spacer, 12 mm nylon", "1.85"),
    ("FRM-900", "B", "Welded base frame assembly", "845.00"),
    ("PIN-008", "C", "Hinge pin, 8 mm hardened", "4.20"),
]


def seed_customers_and_items() -> tuple[list[Customer], list[Item]]:
    customers = []
    for code, name, email, phone, address in CUSTOMERS:
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            customer = services.customer_create(
                code=code,
                name=name,
                email=email,
                phone=phone,
                billing_address=address,
                ship_tos=[
                    {"label": "Main plant", "address": address},
                    {"label": "Warehouse", "address": f"Dock 4\n{address}"},
                ],
            )
        customers.append(customer)
    items = []
    for part_number, revision, description, price in ITEMS:
        item = Item.objects.filter(part_number=part_number, revision=revision).first()
        if item is None:
            item = services.item_create(
                part_number=part_number, revision=revision, description=description, unit_price=Decimal(price)
            )
        items.append(item)
    return customers, items


def demo_order(*, po: str, customers, items, office, rng: random.Random, days_ago: int, custom: bool = False):
    """Create (once) a draft order whose PO number marks it as demo order `po`."""
    existing = SalesOrder.objects.filter(customer_po=po).first()
    if existing:
        return existing, False
    today = timezone.localdate()
    order_date = today - datetime.timedelta(days=days_ago)
    lines = []
    for _ in range(rng.randint(1, 4)):
        item = rng.choice(items)
        lines.append(
            {
                "item": item,
                "quantity": rng.choice([2, 5, 10, 12, 25, 40]),
                "unit_price": item.unit_price,
                "due_date": order_date + datetime.timedelta(days=rng.randint(14, 40)),
            }
        )
    if custom:
        lines.append(
            {
                "item": None,
                "description": "Custom adapter plate per customer drawing",
                "drawing_number": f"{po}-DWG",
                "drawing_revision": "B",
                "quantity": 6,
                "unit_price": Decimal("145.00"),
                "due_date": order_date + datetime.timedelta(days=30),
            }
        )
    customer = rng.choice(customers)
    order = services.sales_order_create(
        by=office,
        customer=customer,
        customer_po=po,
        ship_to=customer.ship_tos.first(),
        order_date=order_date,
        requested_date=order_date + datetime.timedelta(days=30),
        promised_date=order_date + datetime.timedelta(days=35),
        lines=lines,
    )
    return order, True
