"""mto.sessions: Django's database sessions with the per-request read compiled once (mto.reads)."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mto.sessions import SessionStore


def test_a_session_reads_back_what_was_saved_until_it_expires(db):
    saved = SessionStore()
    saved["floor_work_center"] = "CNC"
    saved.save()
    with CaptureQueriesContext(connection) as ctx:
        loaded = SessionStore(session_key=saved.session_key)
        assert loaded["floor_work_center"] == "CNC" and loaded.session_key == saved.session_key
    assert len(ctx.captured_queries) == 1
    Session.objects.filter(pk=saved.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(session_key=saved.session_key)
    assert expired.get("floor_work_center") is None and expired.session_key is None  # as Django's: no session
    unknown = SessionStore(session_key="x" * 32)
    assert dict(unknown.items()) == {} and unknown.session_key is None


def test_signing_in_and_out_goes_through_it(client, office, settings):
    assert settings.SESSION_ENGINE == "mto.sessions"
    assert client.get(reverse("sales:order-list")).status_code == 302  # to the login page
    assert client.post(reverse("login"), {"username": "office", "password": "pw-for-tests-1"}).status_code == 302
    key = client.cookies["sessionid"].value
    assert client.get(reverse("sales:order-list")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(pk=key).exists()
    assert client.get(reverse("sales:order-list")).status_code == 302


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kept compiled on PostgreSQL only")
def test_the_read_is_one_prepared_statement_for_every_session(db):
    for _ in range(3):
        session = SessionStore()
        session["n"] = 1
        session.save()
        assert SessionStore(session_key=session.session_key)["n"] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ['SELECT "django_session"."session_data"%'])  # fmt: skip
        assert cursor.fetchone()[0] == 1
