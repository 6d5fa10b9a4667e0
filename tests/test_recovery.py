"""PostgreSQL drops the app's connections between requests (a restart, a failover): the next request
works without restarting the app. (Checked by hand: it also passes with CONN_HEALTH_CHECKS off, since
Django's psycopg backend notices the broken connection at request start; the settings keep the health
checks on for connections that break without the client noticing.)"""

import io

import pytest
from django.db import connection
from django.test.client import RequestFactory
from rest_framework.authtoken.models import Token

from mto.wsgi import application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _get(path, token=None, session=None):
    credentials = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {"HTTP_COOKIE": f"sessionid={session}"}
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", wsgi_input=io.BytesIO(),
                                             **credentials)  # fmt: skip
    environ["wsgi.input"] = io.BytesIO()
    status = []
    body = b"".join(application(environ, lambda s, h, *a: status.append(s)))
    return int(status[0].split()[0]), body


def test_requests_survive_the_database_dropping_connections(postgres_only):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] and connection.settings_dict["CONN_MAX_AGE"] > 0
    token = Token.objects.create(user=UserFactory(username="r-lead", roles=["Shop floor"])).key
    assert _get("/api/v1/work-centers/", token)[0] == 200
    pid = _drop_the_apps_connection()
    # The token is the request's first read, on a prepared statement (mto.api.auth): the health check runs first.
    status, body = _get("/api/v1/work-centers/", token)
    assert status == 200, body[:300]
    assert connection.connection.info.backend_pid != pid


def _drop_the_apps_connection():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pid


def test_a_signed_in_page_survives_the_database_dropping_connections(postgres_only):
    """The session comes first (the ORM's health check replaces the connection), then the user on a prepared
    statement (mto.roles), prepared anew on the new connection."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory(username="r-office", roles=["Office"])
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "mto.roles.RoleBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
    session.save()
    assert _get("/sales/orders/", session=session.session_key)[0] == 200
    pid = _drop_the_apps_connection()
    status, body = _get("/sales/orders/", session=session.session_key)
    assert status == 200, body[:300]
    assert connection.connection.info.backend_pid != pid
