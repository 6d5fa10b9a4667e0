"""The API's token authentication (mto.api.auth): the token, its user, roles and permissions in one query,
answering what DRF's TokenAuthentication and Django's ModelBackend answer."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from mto.api.auth import TokenAuthentication
from mto.roles import user_role_names
from tests.role_table import ROLE_NAMES


@pytest.mark.parametrize("user_fixture", [*ROLE_NAMES, "superuser"])
def test_a_token_answers_its_user_with_the_roles_and_permissions_of_the_database(request, db, user_fixture):
    user = request.getfixturevalue(user_fixture)
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as ctx:
        found, found_token = TokenAuthentication().authenticate_credentials(token.key)
        roles = user_role_names(found)
        may_view = found.has_perm("mto.view_orders")
        permissions = found.get_all_permissions() if not user.is_superuser else None
    assert len(ctx.captured_queries) == 1
    if user.is_superuser:  # all permissions: ModelBackend reads them (no request asks for the list)
        permissions = found.get_all_permissions()
    fresh = type(user).objects.get(pk=user.pk)
    assert permissions == ModelBackend().get_all_permissions(fresh)
    assert roles == sorted(fresh.groups.values_list("name", flat=True))
    assert may_view == fresh.has_perm("mto.view_orders")
    assert (found.pk, found.username, found.is_superuser, found.last_login) == (
        user.pk, user.username, user.is_superuser, fresh.last_login)  # fmt: skip
    assert (found_token.key, found_token.user_id, found_token.created) == (token.key, user.pk, token.created)
    assert found_token.user is found


def test_an_unknown_odd_or_inactive_token_is_refused_with_401(office):
    token = Token.objects.create(user=office)
    client = APIClient()
    for header in ("Token no-such-token", "Token bad\x00key", f"Token {token.key[:-1]}"):
        client.credentials(HTTP_AUTHORIZATION=header)
        answer = client.get("/api/v1/sales-orders/")
        assert answer.status_code == 401, header
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        TokenAuthentication().authenticate_credentials("bad\x00key")
    office.is_active = False
    office.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    answer = client.get("/api/v1/sales-orders/")
    assert answer.status_code == 401 and "inactive" in answer.json()["detail"]
    office.is_active = True
    office.save(update_fields=["is_active"])
    assert client.get("/api/v1/sales-orders/").status_code == 200
