"""The load test of issue #7: locust with 20 users against gunicorn on 127.0.0.1, then checks of the data.

Run after seed_scale, with the `bench` extra installed (`.venv/bin/pip install -e '.[bench]'`):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/loadtest.py --duration 180

It prepares what the simulated users need (sessions for the manager, clerk and lead, API tokens for
office, manager and lead, a slice of released jobs' first operations per user), starts gunicorn with
bench.settings, runs locust headless for the given time (bench/locustfile.py: 70% pages, 20% tablet
updates, 10% approvals), then prints requests/s, p50/p95 per kind and errors, and checks the database:
the pieces the users were told were stored are the pieces stored, no order line has two jobs, every
order approved during the test has one job per line and its acknowledgment in the notification outbox.
Exits non-zero when a check fails or a request errored.

`--capacity` measures the system's capacity instead of the 20 users' figures: an open model (the users
start tasks at a target rate whatever the answers take, Poisson arrivals; bench/locustfile.py) stepped from
`--start` to `--stop` tasks per second by `--step`, `--step-seconds` each (it stops after a step whose p95
passed 3x the limit). Per step it prints the target, the achieved requests/s, p50 and p95 over every kind,
the pages' and the tablet updates' p95 and the errors (the first 2 s of a step are left out: the rate has just
changed), and then the capacity: the highest achieved rate of a step whose p95 stayed at most `--p95-limit`
ms (150) without an error and that kept up with its target (achieved at least 90% of it). The data checks run
after it as after the 20 users. `--workers`, `--threads` and `--worker-class` choose gunicorn's (sync with 1
thread, else gthread; gunicorn.conf.py holds the rest).
"""

import argparse
import collections
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (sets bench.settings up)
from django.db import connection  # noqa: E402
from django.db.models import Count, OuterRef, Subquery, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

ROOT = run.ROOT


def prepare(users: int, per_user: int) -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from jobs.models import Job, Operation
    from mto.models import Notification
    from sales.models import Customer, Item, SalesOrder

    sessions = run.sign_in(["manager", "lead", "clerk", "buyer"])  # the purchasing pages are the buyer's
    plan_pages = [(name, path, who) for name, who, path, _base in run.pages(sessions) if "dashboard" not in name]
    rng = random.Random(7)
    recent_orders = list(SalesOrder.objects.order_by("-id").values_list("id", flat=True)[:2000])
    recent_jobs = list(Job.objects.order_by("-id").values_list("id", flat=True)[:2000])
    # Besides the benchmark's pages (the 50-line order, one job), details of recent orders and jobs at random.
    plan_pages.append(("order detail", [f"/sales/orders/{pk}/" for pk in rng.sample(recent_orders, 50)], "manager"))
    plan_pages.append(("job detail", [f"/jobs/{pk}/" for pk in rng.sample(recent_jobs, 50)], "manager"))
    User = get_user_model()
    tokens = {name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
              for name in ("office", "manager", "lead")}  # fmt: skip
    # The first operation of released jobs, one job per operation, each user its own slice. Material in: a start
    # on an operation still waiting for its material is refused (409), as on the floor. Chosen in SQL, so jobs
    # earlier runs left waiting for material never crowd the fresh ones out of the slice.
    first_sequence = Operation.objects.filter(job=OuterRef("job_id")).order_by("sequence").values("sequence")[:1]
    pool = list(
        Operation.objects.filter(job__status=Job.Status.RELEASED, job__quantity__gte=5, status="pending",
                                 material_ready=True, sequence=Subquery(first_sequence))
        .select_related("job")
        .order_by("job_id")[: users * per_user]
    )  # fmt: skip
    if len(pool) < users:
        raise SystemExit(f"only {len(pool)} released jobs with a pending first operation: seed again")
    operations = [[] for _ in range(users)]
    for n, op in enumerate(pool):
        available = op.job.quantity - op.good_qty - op.scrap_qty
        operations[n % users].append({"id": op.pk, "status": op.status, "available": available})
    items = list(
        Item.objects.filter(is_active=True, routing_steps__isnull=False).distinct().values_list("id", flat=True)
    )
    customer = Customer.objects.exclude(email="").filter(is_active=True).order_by("id").first()
    return {
        "pages": [[name, path, who] for name, path, who in plan_pages],
        "sessions": {name: s["session"].session_key for name, s in sessions.items()},
        "tokens": tokens,
        "operations": operations,
        "items": list(items[:50]),
        "customer": customer.pk,
        "due_date": (timezone.localdate() + timezone.timedelta(days=45)).isoformat(),
        "before": {
            "good": Operation.objects.filter(pk__in=[op.pk for op in pool]).aggregate(s=Sum("good_qty"))["s"] or 0,
            "notification_id": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        },
    }


