import pytest
from django.contrib.auth.models import Group

from mto.roles import ALL_ROLES, CAPABILITIES, ROLE_CAPABILITIES, perm


@pytest.mark.django_db
def test_groups_hold_exactly_the_role_table():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    for role, capabilities in ROLE_CAPABILITIES.items():
        group = Group.objects.get(name=role)
        assert set(group.permissions.values_list("codename", flat=True)) == capabilities


def test_role_table_matches_design():
    manager, office = ROLE_CAPABILITIES["Manager"], ROLE_CAPABILITIES["Office"]
    assert office < manager, "a manager may do all that office may"
    assert {"approve_orders", "manage_jobs", "void_shipments", "view_reports"} <= manager - office
    assert "approve_orders" not in office
    assert ROLE_CAPABILITIES["Shop floor"] == {"view_orders", "view_jobs", "run_floor"}
    assert "ship" in ROLE_CAPABILITIES["Shipping"] and "edit_orders" not in ROLE_CAPABILITIES["Shipping"]
    assert all(c in CAPABILITIES for caps in ROLE_CAPABILITIES.values() for c in caps)


def test_unknown_capability_is_an_error():
    with pytest.raises(ValueError):
        perm("fly")


@pytest.mark.django_db
def test_user_permissions_follow_the_group(office, manager, superuser):
    assert office.has_perm("mto.edit_orders") and not office.has_perm("mto.approve_orders")
    assert manager.has_perm("mto.approve_orders")
    assert superuser.has_perm("mto.void_shipments")
