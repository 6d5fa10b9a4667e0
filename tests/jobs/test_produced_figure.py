"""The order line's stored produced pieces (quantity_produced) equal the sum over its jobs after every kind of change.

Ready to ship and the shipment limits read the stored figure instead of summing the jobs, so it must follow every
change of good pieces: reports on a last operation (and not on earlier ones), reports after a reopen, a remake's
pieces, returns from a vendor, a job cancelled with pieces, and not move with shipments and their voids. Each
scenario is a table of steps and the figures expected after each; after every step the stored figure is also
compared with the sum, for every line of the order.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs import services as job_services
from jobs.models import Job, WorkCenter
from sales import services as sales_services
from sales.models import SalesOrderLine
from shipping import selectors as shipping_selectors
from shipping import services as shipping_services
from tests.scenarios import approved_order, approved_order_with_routing, ship

J = Job.Status


def summed(line_id: int) -> int:
    jobs = Job.objects.filter(sales_order_line_id=line_id).exclude(status=J.CANCELLED)
    return jobs.aggregate(total=Sum("quantity_completed"))["total"] or 0


def stored_figures(order) -> dict[int, int]:
    """{line_no: stored produced}, after checking each line's stored figure against the sum over its jobs."""
    figures = {}
    for line in SalesOrderLine.objects.filter(order=order).order_by("line_no"):
        assert line.quantity_produced == summed(line.pk), f"line {line.line_no}"
        assert line.quantity_shipped <= line.quantity_produced
        figures[line.line_no] = line.quantity_produced
    return figures


class Floor:
    """The steps of the tables, on one order (its users are the role fixtures)."""

    def __init__(self, order, users):
        self.order, self.users = order, users
        self.jobs = {job.sales_order_line.line_no: job for job in Job.objects.filter(sales_order=order)}
        self.shipments = []

    def _op(self, job_key, index):
        return list(Job.objects.get(pk=self.jobs[job_key].pk).operations.order_by("sequence"))[index]

    def report(self, job_key, index, good, finish=False, *, scrap=0):
        op = self._op(job_key, index)
        lead = self.users["lead"]
        if op.status == op.Status.PENDING:
            job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(
            operation=op, good=good, scrap=scrap, scrap_reason="Dimension" if scrap else "", by=lead
        )
        if finish:
            job_services.operation_act(operation=op, action="finish", by=lead, short=True)

    def run(self, job_key, good):
        for index in range(len(list(self.jobs[job_key].operations.all()))):
            self.report(job_key, index, good, finish=True)

    def reopen(self, job_key, index):
        op = self._op(job_key, index)
        job_services.operation_act(operation=op, action="reopen", by=self.users["manager"], reason="Count was wrong")

    def remake(self, job_key, quantity, key):
        job = Job.objects.get(pk=self.jobs[job_key].pk)
        self.jobs[key] = job_services.job_create_remake(job=job, quantity=quantity, by=self.users["manager"])

    def ship(self, line_no, quantity):
        line = self.order.lines.get(line_no=line_no)
        self.shipments.append(ship(self.order, self.users["clerk"], {line.pk: quantity}))

    def void(self):
        shipment = self.shipments.pop()
        shipping_services.shipment_transition(
            shipment=shipment, name="void", by=self.users["manager"], reason="Wrong truck"
        )

    def cancel_line(self, line_no):
        """A change request cancels the line; its started job goes on hold, and the manager cancels it."""
        office, manager = self.users["office"], self.users["manager"]
        line = self.order.lines.get(line_no=line_no)
        change = sales_services.change_request_open(order=self.order, by=office)
        sales_services.change_item_add(change_request=change, kind="cancel_line", line=line, reason="Not needed",
                                       by=office)  # fmt: skip
        sales_services.change_request_submit(change_request=change, by=office)
        sales_services.change_request_approve(change_request=change, by=manager)
        job = Job.objects.get(pk=self.jobs[line_no].pk)
        assert job.status == J.ON_HOLD
        job_services.job_act(job=job, action="cancel", by=manager, reason="Line cancelled")


