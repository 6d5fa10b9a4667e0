"""The jobs of an accepted quote's order get the material it was priced with (purchasing's signal)."""

from decimal import Decimal

import pytest

from jobs.models import Job
from purchasing.models import MaterialRequirement
from quotes import services
from sales import services as sales_services

D = Decimal
pytestmark = pytest.mark.django_db


def test_quoted_material_becomes_the_jobs_requirements(make_quote, office, manager):
    quote = services.quote_send(quote=make_quote(), by=office)
    order = services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10})
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    rows = list(MaterialRequirement.objects.filter(job=job).order_by("id")
                .values_list("description", "quantity", "unit", "estimated_cost"))  # fmt: skip
    # 10 pieces of bar at 4.20 with 5 % scrap: 10.5 pieces, 44.10; the fixture plate is one lot at 50.00.
    assert rows == [("6061-T6 bar 50 x 20", D("10.500"), "pcs", D("44.10")), ("Fixture plate", D("1.000"), "lot",
                                                                               D("50.00"))]  # fmt: skip
    assert job.operations.order_by("sequence").first().material_ready is False
