"""Reads of the platform's own pages: a person's notifications, e-mail choices and API token."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from .models import Notification, NotificationPreference
from .notifications import CUSTOMER_KINDS, KINDS, Kind


def inbox(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's in-app notifications (and nobody else's)."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def unread_count(*, user: AbstractBaseUser) -> int:
    """The bell's figure (served by the notification_inbox index)."""
    return inbox(user=user).filter(read_at__isnull=True).count()


def email_choices(*, user: AbstractBaseUser) -> list[tuple[str, Kind, bool]]:
    """(key, kind, e-mail on) for each kind a person may choose for (customers' kinds are not theirs)."""
    off = set(NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("kind", flat=True))
    return [(key, kind, key not in off) for key, kind in KINDS.items() if key not in CUSTOMER_KINDS]


def api_token(*, user: AbstractBaseUser) -> Token | None:
    return Token.objects.filter(user=user).first()