# (step, arguments, expected {line_no: produced} after it). Routing SAW -> CNC -> INSP; 10 pieces a line.
SCENARIOS = {
    "reports count off the last operation only": [
        ("report", (1, 0, 6), {1: 0, 2: 0}),
        ("report", (1, 1, 5), {1: 0, 2: 0}),
        ("report", (1, 2, 4), {1: 4, 2: 0}),
        ("report", (1, 2, 1), {1: 5, 2: 0}),
        ("report", (2, 0, 3), {1: 5, 2: 0}),
    ],
    "a reopened operation passes more pieces on": [
        ("report", (1, 0, 10, True), {1: 0, 2: 0}),
        ("report", (1, 1, 6, True), {1: 0, 2: 0}),  # finished short
        ("report", (1, 2, 6), {1: 6, 2: 0}),
        ("reopen", (1, 1), {1: 6, 2: 0}),
        ("report", (1, 1, 3, True), {1: 6, 2: 0}),
        ("report", (1, 2, 3, True), {1: 9, 2: 0}),  # the job completes with 9
    ],
    "shipments and voids leave it alone": [
        ("run", (1, 8), {1: 8, 2: 0}),
        ("ship", (1, 5), {1: 8, 2: 0}),
        ("ship", (1, 3), {1: 8, 2: 0}),
        ("void", (), {1: 8, 2: 0}),
        ("void", (), {1: 8, 2: 0}),
        ("ship", (1, 8), {1: 8, 2: 0}),
    ],
    "a remake's good pieces count for the line": [
        ("run", (1, 7), {1: 7, 2: 0}),  # three short: scrapped on the way, say
        ("ship", (1, 7), {1: 7, 2: 0}),
        ("remake", (1, 3, "1R"), {1: 7, 2: 0}),
        ("report", ("1R", 0, 3, True), {1: 7, 2: 0}),
        ("report", ("1R", 1, 3, True), {1: 7, 2: 0}),
        ("report", ("1R", 2, 2), {1: 9, 2: 0}),
        ("report", ("1R", 2, 1, True), {1: 10, 2: 0}),
    ],
    "a job cancelled with pieces no longer counts": [
        ("run", (1, 10), {1: 10, 2: 0}),
        ("report", (2, 0, 4, True), {1: 10, 2: 0}),
        ("report", (2, 1, 4, True), {1: 10, 2: 0}),
        ("report", (2, 2, 4), {1: 10, 2: 4}),
        ("cancel_line", (2,), {1: 10, 2: 0}),
    ],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_stored_figure_follows_every_change(name, office, manager, lead, clerk):
    order = approved_order(office, manager, lines=2, quantity=10)
    floor = Floor(order, {"office": office, "manager": manager, "lead": lead, "clerk": clerk})
    assert stored_figures(order) == {1: 0, 2: 0}
    for step, args, expected in SCENARIOS[name]:
        getattr(floor, step)(*args)
        assert stored_figures(order) == expected, (step, args)


def test_pieces_back_from_a_vendor_on_the_last_operation_count(office, manager, lead, buyer):
    WorkCenter.objects.update_or_create(code="PLATE", defaults={"name": "Plating", "hourly_rate": 0,
                                                               "is_outside": True})  # fmt: skip
    order = approved_order_with_routing(office, manager, ("SAW", "PLATE"), quantity=10)
    saw, plate = Job.objects.get(sales_order=order).operations.order_by("sequence")
    job_services.operation_act(operation=saw, action="start", by=lead)
    job_services.operation_report_pieces(operation=saw, good=10, by=lead)
    job_services.operation_act(operation=saw, action="finish", by=lead)
    job_services.operation_ship_out(operation=plate, quantity=10, by=buyer)
    assert stored_figures(order) == {1: 0}
    job_services.operation_receive_back(operation=plate, good=6, rejected=1, by=buyer)
    assert stored_figures(order) == {1: 6}
    job_services.operation_receive_back(operation=plate, good=3, rejected=0, by=buyer)
    assert stored_figures(order) == {1: 9}
    assert Job.objects.get(sales_order=order).status == J.COMPLETE


def test_ready_to_ship_and_the_shipment_limits_read_the_stored_figure(office, manager, lead, clerk):
    order = approved_order(office, manager, lines=1, quantity=10)
    floor = Floor(order, {"office": office, "manager": manager, "lead": lead, "clerk": clerk})
    floor.report(1, 0, 10, finish=True)
    floor.report(1, 1, 10, finish=True)
    floor.report(1, 2, 4)
    line = order.lines.get()
    ready = shipping_selectors.ready_to_ship().get(pk=line.pk)
    assert (ready.produced, ready.ready) == (4, 4)
    (to_ship,) = shipping_selectors.order_lines_to_ship(order=order)
    assert (to_ship.produced, to_ship.available) == (4, 4)
    with pytest.raises(ValidationError, match="only 4 produced"):
        shipping_services.shipment_create(order=order, lines={line.pk: 5}, by=clerk)
    ship(order, clerk, {line.pk: 4})
    assert not shipping_selectors.ready_to_ship().filter(pk=line.pk).exists()


def test_the_database_refuses_a_line_shipped_beyond_what_it_produced(office, manager):
    order = approved_order(office, manager, lines=1, quantity=10)
    line = order.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesOrderLine.objects.filter(pk=line.pk).update(quantity_shipped=1)
    # The service refuses a figure below what already shipped with a reason, not a database error.
    SalesOrderLine.objects.filter(pk=line.pk).update(quantity_produced=3, quantity_shipped=2)
    with pytest.raises(ValidationError, match="2 pieces have shipped"):
        sales_services.sales_order_line_record_produced(line_id=line.pk, produced=1)
    assert SalesOrderLine.objects.get(pk=line.pk).quantity_produced == 3


# Random sequences of floor steps on two lines: whatever is asked (refused steps included), the figures hold.
step = st.one_of(
    st.tuples(st.just("report"), st.sampled_from([1, 2]), st.integers(0, 2), st.integers(1, 6), st.booleans()),
    st.tuples(st.just("ship"), st.sampled_from([1, 2]), st.integers(1, 6)),
    st.tuples(st.just("void")),
    st.tuples(st.just("remake"), st.sampled_from([1, 2]), st.integers(1, 4)),
)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=10))
def test_random_sequences_keep_the_figure(steps, office, manager, lead, clerk):
    order = approved_order(office, manager, lines=2, quantity=10)
    floor = Floor(order, {"office": office, "manager": manager, "lead": lead, "clerk": clerk})
    remakes = 0
    for kind, *args in steps:
        try:
            with transaction.atomic():
                if kind == "report":
                    line_no, index, good, finish = args
                    floor.report(line_no, index, good, finish=finish)
                elif kind == "ship":
                    floor.ship(*args)
                elif kind == "void" and floor.shipments:
                    floor.void()
                elif kind == "remake":
                    remakes += 1
                    floor.remake(args[0], args[1], f"{args[0]}R{remakes}")
        except ValidationError:
            pass  # refused (too many pieces, nothing produced to ship, ...): nothing changed
        stored_figures(order)
