from celery import shared_task
from django.db import transaction

from mto.notifications import notify
from mto.roles import MANAGER

from . import selectors

DIGEST_LIMIT = 100


@shared_task
def send_late_digest() -> int:
    """Managers' morning digest: late jobs and orders promised within a week with a job late or on hold."""
    late_jobs = selectors.late_jobs(limit=DIGEST_LIMIT)
    orders_at_risk = selectors.orders_at_risk(limit=DIGEST_LIMIT)
    with transaction.atomic():
        rows = notify(
            kind="late_digest",
            roles=[MANAGER],
            context={"late_jobs": late_jobs, "orders_at_risk": orders_at_risk},
            link="/jobs/?late=true",
        )
    return len(rows)
