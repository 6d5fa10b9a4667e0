"""Where the CPU time of each hot page and API read goes (issue #22, step 1): sampled from a real gunicorn.

Run after seed_scale, against PostgreSQL (as bench/run.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/profile.py --requests 40

It starts gunicorn (one sync worker, bench.settings), signs the demo users in, and for each page attaches
py-spy to the worker, makes the requests one after another, and reads py-spy's stacks back. Each sample is
put in the first category found walking its stack from the innermost frame outwards (a sample in psycopg
called by the ORM called by a template is SQL; Python's own modules take the category of their caller), so
the categories add up to the request's time. Idle samples are kept (waiting for PostgreSQL is idle in
Python's eyes) but only those inside a request (Django's WSGI handler on the stack). Prints, per page,
the median server time per request split by the categories' shares, the hottest frames of our own code
(the innermost of ours on the stack, with what it called) and the templates' own times (bench.middleware).

Needs py-spy (the `bench` extra) and the right to attach to a process (root, or ptrace_scope 0).
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.run import Server, collect_static, get, pages, sign_in  # noqa: E402

# (category, pattern on a frame's file path), tried in this order on each frame from the innermost out.
CATEGORIES = [
    ("SQL (driver and wait)", r"psycopg[^/]*/|psycopg_binary/"),
    ("ORM (query building, model instances)", r"django/db/"),
    ("templates", r"django/template/|django/templatetags/|template_partials/|crispy_[a-z0-9_]+/"),
    ("forms and filters", r"django/forms/|django_filters/"),
    ("DRF serialization", r"rest_framework/(serializers|fields|relations|renderers)\.py"),
    ("DRF views, auth, parsing", r"rest_framework/|drf_spectacular/"),
    ("session and auth", r"django/contrib/(sessions|auth)/|mto/roles\.py|axes/"),
    ("middleware", r"django/middleware/|mto/middleware\.py|mto/api/middleware\.py|whitenoise/|django_htmx/"),
    ("our code (views, selectors, services)", r"(mto|sales|jobs|shipping|purchasing|quotes)/"),
    ("URLs, request and response", r"django/(urls|core/handlers|http)/"),
]
# Helpers every layer calls (django.utils: escaping, SafeString, timezone...; signals) are in no category:
# their time is their caller's, like Python's own modules.
# py-spy prints paths relative to their sys.path entry ("django/db/models/query.py"): anchor at a segment.
CATEGORIES = [(name, re.compile(rf"(?:^|/)(?:{pattern})")) for name, pattern in CATEGORIES]
OTHER = "other (gunicorn, Python)"
IN_REQUEST = "django/core/handlers/wsgi.py"
OUR_CODE = re.compile(r"(?:^|/)(mto|sales|jobs|shipping|purchasing|quotes)/")
# The middleware wraps everything: the innermost of our frames that is not middleware says what was running.
MIDDLEWARE = re.compile(r"(?:^|/)mto/(api/)?middleware\.py")
# py-spy's raw format: "frame;frame;...;frame count", each frame "function (path:line)", outermost first.
FRAME = re.compile(r"^(?P<func>.*) \((?P<path>[^:()]+)(?::(?P<line>\d+))?\)$")


def categorize(frames: list[tuple[str, str]]) -> str:
    for _, path in reversed(frames):
        for name, pattern in CATEGORIES:
            if pattern.search(path):
                return name
    return OTHER


def parse(raw: str) -> list[tuple[list[tuple[str, str]], int]]:
    samples = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for text in stack.split(";"):
            match = FRAME.match(text.strip())
            frames.append((match["func"], match["path"]) if match else (text.strip(), ""))
        samples.append((frames, int(count)))
    return samples


def worker_pid(server: Server) -> int:
    """The one gunicorn worker (a child of the master)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def profile_page(server, pid, user, path, requests, rate, pyspy) -> tuple[collections.Counter, collections.Counter]:
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as out:
        output = out.name
    spy = subprocess.Popen(
        [pyspy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--idle", "--nonblocking",
         "--output", output],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches
    statuses = [get(server, path, user, baseline=False)[3] for _ in range(requests)]
    time.sleep(0.2)
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=30)
    raw = Path(output).read_text()
    os.unlink(output)
    if any(s != 200 for s in statuses):
        raise RuntimeError(f"{path} answered {sorted(set(statuses))}")
    by_category, hot = collections.Counter(), collections.Counter()
    for frames, count in parse(raw):
        if not any(IN_REQUEST in p for _, p in frames):
            continue  # the worker waiting for the next request
        by_category[categorize(frames)] += count
        ours = [f"{func} ({Path(p).parent.name}/{Path(p).name})" for func, p in frames
                if OUR_CODE.search(p) and not MIDDLEWARE.search(p)]  # fmt: skip
        if ours:
            hot[ours[-1]] += count
    return by_category, hot


