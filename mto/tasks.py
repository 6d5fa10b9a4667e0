"""Celery tasks of the platform: send one outbox row, sweep rows left unsent."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import F, Q
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)
S = Notification.Status
MAX_ATTEMPTS = 5
# After the mail server took a message, marking the row sent is retried on a fresh connection this many
# times (0.5 + 1 + 2 + 4 s apart): a lost mark means the sweeper sends the e-mail again later.
MARK_SENT_TRIES = 5


def retry_countdown(attempts: int) -> int:
    """Seconds before the retry after the given number of failed attempts (30 s doubling, at most 15 min)."""
    return min(30 * 2 ** (attempts - 1), 900)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True)
def send_notification(self, notification_id: int) -> str:
    """Send one e-mail row at most once: claim it, send, mark it sent; retry with backoff on failure."""
    from .notifications import message_id

    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=S.PENDING, channel="email").update(
        status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"  # already sent, being sent, or gone
    row = Notification.objects.get(pk=notification_id)
    try:
        message = EmailMultiAlternatives(row.subject, row.body_text, settings.DEFAULT_FROM_EMAIL, [row.email],
                                         headers={"Message-ID": message_id(row)})  # fmt: skip
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        message.send()
    except Exception as exc:
        final = row.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk).update(
            status=S.FAILED if final else S.PENDING, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        if final:
            log.error("notification %s failed for good after %s attempts", row.pk, row.attempts)
            return "failed"
        raise self.retry(exc=exc, countdown=retry_countdown(row.attempts)) from exc
    _mark_sent(row.pk)
    return "sent"


def _mark_sent(pk: int) -> None:
    """Mark a sent row sent, reconnecting when the database connection broke (a restart, a failover)."""
    for tried in range(1, MARK_SENT_TRIES + 1):
        try:
            Notification.objects.filter(pk=pk, status=S.SENDING).update(status=S.SENT, sent_at=timezone.now())
            return
        except (OperationalError, InterfaceError):
            # Inside a transaction a new connection would not be that transaction: let it fail.
            if tried == MARK_SENT_TRIES or connection.in_atomic_block:
                log.error("notification %s was sent but could not be marked sent; it may be sent again "
                          "(same Message-ID)", pk)  # fmt: skip
                raise
            log.warning("marking notification %s sent failed (try %s); reconnecting", pk, tried, exc_info=True)
            try:
                connection.close()
            except DatabaseError:
                pass  # it is broken already; the next query opens a new one
            time.sleep(0.5 * 2 ** (tried - 1))


@shared_task
def sweep_unsent_notifications() -> int:
    """Re-enqueue e-mails still pending after a grace period, and reclaim sends stuck by a dead worker.

    A row that failed and waits for its retry is left to that retry until the retry is overdue (its task
    lost with a broker or a worker), so the sweeper does not shorten the backoff.
    """
    from .notifications import enqueue

    now = timezone.now()
    grace = timedelta(seconds=settings.NOTIFICATION_GRACE_SECONDS)
    lease = timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    stuck = Notification.objects.filter(status=S.SENDING, claimed_at__lt=now - lease)
    reclaimed = list(stuck.values_list("pk", flat=True)[:500])
    stuck.filter(pk__in=reclaimed).update(status=S.PENDING)
    due = Q(pk__in=reclaimed) | Q(attempts=0, created_at__lt=now - grace)
    for attempts in range(1, MAX_ATTEMPTS):
        due |= Q(attempts=attempts, claimed_at__lt=now - grace - timedelta(seconds=retry_countdown(attempts)))
    due |= Q(attempts__gte=MAX_ATTEMPTS, claimed_at__lt=now - grace)  # sent again from the admin
    ids = list(
        Notification.objects.filter(channel="email", status=S.PENDING)
        .filter(due)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    enqueue(ids)
    return len(ids)
