"""Each xdist process of the suite has its own Redis database (tests/conftest.py), so two real Celery
workers, one per process, never take each other's tasks."""

import os

import pytest
from django.conf import settings

from mto.celery import app
from tests.scenarios import redis_url_of_process


def test_a_process_s_redis_database_follows_redis_url_s():
    assert redis_url_of_process("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert redis_url_of_process("redis://127.0.0.1:6379/2", "gw1") == "redis://127.0.0.1:6379/4"
    assert redis_url_of_process("redis://:secret@redis.example.com:6380", "gw0") == (
        "redis://:secret@redis.example.com:6380/1"
    )


def test_this_process_publishes_to_its_own_database():
    worker, given = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("MTO_TESTS_REDIS_URL_GIVEN")
    if not (worker and given):
        pytest.skip("only under pytest-xdist with REDIS_URL set (make test sets both)")
    own = redis_url_of_process(given, worker)
    assert own != given
    assert app.conf.broker_url == settings.CELERY_BROKER_URL == settings.REDIS_URL == os.environ["REDIS_URL"] == own
    with app.connection_for_write() as connection:
        assert connection.as_uri(include_password=True) == own
