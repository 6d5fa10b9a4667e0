"""Quote scenarios shared by the quote tests: a priced custom part, completed jobs for the accuracy figures."""

from decimal import Decimal

import pytest

from quotes import services
from tests.factories import CustomerFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import bracket_line

D = Decimal


@pytest.fixture
def centers(db):
    return {
        "SAW": WorkCenterFactory(code="SAW", hourly_rate=D("60.00")),
        "CNC": WorkCenterFactory(code="CNC", hourly_rate=D("90.00")),
    }


@pytest.fixture
def customer(db):
    return CustomerFactory(code="ACME", name="Acme Inc.")


@pytest.fixture
def make_quote(office, centers, customer):
    def make(*, lines=1, by=None, **fields):
        fields.setdefault("customer", customer)
        fields.setdefault("contact_name", "Ann Buyer")
        fields.setdefault("contact_email", "ann@acme.example.com")
        fields.setdefault("markup_percent", D("30"))
        return services.quote_create(by=by or office, lines=[bracket_line(centers) for _ in range(lines)], **fields)

    return make
