import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sales import services, signals
from sales.models import SalesOrder
from tests.factories import SalesOrderFactory


@pytest.fixture
def pending(office):
    order = SalesOrderFactory(lines=2, created_by=office)
    return services.sales_order_submit(order=order, by=office)


@pytest.fixture
def received():
    calls = []

    def receiver(sender, order, by, **kwargs):
        calls.append(
            {
                "order": order.pk,
                "status": SalesOrder.objects.get(pk=order.pk).status,
                "by": by.username,
                "in_transaction": connection.in_atomic_block,
            }
        )

    signals.order_approved.connect(receiver, dispatch_uid="test-receiver")
    yield calls
    signals.order_approved.disconnect(dispatch_uid="test-receiver")


def test_order_approved_fires_once_inside_the_approval(pending, manager, received):
    services.sales_order_approve(order=pending, by=manager)
    with pytest.raises(ValidationError, match="already approved"):
        services.sales_order_approve(order=pending, by=manager)
    assert received == [{"order": pending.pk, "status": "approved", "by": "manager", "in_transaction": True}]


def test_not_sent_on_submit_or_reject(pending, manager, received):
    services.sales_order_reject(order=pending, by=manager, reason="wrong price")
    assert received == []


def test_failing_receiver_rolls_the_approval_back(pending, manager):
    def broken(sender, **kwargs):
        raise ValidationError("job creation failed")

    signals.order_approved.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(ValidationError, match="job creation failed"):
            services.sales_order_approve(order=pending, by=manager)
    finally:
        signals.order_approved.disconnect(dispatch_uid="test-broken")
    pending.refresh_from_db()
    assert pending.status == SalesOrder.Status.PENDING_APPROVAL
    assert not pending.status_changes.filter(to_status="approved").exists()


def test_cancel_sends_order_cancelled(office):
    order = SalesOrderFactory(created_by=office)
    seen = []
    signals.order_cancelled.connect(
        lambda sender, order, cancelled_by, reason, **kw: seen.append((order.number, reason)),
        dispatch_uid="t-c",
        weak=False,
    )
    try:
        services.sales_order_cancel(order=order, by=office, reason="dup")
    finally:
        signals.order_cancelled.disconnect(dispatch_uid="t-c")
    assert seen == [(order.number, "dup")]
