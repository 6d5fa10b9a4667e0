import os

import pytest

from mto.roles import MANAGER, OFFICE, OPERATOR, PURCHASING, QUALITY, SHIPPING, SHOP_FLOOR
from tests.factories import UserFactory
from tests.scenarios import is_postgres, redis_url_of_process


@pytest.fixture
def office(db):
    return UserFactory(username="office", roles=[OFFICE], first_name="Olive", last_name="Office")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=[MANAGER], first_name="Max", last_name="Manager")


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", roles=[SHOP_FLOOR], first_name="Lee", last_name="Lead")


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", roles=[SHIPPING], first_name="Cleo", last_name="Clerk")


@pytest.fixture
def buyer(db):
    return UserFactory(username="buyer", roles=[PURCHASING], first_name="Bea", last_name="Buyer")


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", roles=[QUALITY], first_name="Ines", last_name="Inspector")


@pytest.fixture
def operator(db):
    """An operator (issue 21): a user of the Operator role, without a password (they badge in on a kiosk)."""
    user = UserFactory(username="operator", roles=[OPERATOR], first_name="Otto", last_name="Operator")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def role_user(request, db):
    """Parametrise with a role fixture name (tests/role_table.py ROLE_NAMES, or 'superuser') or None."""
    name = request.param
    return None if name is None else request.getfixturevalue(name)


@pytest.fixture
def postgres_only():
    """Skip (with the reason) where the suite runs on SQLite: row locks need real concurrent transactions."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL): row locks and concurrent transactions")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _login_throttling_off(request, settings):
    """django-axes needs the request on authenticate(); tests that test it mark themselves `axes`."""
    settings.AXES_ENABLED = request.node.get_closest_marker("axes") is not None


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in the test's thread unless a test starts a real worker (tests/mto/test_worker.py)."""
    from mto.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# `make test` runs the suite in two parts: MTO_TESTS=parallel on two processes (pytest-xdist, tests spread one
# by one), then MTO_TESTS=serial, the slow ones with real servers: a real Celery worker on Redis, Chromium
# against a live server, servers and workers started as subprocesses, on two processes too but a file to a
# process (`--dist loadfile`: a file's tests share its module-scoped servers and workers). Each process has
# its own test database, live server and ports; its own Redis database too (`pytest_configure` below), so two
# real Celery workers never take each other's tasks. (xdist's `--dist loadgroup` cannot group tests here:
# it renames node ids, which pytest 9 no longer lets it do, and it keys tests by node id, which schemathesis
# repeats for every operation: it ran one of the 53.) Without MTO_TESTS every selected test runs.
SERIAL_PATHS = ("tests/e2e/", "tests/bench/", "tests/mto/test_worker.py")
SERIAL_MARKERS = ("e2e", "redis")


def _serial(item) -> bool:
    return item.nodeid.startswith(SERIAL_PATHS) or any(item.get_closest_marker(m) for m in SERIAL_MARKERS)


def pytest_collection_modifyitems(config, items):
    part = os.environ.get("MTO_TESTS", "")
    if part not in ("", "parallel", "serial"):
        raise pytest.UsageError(f"MTO_TESTS={part!r}: use parallel, serial or nothing")
    if part:
        keep = [item for item in items if _serial(item) == (part == "serial")]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


def pytest_configure(config):
    """Under xdist, this process's Redis database, before anything connects: the app's broker (publishing and
    the in-process test worker) and REDIS_URL, which worker subprocesses and the tests' own clients read."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("REDIS_URL")
    if not (worker and url):
        return
    from django.conf import settings

    from mto.celery import app

    own = redis_url_of_process(url, worker)
    os.environ["MTO_TESTS_REDIS_URL_GIVEN"] = url
    os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = app.conf.broker_url = own


def pytest_report_header(config):
    database = os.environ.get("DATABASE_URL", "sqlite (default)")
    return f"database: {database}; redis: {os.environ.get('REDIS_URL') or 'none (eager Celery)'}"
