"""The platform's own writes: a person's API token, notifications read, e-mail choices."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from mto import selectors, services
from mto.models import Notification, NotificationPreference
from tests.factories import UserFactory


def _note(user, subject="x"):
    return Notification.objects.create(kind="job_on_hold", channel="in_app", recipient=user, subject=subject,
                                       body_text="x", status=Notification.Status.SENT)  # fmt: skip


def test_replacing_a_token_revokes_the_old_one(office):
    first = services.api_token_replace(user=office)
    second = services.api_token_replace(user=office)
    assert first.key != second.key
    assert list(Token.objects.filter(user=office).values_list("key", flat=True)) == [second.key]
    services.api_token_revoke(user=office)
    assert selectors.api_token(user=office) is None


def test_marking_read_touches_only_ones_own_unread(office):
    other = UserFactory(username="other", roles=["Office"])
    mine, also_mine, theirs = _note(office), _note(office), _note(other)
    assert services.notifications_mark_read(user=office, notification=theirs) == 0
    assert services.notifications_mark_read(user=office, notification=mine) == 1
    mine.refresh_from_db()
    first_read = mine.read_at
    assert services.notifications_mark_read(user=office) == 1  # only also_mine was still unread
    mine.refresh_from_db()
    assert mine.read_at == first_read
    assert set(selectors.inbox(user=office).filter(read_at__isnull=False)) == {mine, also_mine}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_email_choices_are_saved_and_an_unknown_kind_refused(office):
    services.notification_preferences_save(user=office, email_enabled={"new_jobs": False, "job_on_hold": True})
    choices = {key: on for key, _kind, on in selectors.email_choices(user=office)}
    assert choices["new_jobs"] is False and choices["job_on_hold"] is True
    assert "order_acknowledgment" not in choices
    with pytest.raises(ValidationError, match="No such kind"):
        services.notification_preferences_save(user=office, email_enabled={"job_on_hold": False, "bogus": True})
    assert NotificationPreference.objects.get(user=office, kind="job_on_hold").email_enabled is True


def test_full_clean_loaded_skips_only_the_keys_whose_rows_are_loaded(office):
    """A key whose row came with the instance is not checked again; one set by id alone is, and still refused."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sales.models import SalesOrder
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    order = SalesOrder(number="SO-000001", customer=customer, ship_to=customer.ship_tos.first(), created_by=office,
                       order_date=datetime.date(2026, 12, 1))  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        services.full_clean_loaded(order)
    asked = [q["sql"].split("FROM ")[1].split()[0] for q in ctx.captured_queries if 'SELECT 1 AS "a"' in q["sql"]]
    assert asked == ['"sales_salesorder"']  # its unique number only: not the customer, ship-to or user
    by_id = SalesOrder(number="SO-000002", customer_id=customer.pk + 1000, created_by=office,
                       order_date=datetime.date(2026, 12, 1))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.full_clean_loaded(by_id)
    assert "customer" in refused.value.message_dict
    order.order_date = None
    with pytest.raises(ValidationError) as blank:
        services.full_clean_loaded(order)
    assert "order_date" in blank.value.message_dict  # every other field still cleaned
