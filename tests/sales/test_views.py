import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import Customer, LineDrawing, SalesOrder
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory

PDF = b"%PDF-1.7\n%%EOF\n"
DUE = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()


def order_post(customer, lines, **header):
    data = {
        "customer": customer.pk,
        "ship_to": customer.ship_tos.first().pk,
        "customer_po": "PO-9",
        "order_date": "",
        "requested_date": "",
        "promised_date": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    data.update(header)
    return data


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def item(db):
    return ItemFactory()


def test_office_enters_an_order_with_a_standard_and_a_custom_line(client, office, customer, item):
    client.force_login(office)
    lines = [
        {"item": item.pk, "quantity": "3", "unit_price": "", "due_date": DUE},
        {
            "item": "",
            "description": "Adapter plate",
            "drawing_number": "AP-7",
            "drawing_revision": "B",
            "quantity": "2",
            "unit_price": "80.00",
            "due_date": DUE,
            "drawing": SimpleUploadedFile("ap-7.pdf", PDF, content_type="application/pdf"),
        },
    ]
    response = client.post(reverse("sales:order-create"), order_post(customer, lines))
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    standard, custom = order.lines.order_by("line_no")
    assert standard.unit_price == item.unit_price and custom.drawings.get().original_name == "ap-7.pdf"
    page = client.get(order.get_absolute_url())
    assert b"AP-7 rev B (custom)" in page.content and b"Submit for approval" in page.content
    submitted = client.post(reverse("sales:order-transition", args=[order.pk, "submit"]), follow=True)
    assert b"Pending approval" in submitted.content


@pytest.mark.parametrize(
    "line, message",
    [
        ({"quantity": "0"}, "greater than or equal to 1"),
        ({"quantity": "-4"}, "greater than or equal to 1"),
        ({"quantity": "ten"}, "Enter a whole number"),
        ({"item": "", "description": "Plate", "drawing_number": "", "unit_price": "5"}, "Required for a custom part"),
    ],
)
def test_bad_lines_show_field_errors_and_save_nothing(client, office, customer, item, line, message):
    client.force_login(office)
    data = {"item": item.pk, "quantity": "3", "unit_price": "", "due_date": DUE, **line}
    response = client.post(reverse("sales:order-create"), order_post(customer, [data]))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SalesOrder.objects.exists()


def test_unknown_customer_is_a_field_error(client, office, customer, item):
    client.force_login(office)
    data = {**order_post(customer, [{"item": item.pk, "quantity": "1", "due_date": DUE}]), "customer": "999999"}
    data["ship_to"] = ""
    response = client.post(reverse("sales:order-create"), data)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"), "not a PDF, PNG or JPEG"),
        (SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024)), "at most 10 MB"),
    ],
)
def test_bad_drawings_are_refused(client, office, customer, upload, message):
    client.force_login(office)
    line = {"item": "", "description": "P", "drawing_number": "D", "quantity": "1", "unit_price": "1", "due_date": DUE}
    response = client.post(reverse("sales:order-create"), order_post(customer, [{**line, "drawing": upload}]))
    assert response.status_code == 400 and message in response.content.decode()
    assert not LineDrawing.objects.exists() and not SalesOrder.objects.exists()


def test_approved_order_cannot_be_edited(client, office, manager):
    order = SalesOrderFactory(created_by=office)
    services.sales_order_submit(order=order, by=office)
    services.sales_order_approve(order=order, by=manager)
    client.force_login(office)
    response = client.get(reverse("sales:order-edit", args=[order.pk]), follow=True)
    assert "not a draft any more" in response.content.decode()
    line = order.lines.get()
    data = order_post(order.customer, [{"id": line.pk, "item": line.item_id, "quantity": "99", "due_date": DUE}])
    client.post(reverse("sales:order-edit", args=[order.pk]), data)
    line.refresh_from_db()
    assert line.quantity == 10


def test_edit_a_draft_and_remove_a_line(client, office, customer):
    order = SalesOrderFactory(lines=2, customer=customer, created_by=office)
    first, second = order.lines.order_by("line_no")
    client.force_login(office)
    data = order_post(
        customer,
        [
            {"id": first.pk, "item": first.item_id, "quantity": "7", "unit_price": "1.00", "due_date": DUE},
            {"id": second.pk, "item": second.item_id, "quantity": "1", "due_date": DUE, "DELETE": "on"},
        ],
        **{"lines-INITIAL_FORMS": "2"},
    )
    response = client.post(reverse("sales:order-edit", args=[order.pk]), data)
    assert response.status_code == 302
    assert list(order.lines.values_list("pk", "quantity")) == [(first.pk, 7)]


def test_approving_twice_shows_a_message_not_an_error(client, office, manager):
    order = services.sales_order_submit(order=SalesOrderFactory(created_by=office), by=office)
    client.force_login(manager)
    url = reverse("sales:order-transition", args=[order.pk, "approve"])
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200 and "already approved" in again.content.decode()


def test_reject_needs_a_reason(client, office, manager):
    order = services.sales_order_submit(order=SalesOrderFactory(created_by=office), by=office)
    client.force_login(manager)
    response = client.post(reverse("sales:order-transition", args=[order.pk, "reject"]), {"reason": ""}, follow=True)
    assert "Please give a reason" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_approval"


