import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs import services as job_services
from jobs.models import Job
from sales import services as sales_services
from sales.models import SalesOrder
from shipping import services
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.jobs.conftest import approved_order

SO = SalesOrder.Status


def produce(order, lead, good_per_line: int):
    """Run every job of the order to complete with `good_per_line` good pieces through each operation."""
    for job in Job.objects.filter(sales_order=order):
        for op in job.operations.order_by("sequence"):
            job_services.operation_act(operation=op, action="start", by=lead)
            job_services.operation_report_pieces(operation=op, good=good_per_line, by=lead)
            job_services.operation_act(operation=op, action="finish", by=lead)


@pytest.fixture
def order(office, manager, lead):
    order = approved_order(office, manager, lines=2, quantity=10)
    produce(order, lead, 10)
    return order


def _lines(order):
    return list(order.lines.order_by("line_no"))


def ship(order, clerk, wanted, **fields):
    shipment = services.shipment_create(order=order, lines=wanted, by=clerk, **fields)
    return services.shipment_transition(shipment=shipment, name="ship", by=clerk)


def test_partial_then_final_shipment_rolls_the_order_up(order, clerk, office):
    first, second = _lines(order)
    ship(order, clerk, {first.pk: 4, second.pk: 10}, carrier="UPS", tracking_number="1Z1")
    order.refresh_from_db()
    assert order.status == SO.PARTIALLY_SHIPPED
    first.refresh_from_db()
    assert first.quantity_shipped == 4
    ship(order, clerk, {first.pk: 6})
    order.refresh_from_db()
    assert order.status == SO.SHIPPED
    sales_services.sales_order_close(order=order, by=office)
    order.refresh_from_db()
    assert order.status == SO.CLOSED


@pytest.mark.parametrize(
    "wanted, message",
    [
        ({0: 11}, "more than the 10 still to ship"),
        ({0: -1}, "whole number"),
        ({0: 0, 1: 0}, "at least one line"),
        ({}, "at least one line"),
    ],
)
def test_bad_quantities_refused(order, clerk, wanted, message):
    lines = _lines(order)
    with pytest.raises(ValidationError, match=message):
        services.shipment_create(order=order, lines={lines[i].pk: q for i, q in wanted.items()}, by=clerk)
    assert not Shipment.objects.exists()


def test_never_more_than_produced(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=10)
    produce(order, lead, 6)
    line = order.lines.get()
    with pytest.raises(ValidationError, match="only 6 produced"):
        services.shipment_create(order=order, lines={line.pk: 7}, by=clerk)
    ship(order, clerk, {line.pk: 6})
    with pytest.raises(ValidationError, match="only 0 produced"):
        services.shipment_create(order=order, lines={line.pk: 1}, by=clerk)


def test_drafts_are_checked_again_when_they_ship(order, clerk):
    line = _lines(order)[0]
    first = services.shipment_create(order=order, lines={line.pk: 10}, by=clerk)
    second = services.shipment_create(order=order, lines={line.pk: 10}, by=clerk)
    services.shipment_transition(shipment=first, name="ship", by=clerk)
    with pytest.raises(ValidationError, match="more than the 0 still to ship"):
        services.shipment_transition(shipment=second, name="ship", by=clerk)
    second.refresh_from_db()
    assert second.status == Shipment.Status.DRAFT


def test_job_on_hold_blocks_its_line(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=10)
    job = Job.objects.get(sales_order=order)
    first = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=first, action="start", by=lead)
    job_services.job_act(job=job, action="hold", by=lead, reason="Quality problem")
    with pytest.raises(ValidationError, match="on hold"):
        services.shipment_create(order=order, lines={order.lines.get().pk: 1}, by=clerk)


def test_void_gives_the_quantities_back(order, clerk, manager):
    first, second = _lines(order)
    shipment = ship(order, clerk, {first.pk: 10, second.pk: 10})
    order.refresh_from_db()
    assert order.status == SO.SHIPPED
    with pytest.raises(PermissionDenied):
        services.shipment_transition(shipment=shipment, name="void", by=clerk, reason="wrong")
    with pytest.raises(ValidationError, match="reason"):
        services.shipment_transition(shipment=shipment, name="void", by=manager, reason="")
    services.shipment_transition(shipment=shipment, name="void", by=manager, reason="Wrong truck")
    order.refresh_from_db()
    first.refresh_from_db()
    assert order.status == SO.IN_PRODUCTION and first.quantity_shipped == 0
    ship(order, clerk, {first.pk: 10})
    order.refresh_from_db()
    assert order.status == SO.PARTIALLY_SHIPPED