def cpu_by_name(result: dict) -> None:
    """Per request name, the app thread's CPU time (median, and its total's share of all requests' CPU), the
    costliest first: what to make cheaper for more requests a second on the same cores."""
    cpu = result.get("cpu") or {}
    total = sum(sum(v) for v in cpu.values())
    if not total:
        return
    print(f"\n{'app CPU by request':52} {'requests':>9} {'median ms':>10} {'total s':>8} {'share':>6}")
    for name, values in sorted(cpu.items(), key=lambda kv: -sum(kv[1])):
        print(f"{name[:52]:52} {len(values):9,} {percentile(values, 50):10.1f} {sum(values) / 1000:8.1f} "
              f"{100 * sum(values) / total:5.1f}%")  # fmt: skip
    print(f"{'all':52} {sum(len(v) for v in cpu.values()):9,} {'':10} {total / 1000:8.1f}")


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * pct // 100) - 1)] if ordered else float("nan")


def report(result: dict, seconds: float) -> int:
    by_kind = {}
    for name, times in result["times"].items():
        by_kind.setdefault(name.split(":", 1)[0], []).extend(times)
        by_kind[name] = times
    errors = sum(result["errors"].values())
    total = sum(len(t) for k, t in by_kind.items() if ":" not in k)
    print(f"\n{total:,} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s, {errors} errors")
    print(f"{'kind':22} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7} {'refused':>8}")
    for kind in sorted(by_kind, key=lambda k: (k.split(":")[0], ":" in k, k)):
        times = by_kind[kind]
        refused = sum(n for name, n in result["refused"].items() if name == kind or name.startswith(f"{kind}:"))
        errs = sum(n for name, n in result["errors"].items() if name == kind or name.startswith(f"{kind}:"))
        label = kind if ":" not in kind else f"  {kind}"
        print(f"{label:22} {len(times):9,} {len(times) / seconds:7.1f} {percentile(times, 50):7.0f} "
              f"{percentile(times, 95):7.0f} {errs:7d} {refused:8d}")  # fmt: skip
    return errors


