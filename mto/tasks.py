"""Celery tasks of the platform: send one outbox row, sweep rows left unsent."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)
S = Notification.Status
MAX_ATTEMPTS = 5


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True)
def send_notification(self, notification_id: int) -> str:
    """Send one e-mail row at most once: claim it, send, mark it sent; retry with backoff on failure."""
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=S.PENDING, channel="email").update(
        status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"  # already sent, being sent, or gone
    row = Notification.objects.get(pk=notification_id)
    try:
        message = EmailMultiAlternatives(row.subject, row.body_text, settings.DEFAULT_FROM_EMAIL, [row.email])
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
        raise self.retry(exc=exc, countdown=min(30 * 2 ** (row.attempts - 1), 900)) from exc
    Notification.objects.filter(pk=row.pk, status=S.SENDING).update(status=S.SENT, sent_at=timezone.now())
    return "sent"


@shared_task
def sweep_unsent_notifications() -> int:
    """Re-enqueue e-mails still pending after a grace period, and reclaim sends stuck by a dead worker."""
    from .notifications import enqueue

    now = timezone.now()
    grace = timedelta(seconds=settings.NOTIFICATION_GRACE_SECONDS)
    lease = timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    Notification.objects.filter(status=S.SENDING, claimed_at__lt=now - lease).update(status=S.PENDING)
    ids = list(
        Notification.objects.filter(channel="email", status=S.PENDING)
        .filter(Q(created_at__lt=now - grace) | Q(attempts__gt=0))
        .values_list("pk", flat=True)[:500]
    )
    enqueue(ids)
    return len(ids)
