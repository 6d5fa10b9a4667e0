"""Every API list and create endpoint for anonymous, each role and a superuser, against the role table."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mto.api_urls import router
from tests.role_table import ROLE_NAMES, may

USERS = [None, *ROLE_NAMES, "superuser"]
ENDPOINTS = [(prefix, viewset) for prefix, viewset, _basename in router.registry]


def _allowed(user_fixture, capability) -> bool:
    if capability == "*":
        return True
    return may(user_fixture, *((capability,) if isinstance(capability, str) else capability))


@pytest.mark.parametrize("user_fixture", USERS)
@pytest.mark.parametrize("prefix, viewset", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_list_and_create_follow_the_role_table(request, db, prefix, viewset, user_fixture):
    client = APIClient()
    if user_fixture:
        user = request.getfixturevalue(user_fixture)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    url = f"/api/v1/{prefix}/"
    listed = client.get(url)
    created = client.post(url, {}, format="json")
    if user_fixture is None:
        assert (listed.status_code, created.status_code) == (401, 401)
        return
    assert listed.status_code == (200 if _allowed(user_fixture, viewset.capabilities["list"]) else 403)
    if "create" not in viewset.capabilities:
        assert created.status_code in (403, 405), "no create action: refused"
    elif _allowed(user_fixture, viewset.capabilities["create"]):
        assert created.status_code == 400, "allowed to create: the empty body is refused with field errors"
    else:
        assert created.status_code == 403


# Purchasing's writes as DESIGN says (written out here, not read from the viewsets): buyers and Managers buy and
# keep job material (the planner too), buyers, Managers and Shipping clerks receive; everyone with
# view_purchasing reads.
PURCHASING_WRITES = {
    "material-requirements": {"create": {"buy", "plan_jobs"}, "partial_update": {"buy", "plan_jobs"},
                              "destroy": {"buy", "plan_jobs"}, "issue_from_stock": {"buy", "plan_jobs"}},
    "outside-operations": {"partial_update": {"buy"}, "update": {"buy"}},
    "ship-outs": {"create": {"receive"}},
    "vendor-returns": {"create": {"receive"}, "certificate": {"receive"}},
    "receipts": {"create": {"receive"}, "certificate": {"receive"}},
}  # fmt: skip


@pytest.mark.parametrize("prefix", sorted(PURCHASING_WRITES))
def test_purchasing_endpoints_ask_the_capabilities_the_design_gives(prefix):
    viewset = next(v for p, v, _ in router.registry if p == prefix)
    assert viewset.capabilities["list"] == viewset.capabilities["retrieve"] == "view_purchasing"
    for action, expected in PURCHASING_WRITES[prefix].items():
        capability = viewset.capabilities[action]
        assert set((capability,) if isinstance(capability, str) else capability) == expected, (prefix, action)
    for role in ROLE_NAMES:
        assert may(role, "buy", "plan_jobs") == (role in ("buyer", "manager"))
        assert may(role, "receive") == (role in ("buyer", "manager", "clerk"))


# Quality's writes as DESIGN says: the Quality role keeps the plans and dispositions NCRs (Managers too); the floor
# records inspections and opens NCRs; everyone with view_quality reads.
QUALITY_WRITES = {
    "inspection-plan": {"create": {"edit_quality_plans"}, "update": {"edit_quality_plans"},
                        "partial_update": {"edit_quality_plans"}},
    "inspection-results": {"create": {"record_inspections"}},
    "ncrs": {"create": {"open_ncrs"}, "disposition": {"disposition_ncrs"}},
}  # fmt: skip


@pytest.mark.parametrize("prefix", sorted(QUALITY_WRITES))
def test_quality_endpoints_ask_the_capabilities_the_design_gives(prefix):
    viewset = next(v for p, v, _ in router.registry if p == prefix)
    assert viewset.capabilities["list"] == viewset.capabilities["retrieve"] == "view_quality"
    for action, expected in QUALITY_WRITES[prefix].items():
        capability = viewset.capabilities[action]
        assert set((capability,) if isinstance(capability, str) else capability) == expected, (prefix, action)
