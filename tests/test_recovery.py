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


def _get(path, token):
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET",
                                             HTTP_AUTHORIZATION=f"Token {token}", wsgi_input=io.BytesIO())  # fmt: skip
    environ["wsgi.input"] = io.BytesIO()
    status = []
    body = b"".join(application(environ, lambda s, h, *a: status.append(s)))
    return int(status[0].split()[0]), body


def test_requests_survive_the_database_dropping_connections(postgres_only):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] and connection.settings_dict["CONN_MAX_AGE"] > 0
    token = Token.objects.create(user=UserFactory(username="r-lead", roles=["Shop floor"])).key
    assert _get("/api/v1/work-centers/", token)[0] == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, body = _get("/api/v1/work-centers/", token)
    assert status == 200, body[:300]
    assert connection.connection.info.backend_pid != pid
