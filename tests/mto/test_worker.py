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

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _redis_answers() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


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


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_approval_acknowledgment_sent_once_by_the_worker(not_eager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = UserFactory(username="w-office", roles=["Office"])
    manager = UserFactory(username="w-manager", roles=["Manager"])
    order = SalesOrderFactory(customer=CustomerFactory(email="buyer@worker.example.com"), created_by=office)
    sales_services.sales_order_submit(order=order, by=office)
    mail.outbox = []
    sales_services.sales_order_approve(order=order, approved_by=manager)
    row = Notification.objects.get(kind="order_acknowledgment")
    assert _wait_for(lambda: Notification.objects.get(pk=row.pk).status == "sent"), "the worker did not send it"
    assert [m.to for m in mail.outbox] == [["buyer@worker.example.com"]]
    # The same task delivered again (a redelivery after a lost ack) sends nothing more.
    from mto.tasks import send_notification

    send_notification.delay(row.pk)
    time.sleep(1.5)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=row.pk).attempts == 1