def template_times(server: Server, path: str, user: dict, requests: int) -> tuple[float, dict[str, list[float]]]:
    """(median server ms, {template: [ms per request, renders per request]}) from bench.middleware's headers
    (exclusive time per template), measured without py-spy attached."""
    import statistics
    import urllib.request

    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    server_ms = []
    for _ in range(requests):
        request = urllib.request.Request(server.url + path,
                                         headers={"Cookie": f"sessionid={user['session'].session_key}"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            head = response.headers
        server_ms.append(float(re.search(r"app;dur=([\d.]+)", head["Server-Timing"]).group(1)))
        for item in filter(None, head.get("X-Template-Times", "").split(",")):
            name, _, figures = item.rpartition("=")
            ms, _, renders = figures.partition("/")
            totals[name][0] += float(ms) / requests
            totals[name][1] += int(renders) / requests
    return statistics.median(server_ms), dict(totals)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per page while sampling")
    parser.add_argument("--rate", type=int, default=1000, help="py-spy samples per second")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--only", default="", help="profile only the pages whose name contains this")
    parser.add_argument("--top", type=int, default=5, help="hottest frames of our code to print per page")
    args = parser.parse_args(argv)
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(pyspy).exists():
        print("py-spy is not installed (pip install -e '.[bench]')", file=sys.stderr)
        return 2
    users = sign_in(["manager", "lead", "clerk", "buyer"])  # the purchasing pages are the buyer's
    plan = [p for p in pages(users) if args.only in p[0]]
    collect_static()
    connection.close()
    server = Server(args.port, workers=1)
    names = [name for name, _ in CATEGORIES] + [OTHER]
    try:
        pid = worker_pid(server)
        for name, username, path, _ in plan:
            for _ in range(3):  # warm the worker's caches (templates, URL resolver, connection)
                get(server, path, users[username], baseline=False)
            # The server's own figure (bench.middleware, py-spy detached) gives the milliseconds; the samples
            # give the shares (a sampler on a busy machine takes fewer samples than its rate asks).
            server_ms, templates = template_times(server, path, users[username], args.requests)
            by_category, hot = profile_page(server, pid, users[username], path, args.requests, args.rate, pyspy)
            total = sum(by_category.values())
            if not total:
                print(f"\n{name}: no samples (could py-spy attach?)", file=sys.stderr)
                return 1
            print(f"\n{name}  ({path})\n  {server_ms:.1f} ms median server time; {total} samples over "
                  f"{args.requests} requests")  # fmt: skip
            for category in names:
                if by_category[category]:
                    share = by_category[category] / total
                    print(f"  {category:40} {share * server_ms:7.1f} ms  {share:6.1%}")
            for frame, count in hot.most_common(args.top):
                print(f"    hot: {frame:60} {count / total:6.1%}")
            print("  templates, exclusive ms per request (blocks apart from their template):")
            for template, (ms, renders) in sorted(templates.items(), key=lambda kv: -kv[1][0])[: args.top]:
                print(f"    {template:60} {ms:7.1f} ms  {renders:5.0f} renders")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
