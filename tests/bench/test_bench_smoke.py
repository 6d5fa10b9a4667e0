"""Smoke test of bench/: the benchmark and the load test run end to end on a tiny data set (PostgreSQL).

They run as subprocesses, as a person would run them (each starts its own gunicorn), against the test
database, which this test commits to. A few seconds each; the real figures need seed_scale's 100,000
orders (docs/performance.md). The load test needs locust (the optional `bench` extra) and skips without it.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
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


def _free_port() -> int:
    """A port nothing listens on now: two checkouts (or two xdist workers) never ask for the same fixed one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # every process of the group has ended already
        pass


def _run(args, env, timeout=300):
    """Run a bench script in a process group of its own, and end the whole group however the test ends.

    The script starts gunicorn and stops it in its own `finally`; a timeout that killed only the script
    left that gunicorn running, so the whole group (script, gunicorn and its workers, locust) is killed."""
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        output = stdout[-2000:] + stderr[-2000:]
        pytest.fail(f"{args[0]} ran past {timeout} s; it and its servers were stopped.\n{output}")
    finally:
        _kill_group(process)
        process.wait()
    assert process.returncode == 0, stdout[-3000:] + stderr[-3000:]
    return stdout


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a killed child nobody has reaped yet is not running


def test_a_script_past_its_time_limit_leaves_no_server_running(tmp_path):
    """The limit fires: the script and the server it started (here a sleep standing in for gunicorn) end."""
    pid_file = tmp_path / "server.pid"
    script = (f"import subprocess, time; server = subprocess.Popen(['sleep', '300']); "
              f"open({str(pid_file)!r}, 'w').write(str(server.pid)); time.sleep(300)")  # fmt: skip
    with pytest.raises(pytest.fail.Exception, match="ran past 5 s"):
        _run(["-c", script], {**os.environ}, timeout=5)
    server = int(pid_file.read_text())
    # SIGKILL is delivered, and the killed process reaped by init, a moment later on a loaded machine.
    deadline = time.monotonic() + 10
    while _running(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(server), "the server the script started is still running"


def test_benchmark_runs_and_baselines_render_the_same_pages(tiny_shop):
    out = _run(["bench/run.py", "--rounds", "2", "--warmup", "1", "--approvals", "1",
               "--port", str(_free_port())], tiny_shop)  # fmt: skip
    assert "order list, search number" in out
    assert "approve a 200-line order" in out
    # Every baseline is one query (a field the SQL forgot would be loaded lazily: a second query).
    rows = [line.split() for line in out.splitlines() if line.startswith(("order ", "job ", "shop ", "ready "))]
    assert rows and all(row[-2] == "1" for row in rows), out


@pytest.mark.skipif(shutil.which("locust", path=str(Path(sys.executable).parent)) is None,
                    reason="locust is not installed (pip install -e '.[bench]')")  # fmt: skip
def test_load_test_runs_and_its_data_checks_pass(tiny_shop):
    out = _run(["bench/loadtest.py", "--duration", "5", "--users", "2", "--workers", "2",
                "--port", str(_free_port()), "--ops-per-user", "2"], tiny_shop)  # fmt: skip
    assert "data checks: all passed" in out, out
    # Where the cores went: gunicorn's workers spent CPU on the requests, and each request's own CPU came back.
    gunicorn = re.search(r"^  gunicorn +([\d.]+) s", out, re.M)
    assert "CPU while the load ran" in out and gunicorn and float(gunicorn.group(1)) > 0, out
    by_request = re.search(r"^pages:\S.* +([\d,]+) +([\d.]+) +([\d.]+) +([\d.]+)%$", out, re.M)
    assert "app CPU by request" in out and by_request and float(by_request.group(2)) > 0, out


@pytest.mark.skipif(shutil.which("locust", path=str(Path(sys.executable).parent)) is None,
                    reason="locust is not installed (pip install -e '.[bench]')")  # fmt: skip
def test_load_test_capacity_steps_report_each_step_and_the_capacity(tiny_shop):
    out = _run(["bench/loadtest.py", "--capacity", "--start", "2", "--stop", "4", "--step", "2", "--step-seconds",
                "5", "--users", "3", "--workers", "1", "--threads", "2", "--port", str(_free_port()),
                "--ops-per-user", "2"], tiny_shop)  # fmt: skip
    assert "1 gthread worker(s) x 2 threads" in out, out
    steps = [line.split() for line in out.splitlines() if line.strip().split(" ")[0] in ("2", "4")]
    assert [row[0] for row in steps] == ["2", "4"], out
    assert "capacity:" in out and "data checks: all passed" in out, out


def test_growth_runs_the_benchmark_per_data_set_and_prints_the_ratio(tiny_shop):
    url = tiny_shop["DATABASE_URL"]
    out = _run(["bench/growth.py", "--rounds", "1", "--passes", "1", "--only", "order list, search number",
                "--port", str(_free_port()), url, url], tiny_shop)  # fmt: skip
    row = next(line for line in out.splitlines() if line.startswith("order list, search number"))
    # The ratio, then "  > 1.2x" when flagged: one round on the same data twice can be flagged by noise alone.
    assert float(row.split("  > ")[0].split()[-1]) > 0, out
    assert "pages grew more than 1.2x" in out, out


@pytest.mark.skipif(shutil.which("py-spy", path=str(Path(sys.executable).parent)) is None,
                    reason="py-spy is not installed (pip install -e '.[bench]')")  # fmt: skip
def test_profile_splits_a_page_and_an_api_read_into_where_the_time_goes(tiny_shop):
    out = _run(["bench/profile.py", "--requests", "3", "--only", "job detail", "--port", str(_free_port())],
               tiny_shop)  # fmt: skip
    assert "job detail" in out and "median server time" in out, out
    shares = [float(line.rsplit(None, 1)[1].rstrip("%")) for line in out.splitlines()
              if line.startswith("  ") and line.rstrip().endswith("%") and "hot:" not in line]  # fmt: skip
    # Every sample inside the request lands in one category: the shares add up to the whole.
    assert shares and abs(sum(shares) - 100) < 1, out
    assert "jobs/job_detail.html" in out, "the page's own template is among its templates' times"
    api = _run(["bench/profile.py", "--requests", "10", "--only", "API: newest 50 orders", "--port",
                str(_free_port())], tiny_shop)  # fmt: skip
    shares = [float(line.rsplit(None, 1)[1].rstrip("%")) for line in api.splitlines()
              if line.startswith("  ") and line.rstrip().endswith("%") and "hot:" not in line]  # fmt: skip
    assert shares and abs(sum(shares) - 100) < 1, api
    # The read's serializing is ours (mto.api.reads) with DRF's fields around it; a sample of a few dozen can
    # miss DRF's own frames on a busy machine, not the read's.
    assert "DRF serialization" in api or "api/reads.py" in api, api


def test_the_shop_scale_planning_benchmark_runs_end_to_end(tiny_shop):
    """bench/plan_scale.py: the open work scheduled (load, model, solve, store), the engine's tardiness beside the
    dispatching rule's, capable to promise for a 10-line order; the order it makes is rolled back."""
    out = _run(["bench/plan_scale.py", "--seconds", "1", "--rounds", "1"], tiny_shop)
    assert "schedule end to end:" in out and "peak memory:" in out, out
    assert "total weighted tardiness (minutes x weight): dispatch (EDD)" in out, out
    for figure in ("first figure", "second figure", "what if it gets priority"):
        assert f"capable to promise, 10-line order, {figure}" in out, out
    from planning.models import ScheduleRun
    from sales.models import SalesOrder

    assert ScheduleRun.objects.filter(status="done", reason="bench/plan_scale.py").count() == 1
    assert not SalesOrder.objects.filter(customer_po="BENCH-CTP").exists()
    # With a schedule stored, the detail baselines draw planning's panels too (they answered 500 once).
    out = _run(["bench/run.py", "--rounds", "1", "--warmup", "1", "--approvals", "0", "--only", "detail",
                "--port", str(_free_port())], tiny_shop)  # fmt: skip
    assert "order detail, 50 lines" in out and "job detail" in out, out
