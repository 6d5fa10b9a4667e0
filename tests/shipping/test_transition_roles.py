"""Every shipment step by every role, against DESIGN.md's table written out (not read from mto/roles.py)."""

import pytest
from django.core.exceptions import PermissionDenied

from shipping import services
from shipping.models import Shipment
from shipping.workflow import TRANSITIONS
from tests.role_table import CLERK, MANAGER
from tests.scenarios import ROLE_FIXTURES, approved_order, produce

S = Shipment.Status
ROLES = sorted([*ROLE_FIXTURES, "superuser"])

# DESIGN.md: Shipping creates, packs and ships shipments (and cancels a draft); the Manager voids a shipped
# one. Office and Manager view shipments; the Shop floor does not touch them.
MAY = {"create": {CLERK}, "ship": {CLERK}, "cancel": {CLERK}, "void": {MANAGER}}


def test_every_shipment_transition_has_its_roles_written_here():
    assert set(TRANSITIONS) | {"create"} == set(MAY)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", sorted(MAY))
def test_each_shipment_step_by_each_role(request, office, manager, lead, clerk, step, role):
    order = approved_order(office, manager, quantity=2)
    produce(order, lead, 2)
    wanted = {order.lines.get().pk: 2}
    shipment = None
    if step != "create":
        shipment = services.shipment_create(order=order, lines=wanted, by=clerk)
    if step == "void":
        shipment = services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    user = request.getfixturevalue(role)
    if step == "create":
        run = lambda: services.shipment_create(order=order, lines=wanted, by=user)  # noqa: E731
    else:
        run = lambda: services.shipment_transition(shipment=shipment, name=step, by=user, reason="Because")  # noqa: E731
    before = (Shipment.objects.count(), shipment.status if shipment else None)
    if role == "superuser" or role in MAY[step]:
        run()
        if shipment:
            shipment.refresh_from_db()
            assert shipment.status == TRANSITIONS[step].target
        else:
            assert Shipment.objects.count() == before[0] + 1
    else:
        with pytest.raises(PermissionDenied):
            run()
        if shipment:
            shipment.refresh_from_db()
        assert (Shipment.objects.count(), shipment.status if shipment else None) == before
