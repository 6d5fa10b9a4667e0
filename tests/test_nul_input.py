"""A NUL in any search, filter or form field gets a 400 with the reason, never a 500 (issue 15).

PostgreSQL refuses NUL in text, so these tests mean most there (DATABASE_URL set); on SQLite they still
check that nothing is saved and the answer is a 400.
"""

import pytest
from django.urls import reverse

from jobs.models import Job, Operation, WorkCenter
from mto.middleware import NUL_MESSAGE
from sales import services as sales_services
from sales.models import ChangeRequest, Customer, Item, SalesOrder, ShipToAddress
from shipping.models import Shipment
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory
from tests.jobs.conftest import approved_order
from tests.jobs.factories import WorkCenterFactory
from tests.shipping.test_shipping import produce

NUL = "bad\x00value"


@pytest.fixture
def world(office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=4)
    produce(order, lead, 4)
    job = Job.objects.filter(sales_order=order).first()
    draft = SalesOrderFactory(created_by=office)
    change = sales_services.change_request_open(order=order, by=office)
    return {
        "order": order,
        "draft": draft,
        "job": job,
        "operation": job.operations.order_by("sequence").first(),
        "customer": CustomerFactory(),
        "item": ItemFactory(),
        "center": WorkCenterFactory(code="NULWC"),
        "change": change,
        "line": order.lines.first(),
    }


# (who, url name, args from the world, query parameters the page reads)
LISTS = [
    ("office", "sales:customer-list", [], ["q", "page"]),
    ("office", "sales:item-list", [], ["q", "page"]),
    ("office", "sales:order-list", [], ["q", "status", "date_from", "date_to", "sort", "page", "format"]),
    ("office", "sales:customer-ship-tos", [], ["customer"]),
    ("office", "sales:order-acknowledgment", ["order"], ["revision"]),
    ("office", "sales:order-create", [], ["customer"]),
    ("office", "sales:change-item-create", ["change", "=quantity"], ["line"]),
    ("office", "jobs:job-list", [], ["q", "status", "work_center", "due_before", "late", "sort", "page", "format"]),
    ("lead", "jobs:floor-board", [], ["wc", "partial"]),
    ("lead", "jobs:floor-job", ["job"], ["probe"]),
    ("clerk", "shipping:shipment-list", [], ["q", "status", "shipped_from", "shipped_to", "page", "format"]),
    ("clerk", "shipping:ready-to-ship", [], ["page"]),
    ("manager", "jobs:report-job-cost", [], ["from", "to", "group", "format"]),
    ("manager", "sales:report-order-book", [], ["from", "to", "group", "format"]),
    ("manager", "shipping:report-on-time", [], ["from", "to", "group", "format"]),
    ("manager", "notification-list", [], ["page"]),
    ("manager", "home", [], ["q"]),
]


def _args(world, names):
    return [name[1:] if name.startswith("=") else world[name].pk for name in names]


@pytest.mark.parametrize(("who", "name", "args", "params"), LISTS, ids=[row[1] for row in LISTS])
def test_every_search_and_filter_refuses_nul(who, name, args, params, world, client, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=_args(world, args))
    for param in params:
        response = client.get(url, {param: NUL})
        assert response.status_code == 400, (url, param, response.status_code)
        assert NUL_MESSAGE in response.content.decode()
    assert client.get(url, {"q\x00": "x"}).status_code == 400


# (who, url name, args, the model whose rows must not change, the POST's field names)
FORMS = [
    ("office", "sales:customer-create", [], Customer, None),
    ("office", "sales:customer-edit", ["customer"], Customer, None),
    ("office", "sales:shipto-create", ["customer"], ShipToAddress, None),
    ("office", "sales:item-create", [], Item, None),
    ("office", "sales:item-edit", ["item"], Item, None),
    ("office", "sales:order-create", [], SalesOrder, None),
    ("office", "sales:order-edit", ["draft"], SalesOrder, None),
    ("office", "sales:change-item-create", ["change", "=quantity"], ChangeRequest, None),
    ("manager", "jobs:job-create", [], Job, None),
    ("manager", "jobs:operation-add", ["job"], Operation, ["sequence", "work_center", "description"]),
    ("manager", "jobs:operation-edit", ["operation"], Operation, None),
    ("manager", "jobs:work-center-create", [], WorkCenter, None),
    ("manager", "jobs:work-center-edit", ["center"], WorkCenter, None),
    ("lead", "jobs:floor-note", ["job"], Job, ["text"]),
    ("clerk", "shipping:shipment-create", ["order"], Shipment, None),
    ("manager", "notification-preferences", [], Customer, None),
    ("manager", "profile", [], Customer, None),
]


def _field_names(response) -> list[str]:
    names = ["submit_token", "csrfmiddlewaretoken"]
    for key in ("form", "extra_form", "formset"):
        form = (response.context or {}).get(key)
        if form is None:
            continue
        for sub in getattr(form, "forms", [form]):
            names += [sub.add_prefix(field) for field in sub.fields]
        if hasattr(form, "management_form"):
            names += [form.management_form.add_prefix(field) for field in form.management_form.fields]
    return names


@pytest.mark.parametrize(("who", "name", "args", "model", "fields"), FORMS, ids=[row[1] for row in FORMS])
def test_every_form_field_refuses_nul(who, name, args, model, fields, world, client, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=_args(world, args))
    if name == "sales:change-item-create":
        url += f"?line={world['line'].pk}"
    if fields is None:
        page = client.get(url)
        assert page.status_code == 200, url
        fields = _field_names(page)
    before = sorted(model.objects.values_list("pk", flat=True))
    snapshot = list(model.objects.order_by("pk").values())
    for field in fields:
        response = client.post(url, {field: NUL})
        assert response.status_code == 400, (url, field, response.status_code)
        assert NUL_MESSAGE in response.content.decode()
    assert sorted(model.objects.values_list("pk", flat=True)) == before
    assert list(model.objects.order_by("pk").values()) == snapshot


def test_a_file_name_with_nul_is_refused(world, client, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office)
    upload = SimpleUploadedFile("draw\x00ing.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = client.post(reverse("sales:order-create"), {"lines-0-drawing": upload})
    assert response.status_code == 400


def test_anonymous_nul_still_goes_to_the_login_page(client, db):
    response = client.get(reverse("sales:customer-list"), {"q": NUL})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_login_form_refuses_nul(client, db):
    response = client.post(reverse("login"), {"username": NUL, "password": "x"})
    assert response.status_code == 400


def test_api_query_with_nul_is_a_json_400(client, office):
    client.force_login(office)
    response = client.get("/api/v1/sales-orders/", {"search": NUL})
    assert response.status_code == 400
    assert response.json()["detail"] == NUL_MESSAGE