def warm_up(server, plan: dict, times: int) -> None:
    """Every page a few times before the clock starts (each worker loads its templates and opens its connection
    on its first requests, which would otherwise land in the first step)."""
    import urllib.request

    for _ in range(max(2, times)):
        for _name, path, who in plan["pages"]:
            path = path[0] if isinstance(path, list) else path
            request = urllib.request.Request(
                server.url + path, headers={"Cookie": f"sessionid={plan['sessions'][who]}"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()


class CpuTally:
    """CPU seconds each kind of process spent while the load ran, read from /proc once a second (a process
    that ends between two reads loses under a second; locust, which ends with the load, is read from its
    rusage instead). Says where the machine's two cores went: the app's workers, PostgreSQL, the load
    generator itself, the rest."""

    KINDS = (("gunicorn", "gunicorn"), ("postgres", "postgres"), ("locust", "locust"), ("redis", "redis"))

    def __init__(self):
        import threading

        self.tick = os.sysconf("SC_CLK_TCK")
        self.first, self.last = self.read(), {}
        self.started = time.monotonic()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def read(self) -> dict:
        seen = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            kind = next((k for k, marker in self.KINDS if marker in cmdline or marker in name), "other")
            seen[int(entry)] = (kind, (int(fields[11]) + int(fields[12])) / self.tick)
        return seen

    def sample(self):
        while not self.stop_event.wait(1.0):
            self.last.update(self.read())

    def finish(self, children_seconds: float) -> dict:
        self.stop_event.set()
        self.thread.join()
        self.last.update(self.read())
        spent = collections.Counter()
        for pid, (kind, seconds) in self.last.items():
            if kind == "locust":
                continue  # from rusage below (it has ended)
            before = self.first.get(pid, (kind, 0.0))[1]
            spent[kind] += max(0.0, seconds - before)
        spent["locust"] += children_seconds
        spent["wall"] = time.monotonic() - self.started
        return dict(spent)


def cpu_report(spent: dict, requests: int) -> None:
    wall = spent.pop("wall")
    total = sum(spent.values())
    cores = os.cpu_count()
    print(f"\nCPU while the load ran ({wall:.0f} s wall x {cores} cores = {cores * wall:.0f} core-seconds):")
    for kind, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        per = f"{1000 * seconds / requests:6.1f} ms a request" if requests else ""
        print(f"  {kind:10} {seconds:7.1f} s {100 * seconds / total:5.1f}%  {per}")
    print(f"  {'all':10} {total:7.1f} s, {100 * total / (cores * wall):.0f}% of the machine")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def capacity_report(result: dict, steps: list, limit: float) -> float:
    """Per step: target, achieved, p50/p95 of all, pages' and tablet updates' p95, errors; then the capacity."""
    print(f"\n{'target tasks/s':>14} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'pages p95':>10} {'tablet p95':>11} "
          f"{'errors':>7}")  # fmt: skip
    print(f"{'':14} {'':7} {'':7} {'':7} {'':10} {'':11} {'':7} tasks/s")
    start, capacity, best = 0.0, 0.0, None
    for rate, seconds in steps:
        events = [e for e in result["events"] if start + 2 <= e[0] < start + seconds]
        tasks = sum(1 for t in result["tasks"] if start + 2 <= t < start + seconds)
        start += seconds
        if not events:  # nothing finished in the step (a loaded machine, or locust still starting): say so
            print(f"{rate:14.0f} {'-':>7} {'-':>7} {'-':>7} {'-':>10} {'-':>11} {'-':>7} {tasks / (seconds - 2):7.1f}"
                  "  no request finished")  # fmt: skip
            continue
        span = seconds - 2
        times = [e[2] for e in events]
        pages = [e[2] for e in events if e[1].startswith("pages:")]
        tablet = [e[2] for e in events if e[1].startswith("tablet:")]
        errors = sum(1 for e in events if e[3])
        achieved = len(events) / span
        kept_up = tasks / span >= 0.9 * rate
        p95_all = percentile(times, 95)
        ok = p95_all <= limit and errors == 0 and kept_up
        if ok and achieved > capacity:
            capacity, best = achieved, rate
        mark = "" if ok else ("  over p95" if p95_all > limit else "") + ("  errors" if errors else "") + (
            "" if kept_up else "  fell behind")  # fmt: skip
        print(f"{rate:14.0f} {achieved:7.1f} {percentile(times, 50):7.0f} {p95_all:7.0f} "
              f"{percentile(pages, 95):10.0f} {percentile(tablet, 95):11.0f} {errors:7d} "
              f"{tasks / span:7.1f}{mark}")  # fmt: skip
    if best is None:
        print(f"capacity: no step kept p95 at most {limit:.0f} ms")
    else:
        print(f"capacity: {capacity:.1f} requests/s (the {best:.0f} tasks/s step) with p95 at most {limit:.0f} ms")
    return capacity


def check(plan: dict, result: dict) -> list[str]:
    from jobs.models import Job, Operation
    from mto.models import Notification
    from sales.models import SalesOrder

    problems = []
    op_ids = [op["id"] for ops in plan["operations"] for op in ops]
    stored = (Operation.objects.filter(pk__in=op_ids).aggregate(s=Sum("good_qty"))["s"] or 0) - plan["before"]["good"]
    reported, sent = result["pieces_reported"], result.get("pieces_sent", result["pieces_reported"])
    print(f"\npieces reported and accepted: {reported}; pieces stored on those operations: {stored}"
          + (f" (reports whose answer never came, cut off when the load stopped: {sent - reported} pieces)"
             if sent != reported else ""))  # fmt: skip
    # Every accepted report stored, nothing stored that was not sent (a report in flight when locust stops
    # may be stored with its answer lost; without a stop under way the two are equal).
    if not reported <= stored <= sent:
        problems.append(f"pieces: {reported} reported and accepted, {sent} sent, {stored} stored")
    duplicates = (
        Job.objects.filter(sales_order_line__isnull=False)
        .values("sales_order_line")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(f"order lines with more than one job: {duplicates}")
    if duplicates:
        problems.append(f"{duplicates} order lines with more than one job")
    approved = SalesOrder.objects.filter(pk__in=result["approved"]).annotate(
        lines_n=Count("lines", distinct=True), jobs_n=Count("lines__jobs", distinct=True)
    )
    numbers = {o.number: o for o in approved}
    acknowledged = set()
    for subject in Notification.objects.filter(
        pk__gt=plan["before"]["notification_id"], kind="order_acknowledgment"
    ).values_list("subject", flat=True):
        acknowledged.add(subject.split()[2])  # "Order acknowledgment SO-000123 (your PO ...)"
    missing_jobs = [o.number for o in approved if o.jobs_n != o.lines_n]
    missing_ack = sorted(set(numbers) - acknowledged)
    print(f"orders approved: {len(result['approved'])}; without one job per line: {len(missing_jobs)}; "
          f"without an acknowledgment in the outbox: {len(missing_ack)}")  # fmt: skip
    if len(numbers) != len(result["approved"]):
        problems.append("approved orders missing from the database")
    if missing_jobs:
        problems.append(f"orders without their jobs: {missing_jobs[:5]}")
    if missing_ack:
        problems.append(f"orders without an acknowledgment: {missing_ack[:5]}")
    for line in result["unexpected"]:
        problems.append(line)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=180, help="seconds of load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync workers)")
    parser.add_argument("--worker-class", default="", help="gunicorn worker class (default: by --threads)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--ops-per-user", type=int, default=8)
    parser.add_argument("--capacity", action="store_true", help="stepped arrival rate: report the capacity")
    parser.add_argument("--start", type=float, default=20, help="capacity: first step, tasks per second")
    parser.add_argument("--stop", type=float, default=200, help="capacity: last step, tasks per second")
    parser.add_argument("--step", type=float, default=20, help="capacity: tasks per second added per step")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--p95-limit", type=float, default=150.0, help="capacity: p95 (ms) a step must keep")
    args = parser.parse_args(argv)
    if args.capacity and args.users == 20:
        args.users = 60  # enough users that arrivals, not users waiting for answers, set the rate
    if not os.environ.get("REDIS_URL"):
        print("note: no REDIS_URL, so notification e-mails are sent inside the requests (eager Celery)")
    plan = prepare(args.users, args.ops_per_user)
    workdir = Path(tempfile.mkdtemp(prefix="mto-load-"))
    (workdir / "plan.json").write_text(json.dumps(plan))
    connection.close()
    steps = []
    if args.capacity:
        rate = args.start
        while rate <= args.stop + 1e-9:
            steps.append([rate, args.step_seconds])
            rate += args.step
        args.duration = sum(seconds for _, seconds in steps)
    run.collect_static()
    server = run.Server(args.port, args.workers, args.threads, args.worker_class)
    env = {
        **os.environ,
        "BENCH_LOAD_PLAN": str(workdir / "plan.json"),
        "BENCH_LOAD_RESULT": str(workdir / "result.json"),
        "BENCH_LOAD_USERS": str(args.users),
        "BENCH_LOAD_STEPS": json.dumps(steps) if steps else "",
        "BENCH_LOAD_STOP_MS": str(3 * args.p95_limit) if steps else "",
    }
    locust = Path(sys.executable).with_name("locust")
    try:
        static_url = run.check_static(server)
        warm_up(server, plan, args.workers * args.threads)
        print(f"gunicorn: {server.description}; static files from whitenoise ({static_url.rsplit('/', 1)[-1]}); "
              f"{args.users} users; {load()}", flush=True)  # fmt: skip
        tally = CpuTally()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        subprocess.run(
            [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--users", str(args.users),
             "--spawn-rate", str(args.users), "--run-time", f"{args.duration}s", "--host", server.url,
             "--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = min(time.monotonic() - start, args.duration)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = tally.finish(
            children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
        )
    finally:
        server.stop()
    print(f"after the load: {load()}")
    result = json.loads((workdir / "result.json").read_text())
    errors = report(result, seconds)
    cpu_report(spent, sum(len(t) for t in result["times"].values()))
    cpu_by_name(result)
    if steps:
        capacity_report(result, steps, args.p95_limit)
    problems = check(plan, result)
    for problem in problems:
        print(f"FAILED {problem}", file=sys.stderr)
    print("data checks: " + ("all passed" if not problems else f"{len(problems)} failed"))
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
