"""The change-request pages: office drafts and submits, a manager approves, the order and jobs show it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import Job
from sales import services
from sales.models import ChangeItem, ChangeRequest
from tests.jobs.conftest import approved_order


@pytest.fixture
def order(office, manager):
    return approved_order(office, manager, lines=2, quantity=10)


def _open(client, office, order) -> ChangeRequest:
    client.force_login(office)
    response = client.post(reverse("sales:change-create", args=[order.pk]))
    change = ChangeRequest.objects.get(order=order)
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    return change


def test_office_drafts_and_submits_a_manager_approves(client, order, office, manager):
    line = order.lines.get(line_no=1)
    change = _open(client, office, order)
    page = client.get(change.get_absolute_url())
    assert b"Nothing on the order changes until a manager approves" in page.content
    add = reverse("sales:change-item-create", args=[change.pk, "quantity"]) + f"?line={line.pk}"
    form = client.get(add)
    assert form.status_code == 200 and b"New quantity" in form.content
    response = client.post(add, {"quantity": "15", "reason": "PO amendment 2"})
    assert response.status_code == 302
    new_due = line.due_date + datetime.timedelta(days=7)
    due_url = reverse("sales:change-item-create", args=[change.pk, "due_date"]) + f"?line={line.pk}"
    client.post(due_url, {"date": new_due.isoformat(), "reason": "Later is fine"})
    assert change.items.count() == 2
    client.post(reverse("sales:change-action", args=[change.pk, "submit"]))
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING
    # The office cannot approve; the manager can.
    assert client.post(reverse("sales:change-action", args=[change.pk, "approve"])).status_code == 403
    client.force_login(manager)
    page = client.get(change.get_absolute_url())
    assert b"Approve change" in page.content and b"Line 1: quantity 10 \xe2\x86\x92 15" in page.content
    response = client.post(reverse("sales:change-action", args=[change.pk, "approve"]), {"reason": "OK by phone"})
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "Revision 1" in detail and "Changes after approval" in detail and "Line 1: quantity 10 → 15" in detail
    job = Job.objects.get(sales_order_line=line)
    assert (job.quantity, job.due_date, job.order_revision) == (15, new_due, 1)
    traveler = client.get(reverse("jobs:job-traveler", args=[job.pk])).content.decode()
    assert f"Order {order.number} rev 1 line 1" in traveler
    job_page = client.get(job.get_absolute_url()).content.decode()
    assert "Changes from the order" in job_page and "PO amendment 2" in job_page


def test_bad_input_shows_field_errors_and_saves_nothing(client, order, office):
    line = order.lines.get(line_no=1)
    change = _open(client, office, order)
    url = reverse("sales:change-item-create", args=[change.pk, "quantity"]) + f"?line={line.pk}"
    for data, message in [
        ({"quantity": "10", "reason": "x"}, "Line 1 is for 10 already."),
        ({"quantity": "0", "reason": "x"}, "Ensure this value is greater than or equal to 1."),
        ({"quantity": "abc", "reason": "x"}, "Enter a whole number."),
        ({"quantity": "12", "reason": ""}, "This field is required."),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200, data  # the form again, with the error
        assert message in response.content.decode()
    assert not ChangeItem.objects.exists()
    # A line that is not the order's is not found, nor is an unknown kind of change.
    bad = reverse("sales:change-item-create", args=[change.pk, "quantity"]) + "?line=999999"
    assert client.get(bad).status_code == 404
    assert client.get(reverse("sales:change-item-create", args=[change.pk, "colour"])).status_code == 404


def test_reprint_of_the_acknowledgment_for_each_revision(client, order, office, manager):
    from sales import services

    line = order.lines.get(line_no=2)
    change = services.change_request_open(order=order, by=office)
    services.change_item_add(change_request=change, kind="quantity", line=line, quantity=4, reason="x", by=office)
    services.change_item_add(change_request=change, kind="add_line", item=line.item, quantity=2,
                             date=line.due_date, reason="y", by=office)  # fmt: skip
    services.change_request_submit(change_request=change, by=office)
    services.change_request_approve(change_request=change, by=manager)
    client.force_login(office)
    url = reverse("sales:order-acknowledgment", args=[order.pk])
    now = client.get(url).content.decode()
    before = client.get(url + "?revision=0").content.decode()
    assert f"{order.number} rev 1" in now and "Changed in revision 1" in now
    assert f"{order.number} rev" not in before and "As approved" in before
    # Revision 1 has three lines and 4 pieces on line 2; as approved, two lines and 10 pieces.
    assert now.count("<tr><td>") == 3 and before.count("<tr><td>") == 2
    assert '<td class="text-end">4</td>' in now and '<td class="text-end">4</td>' not in before
    assert '<td class="text-end">10</td>' in before


def test_the_change_page_makes_a_fixed_number_of_queries(client, order, office):
    from sales import services

    change = services.change_request_open(order=order, by=office)
    client.force_login(office)
    url = change.get_absolute_url()

    def count():
        client.get(url)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    first = count()
    for line in order.lines.all():
        services.change_item_add(change_request=change, kind="due_date", line=line,
                                 date=line.due_date + datetime.timedelta(days=1), reason="x", by=office)  # fmt: skip
    services.change_item_add(change_request=change, kind="promised_date", date=order.order_date, reason="x", by=office)
    assert count() == first


@pytest.mark.parametrize("role", ["lead", "clerk"])
def test_roles_without_edit_orders_see_no_change_button(client, order, role, request):
    client.force_login(request.getfixturevalue(role))
    if role == "clerk":
        assert b"Change order" not in client.get(order.get_absolute_url()).content
    assert client.post(reverse("sales:change-create", args=[order.pk])).status_code == 403
    assert not ChangeRequest.objects.exists()


def test_admin_shows_change_requests_read_only(client, order, office, superuser):
    from sales import services

    change = services.change_request_open(order=order, by=office)
    services.change_item_add(change_request=change, kind="promised_date", date=order.order_date, reason="x", by=office)
    client.force_login(superuser)
    assert client.get(reverse("admin:sales_changerequest_changelist")).status_code == 200
    page = client.get(reverse("admin:sales_changerequest_change", args=[change.pk]))
    assert page.status_code == 200 and b"Promised date" in page.content
    assert client.get(reverse("admin:sales_salesorder_change", args=[order.pk])).status_code == 200
    assert (
        client.post(reverse("admin:sales_changerequest_delete", args=[change.pk]), {"post": "yes"}).status_code == 403
    )
    assert ChangeRequest.objects.filter(pk=change.pk).exists()


def test_a_new_revision_brings_its_drawing_to_the_line_on_approval(client, office, manager, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sales import services

    order = approved_order(office, manager, lines=0, custom=True, quantity=3)
    line = order.lines.get()
    change = _open(client, office, order)
    url = reverse("sales:change-item-create", args=[change.pk, "revision"]) + f"?line={line.pk}"
    page = client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    fake = SimpleUploadedFile("rev-c.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    refused = client.post(url, {"drawing_revision": "C", "reason": "New drawing", "drawing": fake})
    assert "is not a PDF, PNG or JPEG file" in refused.content.decode() and not change.items.exists()
    pdf = SimpleUploadedFile("rev-c.pdf", b"%PDF-1.4 revision C", content_type="application/pdf")
    assert client.post(url, {"drawing_revision": "C", "reason": "New drawing", "drawing": pdf}).status_code == 302
    assert not line.drawings.exists()  # nothing reaches the line before approval
    services.change_request_submit(change_request=change, by=office)
    services.change_request_approve(change_request=change, by=manager)
    drawing = line.drawings.get()
    assert (drawing.original_name, drawing.content_type, drawing.uploaded_by) == (
        "rev-c.pdf",
        "application/pdf",
        manager,
    )
    client.force_login(lead)
    job = Job.objects.get(sales_order_line=line)
    assert "rev-c.pdf" in client.get(job.get_floor_url()).content.decode()
    assert client.get(drawing.get_absolute_url()).getvalue() == b"%PDF-1.4 revision C"


def test_lines_are_offered_only_the_changes_they_can_still_take(client, order, office):
    from tests.factories import ItemFactory

    change = _open(client, office, order)
    page = client.get(change.get_absolute_url()).content.decode()
    assert 'Quantity<span class="visually-hidden"> of line 1' in page
    assert 'Drawing revision<span class="visually-hidden"> of line 1' not in page  # no other revision to pick
    line = order.lines.get(line_no=1)
    ItemFactory(part_number=line.item.part_number, revision="Q")
    client.post(reverse("sales:change-item-create", args=[change.pk, "cancel_line"]) + f"?line={line.pk}",
                {"reason": "Not needed"})  # fmt: skip
    page = client.get(change.get_absolute_url()).content.decode()
    assert "Cancelled by this request" in page and "of line 1<" not in page
    assert 'Drawing revision<span class="visually-hidden"> of line 2' in page


def _change_buttons(client, user, change) -> list[tuple[str, str, str, str]]:
    """(action, label, button style, reason field) of each action on the change page: "required", "optional" or ""."""
    client.force_login(user)
    page = client.get(change.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    if 'aria-label="Actions"' not in html:
        return []
    section = html.split('aria-label="Actions"', 1)[1].split("</section>", 1)[0]
    found = []
    for form in section.split("<form")[1:]:
        style, label = re.search(r'class="btn btn-(\S+) text-nowrap">([^<]+)</button>', form).groups()
        field = re.search(r"<input class=\"form-control\"[^>]*>", form)
        reason = "" if not field else ("required" if " required " in field.group(0) else "optional")
        action = re.search(r'action="[^"]*/(\w+)/"', form).group(1)
        found.append((action, label, style, reason))
    return found


def test_the_change_page_offers_each_role_the_declared_moves(client, order, office, manager, lead, clerk):
    change = _open(client, office, order)
    # An empty draft cannot be submitted, only withdrawn.
    assert _change_buttons(client, office, change) == [("withdraw", "Withdraw request", "outline-danger", "")]
    line = order.lines.get(line_no=1)
    services.change_item_add(change_request=change, kind="quantity", line=line, quantity=12, reason="PO 2", by=office)
    draft = {
        office: [
            ("submit", "Submit for approval", "primary", ""),
            ("withdraw", "Withdraw request", "outline-danger", ""),
        ],
        manager: [
            ("submit", "Submit for approval", "primary", ""),
            ("withdraw", "Withdraw request", "outline-danger", ""),
        ],
        lead: [],
        clerk: [],
    }
    for user, expected in draft.items():
        assert _change_buttons(client, user, change) == expected, user.username
    services.change_request_submit(change_request=change, by=office)
    pending = {
        office: [("withdraw", "Withdraw request", "outline-danger", "")],
        manager: [
            ("approve", "Approve change", "success", "optional"),
            ("reject", "Reject change", "warning", "required"),
            ("withdraw", "Withdraw request", "outline-danger", ""),
        ],
        lead: [],
        clerk: [],
    }
    for user, expected in pending.items():
        assert _change_buttons(client, user, change) == expected, user.username
    services.change_request_reject(change_request=change, by=manager, reason="Not agreed")
    for user in (office, manager, lead, clerk):
        assert _change_buttons(client, user, change) == [], user.username
