"""The OpenAPI schema against the running code, for every role: schemathesis generates valid (positive) and
invalid (negative) requests for every operation, bounded in examples, and runs every check it has: no server
error, responses as documented, invalid data refused, valid data accepted, 405 for undeclared methods.

Speed (five roles x every operation must stay a few minutes on 2 cores): each operation and role is one test
in one rolled-back transaction (no table flush per test), each generated write runs in a savepoint rolled
back after it (every example sees the same data), the requests go in-process to the WSGI app, and a role that
the permission check refuses before reading any input skips the coverage phase's value-by-value variations of
that input (the same 403 each time). Measured on a loaded 2-core machine (load 4-7): from 30-35 min to about
6 min for all roles.
"""

import json
import re
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.urls import resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from mto.wsgi import application
from tests.factories import UserFactory
from tests.role_table import ROLE_OF_FIXTURE

load_all_checks()
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]
ROLES = {fixture: [role] for fixture, role in ROLE_OF_FIXTURE.items()} | {"superuser": []}
# Bounds the fuzzing phase; the examples and coverage phases are deterministic and always run in full.
MAX_EXAMPLES = 3


@pytest.fixture
def in_process_requests(db):
    """The WSGI handler closes the connection after each request (as in production); inside the test's
    transaction that would lose it, so, like Django's test client, keep it open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=list(ROLES))
def role_user(request, in_process_requests):
    name = request.param
    user = UserFactory(username=f"api-{name}", roles=ROLES[name], is_superuser=name == "superuser")
    user.token = Token.objects.create(user=user).key
    return user


def refused_before_input(user, method: str, path: str) -> bool:
    """True when the view's permission classes refuse this role this operation whatever the request carries
    (DRF checks permissions before it parses the body or the query): every such request gets the same 403."""
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    cls, actions = getattr(match.func, "cls", None), getattr(match.func, "actions", None)
    if cls is None or not actions or method.lower() not in actions:
        return False
    view = cls(action_map=actions, action=actions[method.lower()], kwargs=match.kwargs, format_kwarg=None)
    request = SimpleNamespace(user=user, method=method.upper())
    return not all(permission.has_permission(request, view) for permission in view.get_permissions())


def _schema_as_served() -> dict:
    """The schema /api/v1/schema/ serves (which needs a login), generated in-process like the view does."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_schema_as_served())
schema.app = application
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def test_every_check_runs():
    names = CHECKS.get_all_names()
    assert {"not_a_server_error", "negative_data_rejection", "positive_data_acceptance", "unsupported_method"} <= set(
        names
    )
    assert len(ALL_CHECKS) == len(names)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, role_user):
    refused = case.method.upper() == case.operation.method.upper() and refused_before_input(
        role_user, case.method, case.operation.path
    )
    if refused and case._meta is not None and case._meta.phase.name == "coverage":
        # The coverage phase varies the input value by value; a role refused before any input is read gets one
        # identical 403 for each, so its examples and its positive and negative fuzzing cases check that 403
        # (and the coverage phase's undeclared methods still run for it).
        return
    # A create whose body has the declared shape can still name a customer that does not exist: a rule the
    # schema cannot state, refused with 400. Reads and actions must accept every schema-valid request.
    excluded = (
        [CHECKS.get_one("positive_data_acceptance")] if case.method == "POST" and not case.path_parameters else []
    )
    headers = {"Authorization": f"Token {role_user.token}"}
    if case.method.upper() in ("GET", "HEAD", "OPTIONS") or refused:
        response = case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=excluded)
    else:  # a write may change data: in a savepoint rolled back after it, so every example sees the same data
        with transaction.atomic():
            response = case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=excluded)
            transaction.set_rollback(True)
    if refused:  # the shortcut above holds only if the permission check really answers first
        assert response.status_code in (403, 404), response.status_code  # 404: a path the router does not match


def test_refused_before_input_follows_the_permissions(db):
    lead = UserFactory(roles=ROLES["lead"])
    office = UserFactory(roles=ROLES["office"])
    assert refused_before_input(lead, "POST", "/api/v1/sales-orders/")
    assert refused_before_input(lead, "PATCH", "/api/v1/customers/{id}/")
    assert not refused_before_input(office, "POST", "/api/v1/sales-orders/")
    assert not refused_before_input(lead, "POST", "/api/v1/operations/{id}/report/")
    assert not refused_before_input(lead, "DELETE", "/api/v1/sales-orders/")  # no such method: a 405, not a 403
