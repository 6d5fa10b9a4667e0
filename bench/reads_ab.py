"""Issue #22 step 2: the detail pages' and the home page's reads in one statement (mto.reads) against the same
reads one by one, interleaved in one process on the same data, so both sides see the same load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/reads_ab.py --rounds 30

Times each side's whole read (wall and CPU time of this process, queries) for the benchmark's 50-line order,
the benchmark's job (bench/run.py picks the same) and every home widget's reads; prints medians.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mto.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mto import panels, reads  # noqa: E402


def cases():
    from jobs import selectors as job_selectors
    from jobs.models import Job
    from sales import selectors as sales_selectors
    from sales.models import SalesOrder

    order = SalesOrder.objects.filter(customer_po="BENCH-50-LINES").first() or SalesOrder.objects.order_by("-id")[0]
    plain = Job.objects.filter(material_requirements__isnull=True).exclude(operations__outside__isnull=False)
    job = plain.filter(status="in_progress").order_by("-id").first() or plain.order_by("-id").first()
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="manager")
    request.session = {}

    def home():
        for attr in ("_planning_run",):
            request.__dict__.pop(attr, None)
        return panels.render(request, page="home")

    def order_page():
        o = sales_selectors.order_detail(pk=order.pk)
        return panels.render(request, page="order-detail", order=o)

    def job_page():
        j = job_selectors.job_detail(pk=job.pk)
        return panels.render(request, page="job-detail", job=j)

    return {f"order {order.number} ({order.lines.count()} lines)": order_page,
            f"job {job.number} ({job.operations.count()} operations)": job_page, "manager home": home}  # fmt: skip


def timed(fn, together: bool):
    with CaptureQueriesContext(connection) as ctx:
        wall, cpu = time.perf_counter(), time.process_time()
        if together:
            html = fn()
        else:
            with reads.one_by_one():
                html = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall * 1000, cpu * 1000, len(ctx.captured_queries), html


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    for name, fn in cases().items():
        runs = {True: [], False: []}
        for warm in (True, False):
            _, _, _, html = timed(fn, warm)
            runs.setdefault(f"html-{warm}", html)
        assert runs["html-True"] == runs["html-False"], f"{name}: the two ways render differently"
        for n in range(args.rounds):
            for together in (True, False) if n % 2 == 0 else (False, True):
                runs[together].append(timed(fn, together)[:3])
        for together, label in ((False, "one by one"), (True, "together")):
            wall = statistics.median(r[0] for r in runs[together])
            cpu = statistics.median(r[1] for r in runs[together])
            print(f"{name:40} {label:11} {wall:8.1f} ms wall {cpu:8.1f} ms CPU {runs[together][0][2]:3} queries")
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