def test_list_search_filter_and_csv(client, office):
    acme = CustomerFactory(code="ACME", name="Acme Works")
    mine = SalesOrderFactory(customer=acme, customer_po="PO-ACME-1")
    other = SalesOrderFactory()
    client.force_login(office)
    found = client.get(reverse("sales:order-list"), {"q": "acme"}).context["orders"]
    assert list(found) == [mine]
    assert list(client.get(reverse("sales:order-list"), {"q": "PO-ACME"}).context["orders"]) == [mine]
    assert list(client.get(reverse("sales:order-list"), {"q": other.number}).context["orders"]) == [other]
    assert list(client.get(reverse("sales:order-list"), {"status": "approved"}).context["orders"]) == []
    csv = client.get(reverse("sales:order-list"), {"q": "acme", "format": "csv"})
    body = b"".join(csv.streaming_content).decode()
    assert csv["Content-Type"].startswith("text/csv")
    rows = body.strip().splitlines()
    assert rows[0].startswith("number,status") and len(rows) == 2 and mine.number in rows[1]


def test_drawing_download_is_private_and_safe(client, office, lead):
    order = SalesOrderFactory(created_by=office)
    drawing = services.sales_order_attach_drawing(
        line=order.lines.get(), upload=SimpleUploadedFile("a.pdf", PDF), by=office
    )
    url = reverse("sales:drawing-download", args=[drawing.pk])
    assert client.get(url).status_code == 302
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="a.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_customer_created_with_first_ship_to(client, office):
    client.force_login(office)
    response = client.post(
        reverse("sales:customer-create"),
        {"code": "NEW", "name": "New Co", "email": "a@new.example.com", "is_active": "on",
         "ship_to-label": "Dock", "ship_to-address": "1 Road"},
    )  # fmt: skip
    customer = Customer.objects.get(code="NEW")
    assert response.status_code == 302
    assert customer.ship_tos.get().is_default


def test_customer_name_is_escaped(client, office):
    CustomerFactory(name="<script>alert(1)</script>")
    client.force_login(office)
    html = client.get(reverse("sales:customer-list")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["sales:order-list", "sales:customer-list", "sales:item-list"])
def test_list_query_count_does_not_grow_with_rows(client, office, url_name):
    client.force_login(office)
    customer = CustomerFactory()

    def grow_to(n):
        while SalesOrder.objects.count() < n:
            SalesOrderFactory(customer=customer if SalesOrder.objects.count() % 2 else CustomerFactory(), lines=2)

    grow_to(5)
    small = _count_queries(client, reverse(url_name) + "?page=1")
    grow_to(50)
    large = _count_queries(client, reverse(url_name) + "?page=1")
    assert small == large, f"{url_name}: {small} queries for 5 rows, {large} for 50"


def test_order_detail_query_count_does_not_grow_with_lines(client, office):
    client.force_login(office)
    few = SalesOrderFactory(lines=2)
    many = SalesOrderFactory(lines=40)
    assert _count_queries(client, few.get_absolute_url()) == _count_queries(client, many.get_absolute_url())


def test_a_double_submitted_order_form_creates_one_order(client, office, customer, item):
    client.force_login(office)
    form = client.get(reverse("sales:order-create"))
    token = form.context["submit_token"]
    data = order_post(customer, [{"item": item.pk, "quantity": "3", "due_date": DUE}], submit_token=token)
    first = client.post(reverse("sales:order-create"), data)
    second = client.post(reverse("sales:order-create"), data, follow=True)
    order = SalesOrder.objects.get()
    assert first["Location"] == order.get_absolute_url()
    assert second.redirect_chain[-1][0] == order.get_absolute_url()
    assert "already sent" in second.content.decode()
    client.post(reverse("sales:order-create"), {**data, "submit_token": "another-form"})
    assert SalesOrder.objects.count() == 2


def test_a_refused_submission_does_not_burn_its_token(client, office, customer, item):
    client.force_login(office)
    bad = order_post(customer, [{"item": item.pk, "quantity": "0", "due_date": DUE}], submit_token="t1")
    assert client.post(reverse("sales:order-create"), bad).status_code == 400
    good = order_post(customer, [{"item": item.pk, "quantity": "2", "due_date": DUE}], submit_token="t1")
    assert client.post(reverse("sales:order-create"), good).status_code == 302
    assert SalesOrder.objects.count() == 1


def test_order_edit_page_query_count_does_not_grow_with_lines(client, office):
    client.force_login(office)
    few = SalesOrderFactory(lines=2, created_by=office)
    many = SalesOrderFactory(lines=20, created_by=office)
    assert _count_queries(client, reverse("sales:order-edit", args=[few.pk])) == _count_queries(
        client, reverse("sales:order-edit", args=[many.pk])
    )


def test_csv_cells_cannot_start_a_spreadsheet_formula(client, office):
    SalesOrderFactory(customer=CustomerFactory(name="=HYPERLINK(1)"), customer_po="+cmd")
    client.force_login(office)
    body = b"".join(client.get(reverse("sales:order-list"), {"format": "csv"}).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body and "'+cmd" in body
