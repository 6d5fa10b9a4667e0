"""Issue #7's query budget for the list pages: at most 6 queries, the same for 10 and for 50 orders.

Six: the session, the user, the user's roles and permissions (one query, mto.roles.RoleBackend), the bell's
unread count, the page's rows with their capped count (one query, mto.pagination), and the page's own extra
(the job list's work-center choices, the floor's work centers, ...).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scenarios import page_queries

LIST_PAGES = [
    ("manager", "/sales/orders/"),
    ("manager", "/sales/orders/?status=in_production"),
    ("manager", "/sales/orders/?q=SC00001"),
    ("manager", "/sales/orders/?q=SO-000003"),
    ("manager", "/jobs/"),
    ("manager", "/jobs/?late=on"),
    ("clerk", "/shipping/"),
    ("clerk", "/shipping/shipments/"),
    ("manager", "/sales/customers/"),
]
BUDGET = 6
# The tablet's board is no paginated list: its work centers, the queue and the jobs on hold are three
# queries of their own, one over the budget (docs/performance.md).
FLOOR = ("lead", "/jobs/floor/")
FLOOR_BUDGET = 7


def _counts(clients) -> dict:
    return {url: page_queries(clients[who], url) for who, url in [*LIST_PAGES, FLOOR]}


@pytest.mark.django_db
def test_list_pages_stay_within_six_queries_for_10_and_50_orders(client_factory):
    call_command("seed_scale", orders=10, customers=5, stdout=StringIO())
    clients = client_factory()
    small = _counts(clients)
    call_command("seed_scale", orders=40, customers=5, seed=43, stdout=StringIO())
    large = _counts(clients)
    assert small == large, {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    over = {url: n for url, n in large.items() if n > (FLOOR_BUDGET if url == FLOOR[1] else BUDGET)}
    assert not over, f"more than {BUDGET} queries: {over}"


@pytest.fixture
def client_factory(db):
    from django.contrib.auth import get_user_model
    from django.test import Client

    def make():
        clients = {}
        for username in ("manager", "lead", "clerk"):
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        clients["lead"].get("/jobs/floor/?wc=CNC")  # the tablet remembers its work center
        return clients

    return make


@pytest.mark.django_db
def test_detail_pages_count_the_bell_once(client_factory):
    """Their panels are rendered with the request, which runs the context processors again."""
    from jobs.models import Job
    from sales.models import SalesOrder

    call_command("seed_scale", orders=10, customers=5, stdout=StringIO())
    clients = client_factory()
    job = Job.objects.exclude(sales_order_line=None).order_by("id").first()
    for url in (
        job.get_absolute_url(),
        job.sales_order.get_absolute_url(),
        SalesOrder.objects.first().get_absolute_url(),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert clients["manager"].get(url).status_code == 200
        bell = [q for q in ctx.captured_queries if "mto_notification" in q["sql"]]
        assert len(bell) == 1, url
