"""New rows start in their declared status with a first history row from "" (mto.transitions)."""

import datetime

from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job
from sales import services as sales_services
from shipping import services as shipping_services
from tests.factories import CustomerFactory, ItemFactory
from tests.scenarios import approved_order


def _history(obj) -> list[tuple[str, str, str, str]]:
    rows = obj.status_changes.order_by("id")
    return [(r.from_status, r.to_status, r.changed_by.username, r.reason) for r in rows]


def test_orders_jobs_and_shipments_start_with_their_first_status_in_the_history(office, manager, lead, clerk):
    due = timezone.localdate() + datetime.timedelta(days=10)
    order = sales_services.sales_order_create(
        by=office, customer=CustomerFactory(), lines=[{"item": ItemFactory(), "quantity": 2, "due_date": due}]
    )
    assert (order.status, _history(order)) == ("draft", [("", "draft", "office", "")])

    job = job_services.job_create_manual(
        origin=Job.Origin.REWORK, part_number="P-1", description="Rework", quantity=1, due_date=due, by=manager
    )
    assert (job.status, _history(job)) == ("planned", [("", "planned", "manager", "Made by hand")])

    approved = approved_order(office, manager, quantity=1)
    made = Job.objects.get(sales_order=approved)
    for op in made.operations.order_by("sequence"):
        job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=1, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    shipment = shipping_services.shipment_create(order=approved, lines={approved.lines.get().pk: 1}, by=clerk)
    assert (shipment.status, _history(shipment)) == ("draft", [("", "draft", "clerk", "")])

    change = sales_services.change_request_open(order=approved, by=office)
    assert change.status == "draft"
