"""The benchmark of issue #7: each hot page against its raw-SQL baseline, interleaved, on a real gunicorn.

Run after seed_scale, against PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/run.py --rounds 30

It starts gunicorn on 127.0.0.1 with bench.settings (DEBUG off, the Server-Timing middleware, the baseline
views), signs the demo users in by making their sessions, then for each round requests every page and its
baseline, alternating which goes first. Times are the server's (the Server-Timing header: from the first
middleware to the response, SQL included), not the client's round trip, which is printed beside them.
Then it times the approval of a 200-line order in-process (rolled back), and prints everything.

Exits non-zero if a page does not answer 200 or a baseline's HTML differs from its page's more than the
known differences (CSRF tokens).
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

BENCH_PO = "BENCH-50-LINES"


def big_order(lines: int = 50):
    """An approved order with 50 lines and one approved change (made once, kept: seed_scale orders have 1 to 8
    lines)."""
    from sales import services
    from sales.models import Customer, Item, SalesOrder

    order = SalesOrder.objects.filter(customer_po=BENCH_PO).first()
    if order:
        return order
    User = get_user_model()
    office, manager = User.objects.get(username="office"), User.objects.get(username="manager")
    item = Item.objects.filter(routing_steps__isnull=False).order_by("id").first()
    due = timezone.localdate() + timezone.timedelta(days=30)
    order = services.sales_order_create(
        by=office, customer=Customer.objects.order_by("id").first(), customer_po=BENCH_PO,
        lines=[{"item": item, "quantity": 5, "due_date": due} for _ in range(lines)],
    )  # fmt: skip
    services.sales_order_submit(order=order, by=office)
    services.sales_order_approve(order=order, by=manager)
    # Approved orders change: this one is at revision 1, so its page shows the change history too.
    first, second = order.lines.order_by("line_no")[:2]
    change = services.change_request_open(order=order, by=office)
    services.change_item_add(change_request=change, kind="quantity", line=first, quantity=6, reason="Bench",
                             by=office)  # fmt: skip
    services.change_item_add(change_request=change, kind="due_date", line=second,
                             date=due + timezone.timedelta(days=7), reason="Bench", by=office)  # fmt: skip
    services.change_request_submit(change_request=change, by=office)
    services.change_request_approve(change_request=change, by=manager)
    return order


BENCH_RFQ = "BENCH-20-LINES"


def big_quote(lines: int = 20):
    """A draft quote of 20 custom lines x 4 breaks, each sawn and milled with material and outside services
    (made once, kept: seed_scale quotes have 1 to 4 lines)."""
    from jobs.models import WorkCenter
    from quotes import services
    from quotes.models import Quote
    from sales.models import Customer

    quote = Quote.objects.filter(rfq_reference=BENCH_RFQ).first()
    if quote:
        return quote
    office = get_user_model().objects.get(username="office")
    centers = list(WorkCenter.objects.order_by("code")[:4])
    D = Decimal
    with transaction.atomic():
        return services.quote_create(
            by=office, customer=Customer.objects.order_by("id").first(), contact_email="bench@example.com",
            rfq_reference=BENCH_RFQ,
            lines=[{
                "description": f"Bench part {n}", "drawing_number": f"BENCH-{n:02d}", "drawing_revision": "A",
                "breaks": [1, 10, 50, 250],
                "operations": [{"work_center": centers[(n + i) % len(centers)], "description": f"Step {i}",
                                "setup_hours": D("1.5"), "run_hours_per_piece": D("0.2")} for i in range(3)],
                "materials": [{"description": "Bar", "cost": D("4.20"), "basis": "piece", "scrap_percent": D("5")}],
                "outside": [{"vendor_name": "Anodize Co", "cost": D("120.00"), "basis": "lot", "lead_days": 7}],
            } for n in range(lines)],
        )  # fmt: skip


def pages(users: dict) -> list[tuple[str, str, str, str]]:
    """(name, user, real URL, baseline URL or "")."""
    from jobs.models import Job, WorkCenter
    from sales.models import Customer, SalesOrder

    order = big_order()
    quote = big_quote()
    newest = SalesOrder.objects.order_by("-id").exclude(pk=order.pk).first()
    # The baseline's job has no purchasing rows (the purchasing entries below have a job with both panels).
    plain = Job.objects.filter(material_requirements__isnull=True).exclude(operations__outside__isnull=False)
    job = plain.filter(status="in_progress").order_by("-id").first() or plain.order_by("-id").first()
    customer = Customer.objects.order_by("id").first()
    po = SalesOrder.objects.exclude(customer_po="").order_by("-id").values_list("customer_po", flat=True).first()
    center = WorkCenter.objects.filter(code="CNC").first() or WorkCenter.objects.order_by("code").first()
    users["lead"]["session"]["floor_work_center"] = center.code
    users["lead"]["session"].save()
    base = "/bench/baseline"
    return [
        ("order list", "manager", "/sales/orders/", f"{base}/orders/"),
        ("order list, status filter", "manager", "/sales/orders/?status=in_production",
         f"{base}/orders/?status=in_production"),
        ("order list, search customer code", "manager", f"/sales/orders/?q={customer.code}",
         f"{base}/orders/?q={customer.code}"),
        ("order list, search PO", "manager", f"/sales/orders/?q={po}", f"{base}/orders/?q={po}"),
        ("order list, search number", "manager", f"/sales/orders/?q={newest.number}",
         f"{base}/orders/?q={newest.number}"),
        ("order detail, 50 lines", "manager", order.get_absolute_url(), f"{base}/orders/{order.pk}/"),
        ("job list", "manager", "/jobs/", f"{base}/jobs/"),
        ("job list, late", "manager", "/jobs/?late=on", f"{base}/jobs/?late=on"),
        ("job detail", "manager", job.get_absolute_url(), f"{base}/jobs/{job.pk}/"),
        ("shop floor queue", "lead", "/jobs/floor/", f"{base}/floor/?wc={center.code}"),
        ("ready to ship", "clerk", "/shipping/", f"{base}/ready-to-ship/"),
        ("manager home (dashboard)", "manager", "/", ""),
        ("quote list", "manager", "/quotes/", ""),
        ("quote detail, 20 lines x 4 breaks", "manager", quote.get_absolute_url(), ""),
        ("quote print, 20 lines x 4 breaks", "manager", f"{quote.get_absolute_url()}print/", ""),
        ("quote hit rate, one year by month", "manager",
         f"/quotes/reports/hit-rate/?group=month&from={timezone.localdate().replace(month=1, day=1)}", ""),
        ("estimate accuracy report", "manager", "/quotes/reports/estimate-accuracy/", ""),
        *purchasing_pages(),
        # The API reads issue #22 names (no baseline: their answer is JSON, not a template).
        ("API: newest 50 orders with lines", "manager", "/api/v1/sales-orders/?page_size=50", ""),
        ("API: newest 50 jobs", "manager", "/api/v1/jobs/?page_size=50", ""),
    ]  # fmt: skip


def purchasing_pages() -> list[tuple[str, str, str, str]]:
    """The buyer's pages and a job with both purchasing panels (seed_scale's purchasing rows); no baselines."""
    from django.db.models import Exists, OuterRef

    from jobs.models import Job
    from purchasing.models import MaterialRequirement, OutsideOperation, PurchaseOrder

    po = (PurchaseOrder.objects.filter(status="partially_received").order_by("-id").first()
          or PurchaseOrder.objects.order_by("-id").first())  # fmt: skip
    both = Job.objects.filter(Exists(MaterialRequirement.objects.filter(job=OuterRef("pk"))),
                              Exists(OutsideOperation.objects.filter(operation__job=OuterRef("pk"))))  # fmt: skip
    job = both.filter(status="in_progress").order_by("-id").first() or both.order_by("-id").first()
    return [
        ("purchasing: PO list", "buyer", "/purchasing/", ""),
        *([("purchasing: PO detail", "buyer", po.get_absolute_url(), "")] if po else []),
        ("purchasing: receiving", "buyer", "/purchasing/receiving/", ""),
        ("purchasing: at vendors", "buyer", "/purchasing/outside/", ""),
        *([("purchasing: job, material+outside", "manager", job.get_absolute_url(), "")] if job else []),
    ]  # fmt: skip


def sign_in(usernames) -> dict:
    """A database session per user, as a login would make (the benchmark never posts a password)."""
    User = get_user_model()
    users = {}
    for username in usernames:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "mto.roles.RoleBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        users[username] = {"id": user.pk, "session": session}
    return users


def collect_static() -> None:
    """collectstatic into bench.settings' STATIC_ROOT (hashed and compressed, as a deployment does), so whitenoise
    serves the pages' CSS and scripts from its middleware (before sessions, auth and every view). Skipped when
    the manifest is newer than every source file: hashing and compressing the 1,000 files (the API docs' bundles
    among them) takes a minute on a quiet machine and several under load."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        built = manifest.stat().st_mtime
        newest = max(
            (storage.path(path) for finder in get_finders() for path, storage in finder.list([])),
            key=lambda p: Path(p).stat().st_mtime, default=None,
        )  # fmt: skip
        if newest is None or Path(newest).stat().st_mtime < built:
            return
    print("collectstatic (hashed and compressed copies for whitenoise) ...", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def check_static(server: "Server") -> str:
    """Ask the server for the stylesheet by its hashed name: whitenoise must answer it, compressed and cached for
    good (a failure here means the benchmark's pages would fetch their assets from Django, or not at all)."""
    from django.templatetags.static import static

    url = server.url + static("vendor/bootstrap/bootstrap.min.css")
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(request, timeout=30) as response:
        head = response.headers
    if "immutable" not in head.get("Cache-Control", "") or not head.get("Content-Encoding"):
        raise RuntimeError(f"static files are not served by whitenoise from the manifest: {url} {dict(head)}")
    return url


class Server:
    """gunicorn on 127.0.0.1 with bench.settings and the checked-in gunicorn.conf.py (its timeouts, keep-alive
    and worker recycling), the worker class and counts given here; stopped on exit. `threads` > 1 means
    gthread workers, 1 plain sync workers (as the configuration decides)."""

    def __init__(self, port: int, workers: int, threads: int = 1, worker_class: str = ""):
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        worker_class = worker_class or ("gthread" if threads > 1 else "sync")
        self.description = f"{workers} {worker_class} worker(s)" + (f" x {threads} threads" if threads > 1 else "")
        self.process = subprocess.Popen(
            [str(gunicorn), "mto.wsgi:application", "--config", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
             "--worker-class", worker_class, "--log-level", "warning", "--max-requests", "0"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/login/", timeout=5).read()
                break
            except OSError:  # not up yet: refused, reset, or a timeout (URLError and the rest are OSErrors)
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def get(server: Server, path: str, user: dict, baseline: bool) -> tuple[float, float, int, int, str]:
    """(server ms, client ms, queries, status, body) of one request."""
    headers = {"X-Bench-User": str(user["id"])} if baseline else {"Cookie": f"sessionid={user['session'].session_key}"}
    request = urllib.request.Request(server.url + path, headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body, status, head = response.read(), response.status, response.headers
    except urllib.error.HTTPError as exc:
        body, status, head = exc.read(), exc.code, exc.headers
    client = (time.perf_counter() - start) * 1000
    timing = re.search(r"app;dur=([\d.]+)", head.get("Server-Timing", ""))
    return (float(timing.group(1)) if timing else float("nan"), client, int(head.get("X-Queries", -1)), status,
            body.decode())  # fmt: skip


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


# Per-render tokens (CSRF, the forms' one-time submit token) differ between any two renderings.
_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|submit_token" value="|X-CSRFToken": ")[^"]+')


def same_html(a: str, b: str) -> tuple[bool, str]:
    a, b = _TOKEN.sub(r"\1", a).splitlines(), _TOKEN.sub(r"\1", b).splitlines()
    if a == b:
        return True, ""
    import difflib

    diff = [line for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-"][2:8]
    return False, "\n".join(diff)


def approval_200_lines(repeat: int) -> list[tuple[float, int]]:
    from sales import services
    from sales.models import Customer, Item

    User = get_user_model()
    office, manager = User.objects.get(username="office"), User.objects.get(username="manager")
    item = Item.objects.filter(routing_steps__isnull=False).order_by("id").first()
    customer = Customer.objects.order_by("id").first()
    results = []
    for _ in range(repeat):
        with transaction.atomic():
            order = services.sales_order_create(
                by=office, customer=customer,
                lines=[{"item": item, "quantity": 5, "due_date": timezone.localdate()} for _ in range(200)],
            )  # fmt: skip
            services.sales_order_submit(order=order, by=office)
            manager = User.objects.get(pk=manager.pk)  # a fresh user, as a request would load
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                services.sales_order_approve(order=order, by=manager)
                elapsed = (time.perf_counter() - start) * 1000
            transaction.set_rollback(True)  # leave the data set as it was
        results.append((elapsed, len(ctx.captured_queries)))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per page and per baseline")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (requests are sequential)")
    parser.add_argument("--approvals", type=int, default=5, help="200-line approvals to time")
    parser.add_argument("--only", default="", help="run only the pages whose name contains this")
    parser.add_argument("--json", default="", help="also write the figures to this file (bench/growth.py reads it)")
    args = parser.parse_args(argv)
    from jobs.models import Job
    from sales.models import SalesOrder

    db = settings.DATABASES["default"]
    counts = {"orders": SalesOrder.objects.count(), "jobs": Job.objects.count()}
    print(f"database: {connection.vendor} {db['NAME']}, {counts['orders']:,} orders, "
          f"{counts['jobs']:,} jobs; {args.rounds} rounds, gunicorn with {args.workers} worker(s)")  # fmt: skip
    users = sign_in(["manager", "lead", "clerk", "buyer"])
    plan = [p for p in pages(users) if args.only in p[0]]
    collect_static()
    connection.close()  # the server's workers get their own connections
    server = Server(args.port, args.workers)
    failures = []
    try:
        check_static(server)
        results = {name: {"real": [], "base": []} for name, *_ in plan}
        for name, username, real, base in plan:  # warm-up and the HTML check
            user = users[username]
            for _ in range(max(args.warmup, 1)):  # one at least: the HTML check reads it
                real_answer = get(server, real, user, baseline=False)
                base_answer = get(server, base, user, baseline=True) if base else None
            if real_answer[3] != 200:
                failures.append(f"{name}: {real} answered {real_answer[3]}")
            if base_answer:
                same, diff = same_html(real_answer[4], base_answer[4])
                if base_answer[3] != 200 or not same:
                    failures.append(f"{name}: baseline {base} differs ({base_answer[3]}):\n{diff}")
        for round_no in range(args.rounds):
            for name, username, real, base in plan:
                user = users[username]
                order = [("real", real), ("base", base)] if round_no % 2 == 0 else [("base", base), ("real", real)]
                for kind, path in order:
                    if path:
                        server_ms, client_ms, queries, status, _ = get(server, path, user, baseline=kind == "base")
                        if status != 200:
                            failures.append(f"{name}: {path} answered {status}")
                        results[name][kind].append((server_ms, client_ms, queries))
    finally:
        server.stop()
    print(f"\n{'page':34} {'median':>7} {'p95':>7} {'client':>7} {'queries':>7}   {'baseline':>8} {'p95':>7} "
          f"{'queries':>7}   {'ratio':>5}")  # fmt: skip
    print(f"{'':34} {'ms':>7} {'ms':>7} {'ms':>7} {'':>7}   {'ms':>8} {'ms':>7} {'':>7}")
    figures = {}
    for name, *_ in plan:
        real = results[name]["real"]
        base = results[name]["base"]
        median = statistics.median(r[0] for r in real)
        figures[name] = {"median": median, "p95": p95([r[0] for r in real]), "queries": max(r[2] for r in real),
                         "baseline": statistics.median(r[0] for r in base) if base else None}  # fmt: skip
        line = (f"{name:34} {median:7.1f} {p95([r[0] for r in real]):7.1f} "
                f"{statistics.median(r[1] for r in real):7.1f} {max(r[2] for r in real):7d}")  # fmt: skip
        if base:
            base_median = statistics.median(r[0] for r in base)
            line += (f"   {base_median:8.1f} {p95([r[0] for r in base]):7.1f} {max(r[2] for r in base):7d}"
                     f"   {median / base_median:5.2f}")  # fmt: skip
        print(line)
    if args.approvals:
        approvals = approval_200_lines(args.approvals)
        times = [a[0] for a in approvals]
        print(f"\napprove a 200-line order (in-process, {len(times)} runs): median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms, {approvals[0][1]} queries")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"database": db["NAME"], **counts, "pages": figures,
                                               "failures": failures}))  # fmt: skip
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
