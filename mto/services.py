from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import DocumentSequence, Notification, NotificationPreference
from .notifications import KINDS


def document_number_next(*, sequence: str) -> int:
    """Next number of a sequence; gap-free because a rollback also rolls back the increment.

    Must run inside the transaction that creates the document: the row lock serialises concurrent
    creators until that transaction ends.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("document_number_next must run inside the creating transaction")
    # One statement: the UPDATE takes the row's lock until the transaction ends, and a creator that waited
    # for it adds one to the value the first committed (PostgreSQL re-reads the row it waited for).
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    bump = f"UPDATE {table} SET last_value = last_value + 1 WHERE name = %s RETURNING last_value"
    with connection.cursor() as cursor:
        cursor.execute(bump, [sequence])
        row = cursor.fetchone()
        if row is None:  # the sequence's first number: make its row (a racing maker waits, then bumps it)
            DocumentSequence.objects.get_or_create(name=sequence)
            cursor.execute(bump, [sequence])
            row = cursor.fetchone()
    return row[0]


# --- a person's own settings: API token, notifications read, e-mail choices ---------------------------


@transaction.atomic
def api_token_replace(*, user: AbstractBaseUser) -> Token:
    """A new API token for the user; the old one (if any) stops working in the same transaction."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser) -> None:
    Token.objects.filter(user=user).delete()


def notifications_mark_read(*, user: AbstractBaseUser, notification: Notification | None = None) -> int:
    """Mark one of the user's in-app notifications read, or all of them (notification=None).

    Only the user's own unread rows are touched (one UPDATE; read twice keeps the first time). Returns how many.
    """
    rows = Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True)
    if notification is not None:
        rows = rows.filter(pk=notification.pk)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_save(*, user: AbstractBaseUser, email_enabled: dict[str, bool]) -> None:
    """Store the user's e-mail choice for each kind given (kinds not in KINDS are refused)."""
    unknown = set(email_enabled) - set(KINDS)
    if unknown:
        raise ValidationError(f"No such kind of notification: {', '.join(sorted(unknown))}.")
    for kind, enabled in email_enabled.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email_enabled": enabled})


def full_clean_loaded(instance, *, exclude=(), **kwargs) -> None:
    """`instance.full_clean()` without asking the database again whether the rows its foreign keys point at exist,
    for those whose row is loaded on it (read in this request: a form's or the API's chosen customer or item, the
    signed-in user). Django's check is a query per key; the database's own constraint still refuses a missing row.
    A key set by its id alone is checked as before."""
    loaded = [
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one
        and field.is_cached(instance)
        and (related := field.get_cached_value(instance)) is not None
        and not related._state.adding
        and related.pk == getattr(instance, field.attname)
    ]
    instance.full_clean(exclude=[*exclude, *loaded], **kwargs)
