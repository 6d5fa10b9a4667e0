"""The OpenAPI schema against the running code, for every role: schemathesis generates valid (positive) and
invalid (negative) requests for every operation, bounded in examples, and runs every check it has: no server
error, responses as documented, invalid data refused, valid data accepted, 405 for undeclared methods."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from mto.wsgi import application
from tests.factories import UserFactory

load_all_checks()
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]
ROLES = {"office": ["Office"], "manager": ["Manager"], "lead": ["Shop floor"], "clerk": ["Shipping"], "superuser": []}
# Bounded so that five roles stay a few minutes; raise it locally to search harder.
MAX_EXAMPLES = 3


@pytest.fixture(params=list(ROLES))
def token(request, transactional_db):
    """Committed data: each in-process request ends by closing the database connection, as in production."""
    name = request.param
    user = UserFactory(username=f"api-{name}", roles=ROLES[name], is_superuser=name == "superuser")
    return Token.objects.create(user=user).key


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
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, token):
    # A create whose body has the declared shape can still name a customer that does not exist: a rule the
    # schema cannot state, refused with 400. Reads and actions must accept every schema-valid request.
    excluded = (
        [CHECKS.get_one("positive_data_acceptance")] if case.method == "POST" and not case.path_parameters else []
    )
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=ALL_CHECKS, excluded_checks=excluded)
