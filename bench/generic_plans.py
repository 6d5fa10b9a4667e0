"""Issue #22: the statements mto.reads prepares (fetch(prepared=True), CompiledRows) checked at scale.

PostgreSQL keeps one generic plan for a prepared statement after five runs, a plan that cannot see the values:
it is right only if a plan made for each key would be no better. For many keys of each prepared read (newest,
oldest, the biggest, random; every user for the signed-in user's read), this times EXPLAIN ANALYZE of the
statement under `plan_cache_mode = force_custom_plan` (planned for the key, as an unprepared statement is) and
`force_generic_plan` (the kept plan), best of three each:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/generic_plans.py --keys 10

Prints each read's planning and execution medians and its worst key; exits 1 if any key's generic plan runs
more than 1.5x (+0.5 ms) its custom plan's execution time: a read that must not be prepared.
"""

import argparse
import json
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mto.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from mto import reads  # noqa: E402

TOLERANCE, SLACK_MS = 1.5, 0.5


def pages():
    """{page: (its reads for one key, keys)}: the page's selector and its panels' reads, as the manager (who
    sees every panel) opens it; the keys spread over the data, `per` of each kind."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from jobs.models import Job
    from jobs.selectors import floor_job, job_detail
    from mto import panels
    from sales.models import SalesOrder
    from sales.selectors import order_detail

    def spread(model, children, per):
        newest = list(model.objects.order_by("-id").values_list("id", flat=True)[:per])
        oldest = list(model.objects.order_by("id").values_list("id", flat=True)[:per])
        biggest = list(
            model.objects.annotate(n=Count(children)).order_by("-n").values_list("id", flat=True)[:per]
        )  # fmt: skip
        anywhere = list(model.objects.order_by("?").values_list("id", flat=True)[:per])
        return list(dict.fromkeys(newest + oldest + biggest + anywhere))

    def request():
        request = RequestFactory().get("/")
        request.user = get_user_model().objects.get(username="manager")
        request.session = {}
        return request

    def job_page(pk):
        panels.render(request(), page="job-detail", job=job_detail(pk=pk))

    def order_page(pk):
        panels.render(request(), page="order-detail", order=order_detail(pk=pk))

    def signed_in_user(pk):  # every page's: the user, roles, permissions and the bell (mto.roles)
        from mto.roles import _user_with_roles_and_bell

        _user_with_roles_and_bell(pk)

    return {
        "signed-in user": (signed_in_user, lambda per: list(get_user_model().objects.values_list("id", flat=True))),
        "job page": (job_page, lambda per: spread(Job, "operations", per)),
        "floor job (tablet)": (lambda pk: floor_job(pk=pk), lambda per: spread(Job, "operations", per)),
        "order page": (order_page, lambda per: spread(SalesOrder, "lines", per)),
    }


def prepared_statements(run) -> list[tuple[str, list]]:
    """(sql, params) of each prepared statement `run()` executes."""
    seen = []

    def capture(execute, sql, params, many, context):
        if isinstance(context["cursor"].cursor, reads._preparing_cursor_class()):
            seen.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run()
    assert seen, "no prepared statement (PREPARED_READS on? PostgreSQL?)"
    return seen


def server_text(sql: str) -> str:
    """Django's %s placeholders as PostgreSQL numbers them ($1, $2, ...), as psycopg sends them."""
    numbers = iter(range(1, 10_000))
    return re.sub(r"%([%s])", lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)


def statement_name(sql: str, params: list) -> str:
    """The name psycopg prepared the statement under for these values. It dumps an int as the smallest integer
    type that holds it, and the types are part of what it prepares: keys under 32,768 have a statement of
    their own (smallint), as keys beyond 2**31 would (bigint)."""
    key = next(p for p in params if type(p) is int)
    expected = "smallint" if -(2**15) <= key < 2**15 else "integer" if -(2**31) <= key < 2**31 else "bigint"
    position = next(i for i, p in enumerate(params) if type(p) is int)
    with connection.cursor() as cursor:
        sql_of = "SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE statement = %s"
        cursor.execute(sql_of, [server_text(sql)])
        [name] = [name for name, types in cursor.fetchall() if types[position] == expected]
    return name


def timed(name: str, params: list, mode: str) -> tuple[float, float]:
    """(planning ms, execution ms) of EXECUTE name(params) under the plan cache mode, best of three."""
    best = None
    with connection.cursor() as cursor:
        cursor.execute(f"SET plan_cache_mode = {mode}")
        placeholders = ", ".join(["%s"] * len(params))
        for _ in range(3):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({placeholders})", params)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            figures = (plan["Planning Time"], plan["Execution Time"])
            best = figures if best is None or sum(figures) < sum(best) else best
        cursor.execute("RESET plan_cache_mode")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=10, help="keys of each kind (newest, oldest, biggest, random)")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("PostgreSQL only (set DATABASE_URL)")
        return 2
    failed = False
    print(f"{'statement':44} {'keys':>4} {'custom plan+run':>16} {'generic run':>12} {'worst generic/custom':>21}")
    for page, (run, keys_of) in pages().items():
        by_statement = {}
        for pk in keys_of(args.keys):
            for number, (sql, params) in enumerate(prepared_statements(lambda pk=pk, run=run: run(pk))):
                name = statement_name(sql, params)
                custom = timed(name, params, "force_custom_plan")
                generic = timed(name, params, "force_generic_plan")
                part = (
                    ""
                    if page in ("signed-in user", "floor job (tablet)")
                    else ", selector"
                    if number == 0
                    else ", panels"
                )
                label = f"{page}{part} ({len(params)} values)"
                by_statement.setdefault(label, []).append((pk, custom, generic))
        for label, rows in by_statement.items():
            worst = max(rows, key=lambda r: r[2][1] / max(r[1][1], 0.001))
            bad = [r for r in rows if r[2][1] > TOLERANCE * r[1][1] + SLACK_MS]
            failed |= bool(bad)
            custom_total = statistics.median(c[0] + c[1] for _, c, _ in rows)
            generic_run = statistics.median(g[1] for _, _, g in rows)
            ratio = worst[2][1] / max(worst[1][1], 0.001)
            print(f"{label:44} {len(rows):>4} {custom_total:>13.2f} ms {generic_run:>9.2f} ms "
                  f"{ratio:>9.2f}x (key {worst[0]}: {worst[1][1]:.2f} -> {worst[2][1]:.2f} ms)")  # fmt: skip
            for pk, custom, generic in bad:
                print(f"  key {pk}: generic {generic[1]:.2f} ms against {custom[1]:.2f} ms: do not prepare this read")
    print("FAILED: a generic plan is slower than its custom one" if failed else "ok: every generic plan holds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
