"""Server time and queries of the hot pages, measured in-process against the configured database.

Run after seed_scale, e.g.:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/pages.py --rounds 30

It prints, per page, the median and 95th percentile of the time Django takes to answer (no network, no
gunicorn) and the number of SQL queries; and the time and queries of approving a 200-line order.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mto.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]


def pages():
    from jobs.models import Job, WorkCenter
    from sales.models import Customer, SalesOrder

    big_order = SalesOrder.objects.order_by("-id").first()
    job = Job.objects.filter(status="in_progress").order_by("-id").first() or Job.objects.order_by("-id").first()
    customer = Customer.objects.order_by("id").first()
    center = WorkCenter.objects.filter(code="CNC").first() or WorkCenter.objects.first()
    return {
        "order list": ("manager", "/sales/orders/"),
        "order list, status filter": ("manager", "/sales/orders/?status=in_production"),
        "order list, search by customer": ("manager", f"/sales/orders/?q={customer.code}"),
        "order list, search by number": ("manager", f"/sales/orders/?q={big_order.number}"),
        "order detail": ("manager", big_order.get_absolute_url()),
        "job list": ("manager", "/jobs/"),
        "job list, late": ("manager", "/jobs/?late=true"),
        "job detail": ("manager", job.get_absolute_url()),
        "shop floor queue": ("lead", f"/jobs/floor/?wc={center.code}"),
        "ready to ship": ("clerk", "/shipping/"),
        "shipment list": ("clerk", "/shipping/shipments/"),
        "manager home (dashboard)": ("manager", "/"),
    }


def measure(client, url, rounds):
    times, queries = [], 0
    client.get(url)  # warm caches
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], queries


def approval_200_lines():
    from django.contrib.auth import get_user_model

    from sales import services
    from sales.models import Customer, Item

    User = get_user_model()
    office, manager = User.objects.get(username="office"), User.objects.get(username="manager")
    item = Item.objects.filter(routing_steps__isnull=False).first()
    with transaction.atomic():
        order = services.sales_order_create(
            by=office, customer=Customer.objects.first(),
            lines=[{"item": item, "quantity": 5, "due_date": django.utils.timezone.localdate()} for _ in range(200)],
        )  # fmt: skip
        services.sales_order_submit(order=order, by=office)
        manager.has_perm("mto.approve_orders")
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            services.sales_order_approve(order=order, by=manager)
            elapsed = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)  # leave the data set as it was
    return elapsed, len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from sales.models import SalesOrder

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}, "
          f"{SalesOrder.objects.count():,} orders; {args.rounds} rounds per page")  # fmt: skip
    clients = {}
    from django.contrib.auth import get_user_model

    for username in ("manager", "lead", "clerk"):
        clients[username] = Client()
        clients[username].force_login(get_user_model().objects.get(username=username))
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (user, url) in pages().items():
        median, p95, queries = measure(clients[user], url, args.rounds)
        print(f"{name:34} {median:10.1f} {p95:8.1f} {queries:8d}")
    elapsed, queries = approval_200_lines()
    print(f"{'approve a 200-line order':34} {elapsed:10.1f} {'':>8} {queries:8d}")


if __name__ == "__main__":
    main()
