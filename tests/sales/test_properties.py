"""Property-based: any quantities, prices, dates and text. Valid input is stored exactly; invalid input is
refused with a ValidationError and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales import services
from sales.models import SalesOrder, SalesOrderLine
from tests.factories import CustomerFactory

TODAY = timezone.localdate()
MAX_PIECES = 10_000_000

text = st.text(max_size=300)
quantities = st.one_of(st.integers(min_value=-10, max_value=20), st.integers(min_value=-(10**12), max_value=10**12))
prices = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000000000"), places=2, allow_nan=False)
dates = st.dates(min_value=TODAY - datetime.timedelta(days=400), max_value=TODAY + datetime.timedelta(days=4000))


def _valid_text(value: str, *, required: bool, limit: int) -> bool:
    return (bool(value) or not required) and len(value) <= limit and "\x00" not in value


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quantity=quantities, price=prices, due=dates, description=text, drawing=text, po=text, notes=text)
def test_custom_lines_accept_valid_and_refuse_invalid_input(office, quantity, price, due, description, drawing, po,
                                                            notes):  # fmt: skip
    customer = CustomerFactory()
    valid = (
        1 <= quantity <= MAX_PIECES
        and Decimal("0") <= price < Decimal("10000000000")
        and due >= TODAY
        and _valid_text(description, required=True, limit=255)
        and _valid_text(drawing, required=True, limit=60)
        and _valid_text(po, required=False, limit=60)
        and "\x00" not in notes
    )
    before = (SalesOrder.objects.count(), SalesOrderLine.objects.count())
    line = {"item": None, "description": description, "drawing_number": drawing, "quantity": quantity,
            "unit_price": price, "due_date": due}  # fmt: skip
    try:
        order = services.sales_order_create(by=office, customer=customer, customer_po=po, notes=notes, lines=[line])
    except ValidationError:
        assert not valid, "valid input was refused"
        assert (SalesOrder.objects.count(), SalesOrderLine.objects.count()) == before
        return
    assert valid, f"invalid input was accepted: {quantity!r} {price!r} {due!r} {description!r} {drawing!r} {po!r}"
    stored = order.lines.get()
    assert (stored.quantity, stored.unit_price, stored.due_date) == (quantity, price, due)
    assert (stored.description, stored.drawing_number) == (description, drawing)
    order.refresh_from_db()
    assert (order.customer_po, order.notes) == (po, notes)