def test_shipped_is_read_only_and_illegal_moves_refused(order, clerk):
    line = _lines(order)[0]
    shipment = ship(order, clerk, {line.pk: 2})
    with pytest.raises(ValidationError, match="read-only"):
        services.shipment_update(shipment=shipment, lines={line.pk: 3}, by=clerk)
    for name in ("ship", "cancel"):
        with pytest.raises(ValidationError, match="Cannot"):
            services.shipment_transition(shipment=shipment, name=name, by=clerk)


def test_office_cannot_ship(order, office):
    with pytest.raises(PermissionDenied):
        services.shipment_create(order=order, lines={_lines(order)[0].pk: 1}, by=office)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_shipping_the_same_pieces(postgres_only):
    """Two clerks ship drafts of the same ten pieces at once: one ships, the other is refused.

    Checked by hand: without the order lock in _lock_order, both pass the check and the order line's
    check constraint (shipped <= ordered) or an over-shipment follows.
    """
    office = UserFactory(username="o", roles=["Office"])
    manager = UserFactory(username="m", roles=["Manager"])
    lead = UserFactory(username="l", roles=["Shop floor"])
    clerks = [UserFactory(username=f"c{n}", roles=["Shipping"]) for n in range(2)]
    order = approved_order(office, manager, quantity=10)
    produce(order, lead, 10)
    line = order.lines.get()
    drafts = [services.shipment_create(order=order, lines={line.pk: 10}, by=c) for c in clerks]
    barrier = threading.Barrier(2)
    outcomes = []

    def run(shipment, clerk):
        try:
            barrier.wait()
            services.shipment_transition(shipment=shipment, name="ship", by=clerk)
            outcomes.append("shipped")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(drafts, clerks, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "shipped" and "still to ship" in sorted(outcomes)[0]
    line.refresh_from_db()
    assert line.quantity_shipped == 10
    assert Shipment.objects.filter(status=Shipment.Status.SHIPPED).count() == 1


def test_pages_flow_and_print(client, order, clerk):
    first, second = _lines(order)
    client.force_login(clerk)
    queue = client.get(reverse("shipping:ready-to-ship"))
    assert [line.pk for line in queue.context["lines"]] == [first.pk, second.pk]
    form = client.get(reverse("shipping:shipment-create", args=[order.pk]))
    assert form.status_code == 200 and 'value="10"' in form.content.decode()
    too_many = client.post(
        reverse("shipping:shipment-create", args=[order.pk]),
        {f"line_{first.pk}": "11", f"line_{second.pk}": "0", "packages": "1", "ship_to": "x"},
    )
    assert too_many.status_code == 400 and "still to ship" in too_many.content.decode()
    created = client.post(
        reverse("shipping:shipment-create", args=[order.pk]),
        {f"line_{first.pk}": "5", f"line_{second.pk}": "0", "packages": "2", "ship_to": "Dock 4",
         "carrier": "UPS", "tracking_number": "1Z999", "needs_certificate": "on"},
    )  # fmt: skip
    shipment = Shipment.objects.get()
    assert created.status_code == 302
    for name in ("packing-slip", "certificate", "bill-of-lading"):
        page = client.get(reverse(f"shipping:{name}", args=[shipment.pk]))
        assert page.status_code == 200 and shipment.number in page.content.decode()
    slip = client.get(reverse("shipping:packing-slip", args=[shipment.pk])).content.decode()
    assert "Back-ordered" in slip and order.customer_po in slip
    client.post(reverse("shipping:shipment-transition", args=[shipment.pk, "ship"]))
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    order_page = client.get(order.get_absolute_url()).content.decode()
    assert shipment.number in order_page and "Partially shipped" in order_page
    csv = b"".join(client.get(reverse("shipping:shipment-list"), {"q": "1Z999", "format": "csv"}).streaming_content)
    assert shipment.number in csv.decode()


def test_a_form_post_naming_a_line_twice_is_refused(client, order, clerk):
    """A hand-made POST repeating line_<pk>: a form error on that line, not the last value kept silently."""
    first, second = _lines(order)
    client.force_login(clerk)
    response = client.post(
        reverse("shipping:shipment-create", args=[order.pk]),
        {f"line_{first.pk}": ["1", "2"], f"line_{second.pk}": "0", "packages": "1", "ship_to": "Dock 4"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"line_{first.pk}"] == ["This line is given more than once; give it once."]
    assert "given more than once" in response.content.decode()
    assert not Shipment.objects.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(client, office, manager, lead, clerk):
    client.force_login(clerk)

    def grow(n):
        while Shipment.objects.count() < n:
            order = approved_order(office, manager, lines=1, quantity=2)
            produce(order, lead, 2)
            ship(order, clerk, {order.lines.get().pk: 1})

    grow(5)
    small = (_count(client, reverse("shipping:shipment-list")), _count(client, reverse("shipping:ready-to-ship")))
    grow(50)
    large = (_count(client, reverse("shipping:shipment-list")), _count(client, reverse("shipping:ready-to-ship")))
    assert small == large
