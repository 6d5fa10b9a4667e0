import functools
import os

from celery import Celery
from celery.worker.consumer import Consumer as CeleryConsumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mto.settings")

app = Celery("mto")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class Consumer(CeleryConsumer):
    """The worker's broker consumer, reconnecting at most 5 s apart while Redis is away.

    Kombu waits 2, 4, 6 ... up to 30 s between attempts, so after a long outage the worker (and the beat
    that runs the outbox sweeper) could stay away for 30 s after Redis is back.
    """

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection, interval_start=1, interval_step=1, interval_max=5
        )
        return super().ensure_connected(conn)
