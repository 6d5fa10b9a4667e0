"""Change requests on approved orders: every kind of change, in each state, with the jobs and shipping following."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jobs import services as job_services
from jobs.models import Job
from mto.models import AuditEntry, Notification
from sales import services
from sales.models import ChangeItem, ChangeRequest, SalesOrder
from shipping import services as shipping_services
from shipping.models import Shipment
from tests.factories import ItemFactory, SalesOrderFactory
from tests.scenarios import approved_order, run_job

SO = SalesOrder.Status
K = ChangeItem.Kind
J = Job.Status


def change(order, office, manager, *items, approve=True):
    """Open, fill, submit and (by default) approve a change request; returns it."""
    request = services.change_request_open(order=order, by=office)
    for kind, fields in items:
        services.change_item_add(change_request=request, kind=kind, by=office, reason="Customer e-mail", **fields)
    services.change_request_submit(change_request=request, by=office)
    if approve:
        services.change_request_approve(change_request=request, by=manager)
    request.refresh_from_db()
    return request


def run_first_operation(job, lead, good):
    op = job.operations.order_by("sequence").first()
    job_services.operation_act(operation=op, action="start", by=lead)
    if good:
        job_services.operation_report_pieces(operation=op, good=good, by=lead)
    return op


@pytest.fixture
def order(office, manager):
    return approved_order(office, manager, lines=2, quantity=10)


def _line(order, n=1):
    return order.lines.get(line_no=n)


def _job(order, n=1):
    return Job.objects.get(sales_order_line=_line(order, n), origin=Job.Origin.ORDER)


# --- quantity -------------------------------------------------------------------------------------------


def test_quantity_up_raises_the_open_job_and_bumps_the_revision(order, office, manager):
    request = change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 14}))
    order.refresh_from_db()
    assert (order.revision, request.status, request.revision) == (1, ChangeRequest.Status.APPROVED, 1)
    assert _line(order).quantity == 14
    job = _job(order)
    assert (job.quantity, job.order_revision, job.status) == (14, 1, J.RELEASED)
    assert Job.objects.filter(sales_order=order).count() == 2  # no stray second job
    item = request.items.get()
    assert item.before == {"quantity": 10}
    assert item.summary == "Line 1: quantity 10 \u2192 14"
    trail = AuditEntry.objects.filter(object_type="jobs.Job", object_id=job.pk).get()
    assert (trail.field, trail.before, trail.after, trail.reason, trail.changed_by) == (
        "quantity",
        "10",
        "14",
        "Customer e-mail",
        manager,
    )
    line_trail = AuditEntry.objects.get(object_type="sales.SalesOrderLine", object_id=_line(order).pk)
    assert (line_trail.before, line_trail.after) == ("10", "14")


def test_quantity_up_on_a_complete_job_makes_an_additional_job(order, office, manager, lead):
    first = _job(order)
    run_job(first, lead, 10)
    change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 15}))
    jobs = list(Job.objects.filter(sales_order_line=_line(order)).order_by("id"))
    assert [(j.origin, j.quantity, j.status) for j in jobs] == [
        (Job.Origin.ORDER, 10, J.COMPLETE),
        (Job.Origin.CHANGE, 5, J.RELEASED),
    ]
    extra = jobs[1]
    assert extra.number == f"{first.number}-2"
    routing = ["sequence", "work_center", "description", "setup_hours", "run_hours_per_piece"]
    assert list(extra.operations.values_list(*routing)) == list(first.operations.values_list(*routing))
    assert all(op.status == "pending" and op.good_qty == 0 for op in extra.operations.all())


def test_quantity_down_lowers_the_job_but_never_below_what_is_produced(order, office, manager, lead):
    job = _job(order)
    run_job(job, lead, 6)  # six good pieces came off; the job is complete short
    with pytest.raises(ValidationError, match="6 pieces are already produced; the quantity cannot go below 6"):
        change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 5}))
    order.refresh_from_db()
    assert order.revision == 0 and _line(order).quantity == 10  # nothing changed
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.PENDING


def test_quantity_down_on_a_started_job(order, office, manager, lead):
    job = _job(order)
    run_first_operation(job, lead, 4)
    change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 7}))
    job.refresh_from_db()
    assert job.quantity == 7 and job.status == J.IN_PROGRESS


def test_quantity_down_below_shipped_is_refused_when_drafted(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=10)
    run_job(_job(order), lead, 8)  # the job completed two pieces short
    shipment = shipping_services.shipment_create(order=order, lines={_line(order).pk: 8}, by=clerk)
    shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    order.refresh_from_db()
    assert order.status == SO.PARTIALLY_SHIPPED
    request = services.change_request_open(order=order, by=office)
    with pytest.raises(ValidationError, match="8 pieces of line 1 have shipped; the quantity cannot go below 8"):
        services.change_item_add(
            change_request=request, kind=K.QUANTITY, line=_line(order), quantity=7, reason="x", by=office
        )
    # Lowering to what shipped finishes the order.
    change_req = services.change_item_add(
        change_request=request, kind=K.QUANTITY, line=_line(order), quantity=8, reason="Short", by=office
    ).change_request
    services.change_request_submit(change_request=change_req, by=office)
    services.change_request_approve(change_request=change_req, by=manager)
    order.refresh_from_db()
    assert order.status == SO.SHIPPED


# --- dates, revision, ship-to ---------------------------------------------------------------------------


def test_due_date_moves_open_jobs(order, office, manager):
    new = _line(order).due_date + datetime.timedelta(days=14)
    change(order, office, manager, (K.DUE_DATE, {"line": _line(order), "date": new}))
    assert _job(order).due_date == new and _line(order).due_date == new
    assert _job(order, 2).due_date != new


def test_new_revision_holds_a_started_job_and_only_renames_an_unstarted_one(office, manager, lead):
    order = approved_order(office, manager, lines=0, custom=True, quantity=5)
    line = _line(order)
    started = _job(order)
    run_first_operation(started, lead, 0)
    change(order, office, manager, (K.REVISION, {"line": line, "drawing_revision": "C"}))
    started.refresh_from_db()
    assert (started.status, started.hold_reason, started.part_revision) == (J.ON_HOLD, "Revision changed", "C")
    assert Notification.objects.filter(kind="job_on_hold").exists()


def test_revision_of_a_standard_item_picks_the_items_other_revision(order, office, manager):
    line = _line(order)
    rev_b = ItemFactory(part_number=line.item.part_number, revision="B")
    change(order, office, manager, (K.REVISION, {"line": line, "item": rev_b}))
    line.refresh_from_db()
    assert line.item == rev_b
    job = _job(order)
    assert (job.part_revision, job.status) == ("B", J.RELEASED)
    other = ItemFactory()
    request = services.change_request_open(order=order, by=office)
    with pytest.raises(ValidationError, match="Pick another revision"):
        services.change_item_add(change_request=request, kind=K.REVISION, line=line, item=other, reason="x", by=office)


def test_promised_date_and_ship_to_follow_into_draft_shipments(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=4)
    run_job(_job(order), lead, 4)
    draft = shipping_services.shipment_create(order=order, lines={_line(order).pk: 4}, by=clerk)
    dock = services.ship_to_create(customer=order.customer, label="Dock 9", address="9 Harbour Rd")
    promised = order.order_date + datetime.timedelta(days=40)
    request = change(order, office, manager, (K.PROMISED_DATE, {"date": promised}), (K.SHIP_TO, {"ship_to": dock}))
    order.refresh_from_db()
    assert (order.promised_date, order.ship_to) == (promised, dock)
    draft.refresh_from_db()
    assert draft.ship_to == "9 Harbour Rd"
    assert {item.kind: item.summary.split(" \u2192 ")[1] for item in request.items.all()} == {
        K.PROMISED_DATE: promised.isoformat(),
        K.SHIP_TO: "Dock 9",
    }
    assert Notification.objects.filter(kind="order_changed").exists()


# --- cancel and add lines -------------------------------------------------------------------------------


def test_cancelling_a_line_cancels_its_unstarted_job_and_holds_a_started_one(order, office, manager, lead):
    run_first_operation(_job(order, 2), lead, 2)
    add = {"item": _line(order).item, "quantity": 3, "date": _line(order).due_date}
    change(order, office, manager, (K.ADD_LINE, add), (K.CANCEL_LINE, {"line": _line(order, 1)}),
           (K.CANCEL_LINE, {"line": _line(order, 2)}))  # fmt: skip
    assert _line(order, 1).is_cancelled and _line(order, 2).is_cancelled
    assert _job(order, 1).status == J.CANCELLED
    held = _job(order, 2)
    assert (held.status, held.hold_reason) == (J.ON_HOLD, "Line cancelled: manager to decide")
    # The manager decides: the started job can be cancelled now that its line is.
    job_services.job_act(job=held, action="cancel", by=manager, reason="Customer cancelled; scrap the blanks")
    held.refresh_from_db()
    assert held.status == J.CANCELLED


def test_added_line_gets_its_job_through_the_approval_path(order, office, manager, lead):
    item = _line(order).item
    due = _line(order).due_date
    request = change(order, office, manager, (K.ADD_LINE, {"item": item, "quantity": 6, "date": due}))
    new_line = request.items.get().line
    assert (new_line.line_no, new_line.quantity, new_line.unit_price) == (3, 6, item.unit_price)
    job = Job.objects.get(sales_order_line=new_line)
    assert (job.origin, job.number, job.quantity, job.order_revision) == (
        Job.Origin.ORDER,
        f"J-{order.number_digits}-03",
        6,
        1,
    )
    assert job.operations.count() == 3
    assert Notification.objects.filter(kind="new_jobs", recipient=lead, channel="in_app").count() == 1
    changed = Notification.objects.get(kind="jobs_changed", recipient=lead, channel="in_app")
    assert f"{order.number} revision 1" in changed.subject and job.number in changed.body_text


def test_cancelling_the_last_line_or_a_shipped_line_is_refused(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=5)
    request = services.change_request_open(order=order, by=office)
    with pytest.raises(ValidationError, match="last line"):
        services.change_item_add(change_request=request, kind=K.CANCEL_LINE, line=_line(order), reason="x", by=office)
    run_job(_job(order), lead, 5)
    shipment = shipping_services.shipment_create(order=order, lines={_line(order).pk: 2}, by=clerk)
    shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    services.change_item_add(change_request=request, kind=K.ADD_LINE, item=_line(order).item, quantity=1,
                             date=_line(order).due_date, reason="x", by=office)  # fmt: skip
    with pytest.raises(ValidationError, match="2 pieces of line 1 have shipped; lower its quantity to 2"):
        services.change_item_add(change_request=request, kind=K.CANCEL_LINE, line=_line(order), reason="x", by=office)


def test_a_cancelled_line_leaves_draft_shipments_and_the_ready_queue(office, manager, lead, clerk):
    from shipping.selectors import ready_to_ship

    order = approved_order(office, manager, lines=2, quantity=3)
    run_job(_job(order, 1), lead, 3)
    run_job(_job(order, 2), lead, 3)
    draft = shipping_services.shipment_create(
        order=order, lines={_line(order, 1).pk: 3, _line(order, 2).pk: 3}, by=clerk
    )
    assert set(ready_to_ship().filter(order=order).values_list("line_no", flat=True)) == {1, 2}
    # A complete job on a cancelled line stays complete; its pieces no longer ship on this order.
    change(order, office, manager, (K.CANCEL_LINE, {"line": _line(order, 2)}))
    assert list(draft.lines.values_list("order_line__line_no", flat=True)) == [1]
    assert list(ready_to_ship().filter(order=order).values_list("line_no", flat=True)) == [1]
    shipping_services.shipment_transition(shipment=draft, name="ship", by=clerk)
    order.refresh_from_db()
    assert order.status == SO.SHIPPED  # line 1 complete, line 2 cancelled


# --- the request's own lifecycle ------------------------------------------------------------------------


def test_nothing_changes_until_approval_and_a_rejection_changes_nothing(order, office, manager):
    request = change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 20}), approve=False)
    assert _line(order).quantity == 10 and _job(order).quantity == 10
    with pytest.raises(ValidationError, match="reason"):
        services.change_request_reject(change_request=request, by=manager, reason=" ")
    services.change_request_reject(change_request=request, by=manager, reason="Price not agreed")
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.REJECTED
    order.refresh_from_db()
    assert order.revision == 0 and _line(order).quantity == 10
    with pytest.raises(ValidationError, match="rejected; it cannot be approved"):
        services.change_request_approve(change_request=request, by=manager)


def test_drafts_are_edited_and_one_request_is_open_at_a_time(order, office, manager):
    request = services.change_request_open(order=order, by=office)
    assert services.change_request_open(order=order, by=office) == request
    item = services.change_item_add(change_request=request, kind=K.QUANTITY, line=_line(order), quantity=11,
                                    reason="first", by=office)  # fmt: skip
    services.change_item_update(change_item=item, quantity=12, reason="second thoughts", by=office)
    item.refresh_from_db()
    assert (item.quantity, item.reason) == (12, "second thoughts")
    with pytest.raises(ValidationError, match="already has a line quantity change"):
        services.change_item_add(change_request=request, kind=K.QUANTITY, line=_line(order), quantity=13,
                                 reason="x", by=office)  # fmt: skip
    services.change_request_submit(change_request=request, by=office)
    with pytest.raises(ValidationError, match="pending approval; it cannot be edited"):
        services.change_item_update(change_item=item, quantity=14, reason="x", by=office)
    services.change_request_withdraw(change_request=request, by=office)
    second = services.change_request_open(order=order, by=office)
    assert second.number == 2


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_orders_before_approval_cannot_take_change_requests(office, status):
    order = SalesOrderFactory(created_by=office)
    if status == "pending":
        services.sales_order_submit(order=order, by=office)
    with pytest.raises(ValidationError, match="only an approved order"):
        services.change_request_open(order=order, by=office)


def test_a_shipped_order_takes_no_change(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=2)
    run_job(_job(order), lead, 2)
    shipment = shipping_services.shipment_create(order=order, lines={_line(order).pk: 2}, by=clerk)
    shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    with pytest.raises(ValidationError, match="is shipped"):
        services.change_request_open(order=order, by=office)


def test_an_order_shipped_while_pending_refuses_the_approval(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=2)
    run_job(_job(order), lead, 2)
    request = change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 1}), approve=False)
    shipment = shipping_services.shipment_create(order=order, lines={_line(order).pk: 2}, by=clerk)
    shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    with pytest.raises(ValidationError, match="is shipped"):
        services.change_request_approve(change_request=request, by=manager)


def test_roles(order, office, manager, lead, clerk):
    for user in (lead, clerk):
        with pytest.raises(PermissionDenied):
            services.change_request_open(order=order, by=user)
    request = change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 12}), approve=False)
    for user in (office, lead, clerk):
        with pytest.raises(PermissionDenied):
            services.change_request_approve(change_request=request, by=user)
    assert Shipment.objects.count() == 0


def test_more_then_fewer_then_more_pieces_after_completion_numbers_jobs_apart(order, office, manager, lead):
    """An additional job no longer needed is cancelled; the next one takes a fresh number."""
    run_job(_job(order), lead, 10)
    line = _line(order)
    change(order, office, manager, (K.QUANTITY, {"line": line, "quantity": 15}))
    change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 10}))
    change(order, office, manager, (K.QUANTITY, {"line": _line(order), "quantity": 12}))
    jobs = list(Job.objects.filter(sales_order_line=line).order_by("id").values_list("number", "quantity", "status"))
    first = _job(order).number
    assert jobs == [
        (first, 10, J.COMPLETE),
        (f"{first}-2", 5, J.CANCELLED),
        (f"{first}-3", 2, J.RELEASED),
    ]
    order.refresh_from_db()
    assert order.revision == 3
    assert list(order.change_requests.values_list("number", "revision")) == [(1, 1), (2, 2), (3, 3)]


@pytest.fixture
def order_in(office, manager, lead, clerk):
    """make(state): a two-line order (10 pieces each) approved, in production or partially shipped."""

    def make(state):
        order = approved_order(office, manager, lines=2, quantity=10)
        if state in ("in_production", "partially_shipped"):
            run_job(_job(order, 1), lead, 10)
        if state == "partially_shipped":
            shipment = shipping_services.shipment_create(order=order, lines={_line(order, 1).pk: 4}, by=clerk)
            shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
        order.refresh_from_db()
        assert order.status == state
        return order

    return make


@pytest.mark.parametrize("state", ["approved", "in_production", "partially_shipped"])
@pytest.mark.parametrize("kind", [k for k in K.values])
def test_every_kind_of_change_in_every_changeable_state(order_in, office, manager, state, kind):
    order = order_in(state)
    line = _line(order, 2)
    later = line.due_date + datetime.timedelta(days=3)
    fields = {
        K.QUANTITY: {"line": line, "quantity": 13},
        K.DUE_DATE: {"line": line, "date": later},
        K.REVISION: {"line": line, "item": ItemFactory(part_number=line.item.part_number, revision="Z")},
        K.CANCEL_LINE: {"line": line},
        K.ADD_LINE: {"item": line.item, "quantity": 2, "date": later},
        K.PROMISED_DATE: {"date": later},
        K.SHIP_TO: {"ship_to": services.ship_to_create(customer=order.customer, label="Annex", address="1 Annex St")},
    }[kind]
    request = change(order, office, manager, (kind, fields))
    order.refresh_from_db()
    line.refresh_from_db()
    assert (request.status, order.revision, order.status) == (ChangeRequest.Status.APPROVED, 1, state)
    job = _job(order, 2)
    expected = {
        K.QUANTITY: lambda: (line.quantity, job.quantity) == (13, 13),
        K.DUE_DATE: lambda: (line.due_date, job.due_date) == (later, later),
        K.REVISION: lambda: (line.item.revision, job.part_revision) == ("Z", "Z"),
        K.CANCEL_LINE: lambda: line.is_cancelled and job.status == J.CANCELLED,
        K.ADD_LINE: lambda: order.lines.get(line_no=3).jobs.get().quantity == 2,
        K.PROMISED_DATE: lambda: order.promised_date == later,
        K.SHIP_TO: lambda: order.ship_to.label == "Annex",
    }[kind]
    assert expected()
    assert AuditEntry.objects.filter(reason="Customer e-mail").exists()
    assert Notification.objects.filter(kind="order_acknowledgment", subject__contains="revision 1").exists()


def test_a_drawing_attached_through_a_change_request_is_checked_by_content(office, manager):
    """The service itself refuses a file that is not a PDF, PNG or JPEG whatever its name and type say."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = approved_order(office, manager, lines=0, custom=True, quantity=3)
    line = order.lines.get()
    request = services.change_request_open(order=order, by=office)
    fake = SimpleUploadedFile("rev-c.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="is not a PDF, PNG or JPEG file"):
        services.change_item_add(
            change_request=request, kind="revision", line=line, drawing_revision="C", drawing=fake,
            reason="New drawing", by=office,
        )  # fmt: skip
    assert not request.items.exists()
    pdf = SimpleUploadedFile("rev-c.pdf", b"%PDF-1.4 revision C", content_type="application/pdf")
    item = services.change_item_add(
        change_request=request, kind="revision", line=line, drawing_revision="C", drawing=pdf,
        reason="New drawing", by=office,
    )  # fmt: skip
    assert item.drawing_type == "application/pdf" and item.drawing.read() == b"%PDF-1.4 revision C"
