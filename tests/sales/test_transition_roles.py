"""Every order transition, and every change-request step, by every role: the role table decides, nothing else.

Who may is written out here from DESIGN.md (tests/role_table.py's roles), not read from mto/roles.py.

The access matrix (tests/test_access.py) tries one transition per URL; this goes through each of them at the
service, where the pages and the API both end up.
"""

import pytest
from django.core.exceptions import PermissionDenied

from sales import services
from sales.models import SalesOrder
from sales.workflow import TRANSITIONS
from tests.factories import SalesOrderFactory
from tests.role_table import MANAGER, OFFICE
from tests.scenarios import ROLE_FIXTURES, approved_order, produce, ship

S = SalesOrder.Status

# DESIGN.md: Office creates, edits drafts, submits and cancels orders (and closes shipped ones); the Manager
# may all that and approves or rejects. Shop floor and Shipping only view orders.
MAY_TRANSITION = {
    "submit": {OFFICE, MANAGER},
    "approve": {MANAGER},
    "reject": {MANAGER},
    "cancel": {OFFICE, MANAGER},
    "close": {OFFICE, MANAGER},
}


def test_every_transition_has_its_roles_written_here():
    assert set(TRANSITIONS) == set(MAY_TRANSITION)


def order_in(status, office, manager, lead, clerk) -> SalesOrder:
    if status == S.DRAFT:
        return SalesOrderFactory(created_by=office)
    if status == S.PENDING_APPROVAL:
        return services.sales_order_submit(order=SalesOrderFactory(created_by=office), by=office)
    order = approved_order(office, manager, quantity=2)
    if status == S.SHIPPED:
        produce(order, lead, 2)
        ship(order, clerk, {order.lines.get().pk: 2})
    order.refresh_from_db()
    assert order.status == status
    return order


@pytest.mark.parametrize("role", sorted(ROLE_FIXTURES))
@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_each_transition_by_each_role(request, office, manager, lead, clerk, name, role):
    transition = TRANSITIONS[name]
    order = order_in(transition.source[-1], office, manager, lead, clerk)
    user = request.getfixturevalue(role)
    allowed = role in MAY_TRANSITION[name]
    if allowed:
        services.sales_order_transition(order=order, name=name, by=user, reason="Because")
        order.refresh_from_db()
        assert order.status == transition.target
    else:
        with pytest.raises(PermissionDenied):
            services.sales_order_transition(order=order, name=name, by=user, reason="Because")
        order.refresh_from_db()
        assert order.status == transition.source[-1]


# A change to an approved order is drafted like an order (Office, Manager) and decided by the Manager.
CHANGE_STEPS = {
    "open": {OFFICE, MANAGER},
    "add": {OFFICE, MANAGER},
    "submit": {OFFICE, MANAGER},
    "withdraw": {OFFICE, MANAGER},
    "approve": {MANAGER},
    "reject": {MANAGER},
}


@pytest.mark.parametrize("role", sorted(ROLE_FIXTURES))
@pytest.mark.parametrize("step", sorted(CHANGE_STEPS))
def test_each_change_request_step_by_each_role(request, office, manager, lead, clerk, step, role):
    order = approved_order(office, manager, quantity=2)
    line = order.lines.get()
    change = services.change_request_open(order=order, by=office)
    if step in ("approve", "reject", "withdraw"):
        services.change_item_add(change_request=change, kind="quantity", line=line, quantity=3, reason="x", by=office)
        services.change_request_submit(change_request=change, by=office)
    elif step == "submit":
        services.change_item_add(change_request=change, kind="quantity", line=line, quantity=3, reason="x", by=office)
    user = request.getfixturevalue(role)
    run = {
        "open": lambda: services.change_request_open(order=order, by=user),
        "add": lambda: services.change_item_add(
            change_request=change, kind="quantity", line=line, quantity=4, reason="x", by=user
        ),
        "submit": lambda: services.change_request_submit(change_request=change, by=user),
        "withdraw": lambda: services.change_request_withdraw(change_request=change, by=user),
        "approve": lambda: services.change_request_approve(change_request=change, by=user),
        "reject": lambda: services.change_request_reject(change_request=change, by=user, reason="No"),
    }[step]
    if role in CHANGE_STEPS[step]:
        run()
    else:
        change.refresh_from_db()
        before = (change.status, change.items.count())
        with pytest.raises(PermissionDenied):
            run()
        change.refresh_from_db()
        assert (change.status, change.items.count()) == before
