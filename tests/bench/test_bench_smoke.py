"""Smoke test of bench/: the benchmark and the load test run end to end on a tiny data set (PostgreSQL).

They run as subprocesses, as a person would run them (each starts its own gunicorn), against the test
database, which this test commits to. A few seconds each; the real figures need seed_scale's 100,000
orders (docs/performance.md). The load test needs locust (the optional `bench` extra) and skips without it.
"""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="needs PostgreSQL (set DATABASE_URL): the baselines' SQL is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]  # fmt: skip


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def tiny_shop():
    from django.apps import apps

    from mto.roles import sync_role_groups

    sync_role_groups(apps)  # a transactional test before this one flushed the groups the migrations made
    call_command("seed_scale", orders=300, customers=20, batch=300, stdout=StringIO())
    connection.close()  # the subprocesses need no lock of ours
    return {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": ""}


def _run(args, env, timeout=120):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_benchmark_runs_and_baselines_render_the_same_pages(tiny_shop):
    out = _run(["bench/run.py", "--rounds", "2", "--warmup", "1", "--approvals", "1", "--port", "8791"], tiny_shop)
    assert "order list, search number" in out
    assert "approve a 200-line order" in out
    # Every baseline is one query (a field the SQL forgot would be loaded lazily: a second query).
    rows = [line.split() for line in out.splitlines() if line.startswith(("order ", "job ", "shop ", "ready "))]
    assert rows and all(row[-2] == "1" for row in rows), out


@pytest.mark.skipif(shutil.which("locust", path=str(Path(sys.executable).parent)) is None,
                    reason="locust is not installed (pip install -e '.[bench]')")  # fmt: skip
def test_load_test_runs_and_its_data_checks_pass(tiny_shop):
    out = _run(["bench/loadtest.py", "--duration", "5", "--users", "2", "--workers", "2", "--port", "8792",
                "--ops-per-user", "2"], tiny_shop)  # fmt: skip
    assert "data checks: all passed" in out, out
