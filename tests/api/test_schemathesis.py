"""The OpenAPI schema against the running code: schemathesis generates requests for every operation
(bounded in examples) and checks there is no server error and every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from mto.wsgi import application
from tests.factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
# No server errors and responses as documented. Not the "reject anything odd" checks: like DRF everywhere,
# the API ignores query parameters it does not know rather than refusing the request.
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@pytest.fixture
def manager_token(transactional_db):
    """Committed data: each in-process request ends by closing the database connection, as in production."""
    user = UserFactory(username="api-manager", roles=["Manager", "Shipping", "Shop floor"])
    return Token.objects.create(user=user).key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, manager_token):
    case.call_and_validate(headers={"Authorization": f"Token {manager_token}"}, checks=CHECKS)
