"""Every CSV export of the project escapes text cells that a spreadsheet would run as a formula (issue 15)."""

import csv
import io

import pytest
from django.urls import reverse

from mto.lists import FORMULA_STARTS, csv_row, csv_text
from tests.factories import CustomerFactory
from tests.jobs.conftest import approved_order
from tests.shipping.test_shipping import produce, ship

NAMES = [f"{start}HYPERLINK(1)" for start in FORMULA_STARTS]

# (url name, extra query, who may export it)
EXPORTS = {
    "orders": ("sales:order-list", {}, "office"),
    "jobs": ("jobs:job-list", {}, "office"),
    "shipments": ("shipping:shipment-list", {}, "clerk"),
    "job-cost report": ("jobs:report-job-cost", {"group": "customer"}, "manager"),
    "order-book report": ("sales:report-order-book", {"group": "customer"}, "manager"),
    "on-time report": ("shipping:report-on-time", {"group": "customer"}, "manager"),
}


def test_the_helper_escapes_every_formula_start_and_leaves_numbers():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    for start in FORMULA_STARTS:
        assert csv_text(f"{start}1") == f"'{start}1"
    assert csv_text("Acme =1") == "Acme =1"
    assert csv_row(["-x", -5, None, "ok"]) == ["'-x", -5, None, "ok"]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cells(response) -> list[str]:
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    return [cell for row in csv.reader(io.StringIO(body.decode(), newline="")) for cell in row]


@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_export_escapes_a_customer_named_like_a_formula(export, client, request, office, manager, lead, clerk):
    for name in NAMES:
        order = approved_order(office, manager, quantity=4)
        order.customer.name = name
        order.customer.save(update_fields=["name"])
        produce(order, lead, 4)
        # On-time counts fully shipped orders; the order book, orders with pieces still to ship.
        shipped = 4 if export == "on-time report" else 2
        ship(order, clerk, {order.lines.get().pk: shipped}, carrier="=cmd", tracking_number="-1Z")
    url, query, who = EXPORTS[export]
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(url), {**query, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    cells = _cells(response)
    for name in NAMES:
        assert f"'{name}" in cells, (export, name)
        assert name not in cells, (export, name)
    # A negative figure (-252.00 variance) is a number and stays one; no text cell starts a formula.
    assert not [cell for cell in cells if cell[:1] in FORMULA_STARTS and not _is_number(cell)], export


def test_order_export_escapes_customer_code_and_po(client, office):
    from tests.factories import SalesOrderFactory

    SalesOrderFactory(customer=CustomerFactory(code="@C1", name="Fine"), customer_po="-PO")
    client.force_login(office)
    cells = _cells(client.get(reverse("sales:order-list"), {"format": "csv"}))
    assert "'@C1" in cells and "'-PO" in cells
