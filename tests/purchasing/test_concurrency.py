"""Two receivers on one PO line at once, on PostgreSQL with real threads (tests.scenarios.run_together)."""

from decimal import Decimal

import pytest

from purchasing import services
from purchasing.models import PurchaseOrderLine, Receipt
from tests.factories import UserFactory
from tests.scenarios import job_with_material, run_together, sent_purchase_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_receivers_on_one_line_never_pass_the_limit(postgres_only):
    """Each receives 6 of 10 (limit 10.5): one is taken, the other refused with the reason (it waited on the
    locks: job, order, line, and then saw the first receipt); the line, the requirement and the receipts agree."""
    office = UserFactory(username="r-office", roles=["Office"])
    manager = UserFactory(username="r-manager", roles=["Manager"])
    buyer = UserFactory(username="r-buyer", roles=["Purchasing"])
    clerk = UserFactory(username="r-clerk", roles=["Shipping"])
    _, requirement = job_with_material(office, manager, buyer, quantity="10")
    line = sent_purchase_order(buyer, requirement).lines.get()

    def receive(user, lot):
        try:
            services.receipt_create(po_line=PurchaseOrderLine.objects.get(pk=line.pk), quantity=Decimal("6"),
                                    lot_number=lot, by=user)  # fmt: skip
            return "ok"
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            return f"{type(exc).__name__}: {exc}"

    results = run_together(receive, [(buyer, "H-A"), (clerk, "H-B")])
    assert sorted(r[:15] for r in results) == ["ValidationError", "ok"], results
    assert "at most 10.5" in next(r for r in results if r != "ok")
    line.refresh_from_db()
    requirement.refresh_from_db()
    assert line.quantity_received == requirement.quantity_received == Decimal("6")
    assert Receipt.objects.filter(po_line=line).count() == 1
