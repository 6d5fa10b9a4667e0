"""A real Celery worker on the real Redis broker (not eager, not mocked). Skipped, with the reason,
where REDIS_URL is not set or Redis does not answer."""

import os
import time

import pytest
from django.core import mail

from mto.celery import app as celery_app
from mto.models import Notification
from sales import services as sales_services
from tests.factories import CustomerFactory, SalesOrderFactory, UserFactory
from tests.scenarios import WAIT_SECONDS, _redis_answers, _wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_blocker):
    if not _redis_answers():
        pytest.skip("needs Redis: set REDIS_URL to a running server to run the real-worker tests")
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def not_eager(worker):
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_approval_acknowledgment_sent_once_by_the_worker(not_eager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = UserFactory(username="w-office", roles=["Office"])
    manager = UserFactory(username="w-manager", roles=["Manager"])
    order = SalesOrderFactory(customer=CustomerFactory(email="buyer@worker.example.com"), created_by=office)
    sales_services.sales_order_submit(order=order, by=office)
    mail.outbox = []
    sales_services.sales_order_approve(order=order, by=manager)
    row = Notification.objects.get(kind="order_acknowledgment")
    assert _wait_for(lambda: Notification.objects.get(pk=row.pk).status == "sent"), "the worker did not send it"
    assert [m.to for m in mail.outbox] == [["buyer@worker.example.com"]]
    # The same task delivered again (a redelivery after a lost ack) sends nothing more.
    from mto.tasks import send_notification

    send_notification.delay(row.pk)
    time.sleep(1.5)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=row.pk).attempts == 1


def _worker_process(queue, mail_dir, slow_seconds, *, extra_env=None, extra_args=(), log=None):
    """A separate worker process on the test's own database, so it can be killed for real."""
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_BACKEND": "tests.mto.slow_mail.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SLOW_MAIL_SECONDS": str(slow_seconds),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        **(extra_env or {}),
    }
    root = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mto", "worker", "--pool=solo", "-Q", queue, "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=WARNING", *extra_args],
        cwd=root, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )  # fmt: skip


def test_worker_killed_mid_send_still_delivers_exactly_once(not_eager, settings, tmp_path):
    """SIGKILL a worker after it claimed a row and while it sends: the sweeper reclaims the row once its
    lease runs out and sends it; when Redis hands the killed worker's task out again, it sends nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a separate worker process must share the test's database")
    import signal
    import uuid

    from mto.tasks import send_notification, sweep_unsent_notifications

    queue = f"killtest-{uuid.uuid4().hex[:8]}"
    killed_dir, second_dir = tmp_path / "killed", tmp_path / "second"
    row = Notification.objects.create(kind="order_acknowledgment", channel="email", email="buyer@kill.example.com",
                                      subject="Ack", body_text="Thank you")  # fmt: skip
    victim = _worker_process(queue, killed_dir, slow_seconds=60)
    try:
        send_notification.apply_async(args=[row.pk], queue=queue)
        assert _wait_for(lambda: Notification.objects.get(pk=row.pk).status == "sending"), (
            f"the worker never claimed the row within {WAIT_SECONDS} s"
        )
        time.sleep(1)  # inside the slow send
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
    finally:
        victim.kill()
    assert not killed_dir.exists() or list(killed_dir.iterdir()) == []
    # The sweeper (here run in the test process) reclaims the claim whose lease ran out, and sends it.
    settings.NOTIFICATION_LEASE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    celery_app.conf.task_always_eager = True
    sweep_unsent_notifications.apply()
    celery_app.conf.task_always_eager = False
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=row.pk).status == "sent"
    # A second worker gets the killed worker's unacknowledged task back from Redis; it must not resend.
    assert _unacked_for(queue) == 1, "the killed worker's task should wait unacknowledged in Redis"
    second = _worker_process(queue, second_dir, slow_seconds=0)
    try:
        # Polled, not a fixed sleep: a loaded machine may need far longer than usual to start the worker.
        # Done when the task is neither waiting in the queue nor unacknowledged, twice in a row (a restored
        # task passes through the queue on its way back to a worker).
        finished = _wait_for(lambda: _task_gone(queue) and (time.sleep(0.5) or _task_gone(queue)))
    finally:
        second.kill()
        second.wait(10)
    assert finished, f"the second worker did not take the task back and finish it within {WAIT_SECONDS} s"
    assert not second_dir.exists() or list(second_dir.iterdir()) == []
    assert Notification.objects.get(pk=row.pk).attempts == 2


def _task_gone(queue: str) -> bool:
    import redis

    return _unacked_for(queue) == 0 and redis.Redis.from_url(os.environ["REDIS_URL"]).llen(queue) == 0


def _unacked_for(queue: str) -> int:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return sum(queue.encode() in value for value in client.hvals("unacked"))


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_server(port):
    import subprocess

    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def test_after_a_broker_outage_everything_goes_out_within_30_s_and_once(tmp_path):
    """A Redis of the test's own goes away for 40 s (long enough for a worker's reconnect backoff to grow)
    while e-mails are committed; once it is back, the worker with beat sends every one of them within 30 s,
    and each once."""
    import datetime
    import shutil

    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a separate worker process must share the test's database")
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server program to run a broker of the test's own")
    port, mail_dir = _free_port(), tmp_path / "mail"

    def row(email, **fields):
        made = Notification.objects.create(kind="order_acknowledgment", channel="email", email=email,
                                           subject="Ack", body_text="Thank you")  # fmt: skip
        Notification.objects.filter(pk=made.pk).update(**fields)
        return made.pk

    def sent(pks):
        return Notification.objects.filter(pk__in=pks, status="sent").count() == len(pks)

    broker = _redis_server(port)
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed in the finally below
    worker = _worker_process("celery", mail_dir, 0, log=log, extra_args=["--beat", "-s", str(tmp_path / "beat")],
                             extra_env={"REDIS_URL": f"redis://127.0.0.1:{port}/0"})  # fmt: skip
    try:
        # Up and sweeping: a row the request could not publish is sent by the sweeper.
        first = row("first@outage.example.com", created_at=timezone.now() - datetime.timedelta(minutes=10))
        assert _wait_for(lambda: sent([first]), 90), "the worker with beat never swept the first row"
        broker.terminate()
        broker.wait(10)
        early = row("early@outage.example.com")  # committed while Redis is away: nobody could publish it
        time.sleep(40)
        late = row("late@outage.example.com")  # committed just before Redis returns: the grace still runs
        broker = _redis_server(port)
        back = time.monotonic()
        recovered = _wait_for(lambda: sent([early, late]), 45)
        took = time.monotonic() - back
    finally:
        worker.terminate()
        worker.wait(20)
        broker.terminate()
        broker.wait(10)
        log.close()
    tail = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert recovered, f"not all sent 45 s after Redis came back; worker log:\n{tail}"
    assert took <= 30, f"recovery took {took:.1f} s after Redis came back"
    recipients = sorted(line.split(":", 1)[1].strip() for message in mail_dir.iterdir()
                        for line in message.read_text().splitlines() if line.startswith("To:"))  # fmt: skip
    assert recipients == ["early@outage.example.com", "first@outage.example.com", "late@outage.example.com"]
