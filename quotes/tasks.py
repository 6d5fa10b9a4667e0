from celery import shared_task

from . import services


@shared_task(name="quotes.tasks.expire_quotes")
def expire_quotes() -> int:
    """Nightly: sent quotes past their valid-until date become expired (a run twice expires nothing more)."""
    return services.quote_expire_due()
