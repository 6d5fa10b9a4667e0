"""Scenarios the tests share: orders brought to a state through the services, and small test helpers.

One definition each; test modules import from here (or tests.factories, tests.role_table), never from
another test module or a conftest (tests/test_layout.py checks that).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs import services as job_services
from jobs.models import Job
from mto.roles import MANAGER, OFFICE, SHIPPING, SHOP_FLOOR
from sales import services as sales_services
from shipping import services as shipping_services
from tests.factories import CustomerFactory, CustomLineFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing

# The role fixtures of tests/conftest.py and the group each one's user is in.
ROLE_FIXTURES = {"office": OFFICE, "manager": MANAGER, "lead": SHOP_FLOOR, "clerk": SHIPPING}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def approved_order(office, manager, *, lines=1, custom=False, quantity=10):
    """An approved order whose standard lines have a SAW -> CNC -> INSP routing."""
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for n in range(1, lines + 1):
        SalesOrderLineFactory(order=order, line_no=n, item=item, quantity=quantity)
    if custom:
        CustomLineFactory(order=order, line_no=lines + 1, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    return sales_services.sales_order_approve(order=order, approved_by=manager)


def run_job(job, lead, good):
    """Run every operation of the job: start, report `good` good pieces, finish."""
    for op in job.operations.order_by("sequence"):
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=good, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)


def produce(order, lead, good_per_line: int):
    """Run every job of the order to complete with `good_per_line` good pieces through each operation."""
    for job in Job.objects.filter(sales_order=order):
        run_job(job, lead, good_per_line)


def ship(order, clerk, wanted, **fields):
    shipment = shipping_services.shipment_create(order=order, lines=wanted, by=clerk, **fields)
    return shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)


def client_for(user):
    """An API client that authenticates as `user` with a token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_queries(client, url, **headers) -> int:
    """How many queries a GET of the page takes (which must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)
