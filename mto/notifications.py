"""The notifications outbox: `notify()` inside the change's transaction, a Celery task after commit.

Nothing is lost when Redis is down: the row is committed with the change; if publishing the task fails,
the row stays pending and the sweeper (a beat task) sends it later. No two tasks send a row at once: the
task claims it (pending -> sending) with a conditional UPDATE, and only one claim can win. Delivery is at
least once: a send whose mark-sent never lands (the worker killed right after the mail server took it) is
sent again once its lease runs out, with the same Message-ID, which receivers use to drop the repeat.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, NotificationPreference
from .reads import CompiledQuery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    label: str
    audience: str


KINDS = {
    "order_acknowledgment": Kind("Order acknowledgment", "the customer, when an order is approved"),
    "shipping_notice": Kind("Shipping notice", "the customer, when a shipment ships, with its tracking number"),
    "new_jobs": Kind("New jobs on the floor", "shop floor leads, when an approved order makes jobs"),
    "job_on_hold": Kind("Job on hold", "office staff, when a job is put on hold"),
    "job_completed_late": Kind("Job completed late", "office staff, when a job completes after its due date"),
    "job_completed_short": Kind("Job completed short", "office staff, when a job completes with fewer good pieces"),
    "ready_to_ship": Kind("Pieces ready to ship", "shipping clerks, when good pieces come off a job's last operation"),
    "order_changed": Kind("Order changed", "shipping clerks, when a change to an approved order is approved"),
    "jobs_changed": Kind(
        "Jobs changed by an order change", "shop floor leads of the work centers the changed jobs pass"
    ),
    "late_digest": Kind("Morning digest of late work", "managers, every morning"),
    "quote_sent": Kind("Quote", "the customer's contact, when a quote is sent"),
    "purchase_order_sent": Kind("Purchase order", "the vendor's e-mail, when a purchase order is sent"),
}

# Sent to customers' addresses, not to users: no personal preference applies.
CUSTOMER_KINDS = ("order_acknowledgment", "shipping_notice", "quote_sent", "purchase_order_sent")


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    context = {**context, "SHOP_NAME": settings.SHOP_NAME, "SITE_URL": settings.SITE_URL}
    subject = render_to_string(f"notifications/{kind}/subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"notifications/{kind}/body.txt", context)
    html = render_to_string(f"notifications/{kind}/body.html", context)
    return subject[:200], text, html


# Every event asks who has a role and who turned its e-mail off: kept compiled (mto.reads), one query per kind.
_ROLE_MEMBERS = CompiledQuery(
    lambda roles: get_user_model().objects.filter(groups__name__any=roles, is_active=True).distinct().order_by("id"),
    key_type=list[str],
)


def _email_off_query(kind: str) -> CompiledQuery:
    return CompiledQuery(
        lambda user_ids: NotificationPreference.objects.filter(
            user_id__any=user_ids, kind=kind, email_enabled=False
        ).values_list("user_id", flat=True),
        key_type=list[int],
    )


_EMAIL_OFF = {kind: _email_off_query(kind) for kind in KINDS}


def _email_off(user_ids: list[int], kind: str) -> set[int]:
    return set(_EMAIL_OFF[kind].all(user_ids)) if user_ids else set()


def notify(*, kind: str, context: dict, users=(), roles=(), emails=(), link: str = "") -> list[Notification]:
    """Write the outbox rows of one event; call it inside the transaction of the change."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it reports")
    people = {u.pk: u for u in users}
    if roles:
        people.update({u.pk: u for u in _ROLE_MEMBERS.all(sorted(roles))})
    subject, text, html = _render(kind, context)
    rows = []
    now = timezone.now()
    no_email = _email_off(list(people), kind)
    for user in people.values():
        # In-app rows are delivered by being there: they need no task.
        rows.append(Notification(kind=kind, channel=Notification.Channel.IN_APP, recipient=user, subject=subject,
                                 body_text=text, body_html=html, link=link, status=Notification.Status.SENT,
                                 sent_at=now))  # fmt: skip
        if user.email and user.pk not in no_email:
            rows.append(Notification(kind=kind, channel=Notification.Channel.EMAIL, recipient=user, email=user.email,
                                     subject=subject, body_text=text, body_html=html, link=link))  # fmt: skip
    for address in {e.strip().lower() for e in emails if e and e.strip()}:
        rows.append(Notification(kind=kind, channel=Notification.Channel.EMAIL, email=address, subject=subject,
                                 body_text=text, body_html=html, link=link))  # fmt: skip
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.channel == Notification.Channel.EMAIL]
    transaction.on_commit(lambda: enqueue(ids))
    return rows


def enqueue(ids: list[int]) -> None:
    """Publish one send task per row; at the first broker failure stop and leave the rest to the sweeper.

    Runs inside the request (after commit): one quick attempt, no publish retries, so a dead broker costs a
    refused connection, not seconds per row.
    """
    from .tasks import send_notification

    for done, row_id in enumerate(ids):
        try:
            send_notification.apply_async(args=[row_id], retry=False)
        except Exception:  # noqa: BLE001 - the broker may be down; the rows stay pending for the sweeper
            log.warning("could not enqueue %s notification(s) from %s on; the sweeper will send them",
                        len(ids) - done, row_id, exc_info=True)  # fmt: skip
            return


def message_id(row: Notification) -> str:
    """The row's Message-ID: the same on every attempt, so a receiver that has it already drops a repeat."""
    created = int(row.created_at.timestamp() * 1_000_000)  # with the id: unique even if ids restart
    return f"<notification.{row.pk}.{created}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"
