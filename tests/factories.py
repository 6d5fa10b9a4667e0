import datetime
from decimal import Decimal

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from mto.roles import ALL_ROLES, sync_role_groups
from sales.models import Customer, Item, SalesOrder, SalesOrderLine, ShipToAddress


def ensure_role_groups():
    """Transactional tests flush the tables the data migrations filled; put the role groups back."""
    if Group.objects.filter(name__in=ALL_ROLES).count() < len(ALL_ROLES):
        sync_role_groups(django_apps)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            ensure_role_groups()
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"Customer {n} Inc.")
    email = factory.LazyAttribute(lambda c: f"buyer@{c.code.lower()}.example.com")
    phone = "+1 555 0100"
    billing_address = "1 Main St\nSpringfield"

    @factory.post_generation
    def ship_to(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ShipToAddress.objects.create(
                customer=self, label="Main", address="1 Main St\nSpringfield", is_default=True
            )


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    part_number = factory.Sequence(lambda n: f"P-{n:05d}")
    revision = "A"
    description = factory.Sequence(lambda n: f"Bracket {n}")
    unit_price = Decimal("12.50")


class SalesOrderFactory(factory.django.DjangoModelFactory):
    """A draft order with `lines` standard lines; statuses beyond draft come from the services."""

    class Meta:
        model = SalesOrder
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"SO-{900000 + n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    customer_po = factory.Sequence(lambda n: f"PO-{n}")
    ship_to = factory.LazyAttribute(lambda o: o.customer.ship_tos.first())
    order_date = factory.LazyFunction(timezone.localdate)
    promised_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for n in range(1, count + 1):
            SalesOrderLineFactory(order=self, line_no=n)


class SalesOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesOrderLine

    order = factory.SubFactory(SalesOrderFactory, lines=0)
    line_no = factory.Sequence(lambda n: n + 1)
    item = factory.SubFactory(ItemFactory)
    quantity = 10
    unit_price = Decimal("12.50")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class CustomLineFactory(SalesOrderLineFactory):
    item = None
    description = "Custom weldment"
    drawing_number = factory.Sequence(lambda n: f"DWG-{n}")
    drawing_revision = "B"
