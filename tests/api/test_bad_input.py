"""Issue 15: bad input under /api/ gets a 4xx with a reason in JSON, never a 500 and never a silent change."""

import pytest
from django.test import Client

from sales.models import Customer
from shipping.models import Shipment
from tests.api.test_sales_api import client_for
from tests.factories import CustomerFactory
from tests.jobs.conftest import approved_order
from tests.shipping.test_shipping import produce


@pytest.fixture
def office_api(office):
    api = client_for(office)
    api.raise_request_exception = False
    return api


def test_json_nested_5000_levels_is_a_400(office_api):
    body = '{"customer": ' + "[" * 5000 + "]" * 5000 + "}"
    response = office_api.post("/api/v1/sales-orders/", body, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_a_number_too_large_for_a_float_is_a_400_with_a_reason(office_api):
    response = office_api.post("/api/v1/sales-orders/", '{"customer": 1e999999}', content_type="application/json")
    assert response.status_code == 400 and "too large" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/?code=%00",
        "/api/v1/items/?part_number=a%00",
        "/api/v1/sales-orders/?number=%00",
        "/api/v1/jobs/?sales_order__number=%00",
        "/api/v1/customers/?cursor=%00",
        "/api/v1/customers/?%00=1",
    ],
)
def test_nul_in_a_query_parameter_is_a_400(office_api, url):
    response = office_api.get(url)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


def test_nul_in_body_text_or_idempotency_key_is_a_400_and_nothing_is_stored(office_api):
    assert office_api.post("/api/v1/customers/", {"code": "A", "name": "x\x00"}, format="json").status_code == 400
    keyed = office_api.post(
        "/api/v1/customers/", {"code": "A", "name": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k\x00"
    )
    assert keyed.status_code == 400
    assert not Customer.objects.exists()


def test_strings_are_strings(office_api):
    response = office_api.post("/api/v1/customers/", {"code": 0, "name": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == ["Must be a string."]
    assert not Customer.objects.exists()


def test_an_unknown_id_in_a_filter_matches_nothing(office_api):
    response = office_api.get("/api/v1/change-requests/?order=0")
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_boolean_filter_refuses_what_is_not_a_boolean(office_api):
    CustomerFactory(is_active=False)
    assert len(office_api.get("/api/v1/customers/?is_active=false").json()["results"]) == 1
    assert office_api.get("/api/v1/customers/?is_active=maybe").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/jobs/?due_date__lte=",
        "/api/v1/sales-orders/?order_date_to=",
        "/api/v1/sales-orders/?customer=",
        "/api/v1/customers/?is_active=",
    ],
)
def test_an_empty_value_for_a_typed_filter_is_a_400_naming_it(office_api, url):
    """Not silently "no filter": the schema declares a date, an id, a choice or a boolean there."""
    name = url.rsplit("?", 1)[1].rstrip("=")
    response = office_api.get(url)
    assert response.status_code == 400 and response.json()[name] == ["Give a value or leave the parameter out."]


def test_an_empty_text_filter_is_no_filter(office_api):
    assert office_api.get("/api/v1/sales-orders/?customer_po=").status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_paths_answer_json_even_under_debug(office_api, settings, debug):
    settings.DEBUG = debug
    for response in (office_api.get("/api/v1/nope/"), office_api.get("/api/nope")):
        assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_method_the_url_does_not_have_is_a_json_405_with_allow(office_api):
    response = office_api.delete("/api/v1/customers/")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"]


def test_schema_needs_a_login(office):
    anonymous = Client().get("/api/v1/schema/")
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"
    assert client_for(office).get("/api/v1/schema/").status_code == 200


def test_docs_page_redirects_anonymous_visitors_to_the_login(office):
    anonymous = Client().get("/api/v1/docs/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    browser = Client()
    browser.force_login(office)
    assert browser.get("/api/v1/docs/").status_code == 200


def test_a_shipment_naming_the_same_line_twice_is_refused(office, manager, lead, clerk):
    order = approved_order(office, manager, lines=1, quantity=10)
    produce(order, lead, 10)
    line = order.lines.first()
    api = client_for(clerk)
    body = {
        "order": order.pk,
        "lines": [{"order_line": line.pk, "quantity": 1}, {"order_line": line.pk, "quantity": 2}],
    }
    response = api.post("/api/v1/shipments/", body, format="json")
    assert response.status_code == 400 and "twice" in str(response.json()["lines"])
    assert not Shipment.objects.exists()


def test_piece_reports_take_every_quantity_the_service_takes_up_to_max_pieces(office, manager, lead):
    """The API's piece limit is the model's MAX_PIECES, the same as the order line it comes from: a job of two
    million pieces can report them (the old 1,000,000 limit refused that), and one above MAX_PIECES is a 400
    naming the field, with nothing stored."""
    from jobs.models import Job
    from jobs.services import operation_act
    from sales.models import MAX_PIECES

    order = approved_order(office, manager, lines=1, quantity=MAX_PIECES)
    op = Job.objects.get(sales_order=order).operations.order_by("sequence").first()
    operation_act(operation=op, action="start", by=lead)
    api = client_for(lead)
    url = f"/api/v1/operations/{op.pk}/report/"

    above = api.post(url, {"good": MAX_PIECES + 1}, format="json")
    assert above.status_code == 400 and "good" in above.json()
    scrap_above = api.post(url, {"good": 0, "scrap": MAX_PIECES + 1, "scrap_reason": "Wrong material"}, format="json")
    assert scrap_above.status_code == 400 and "scrap" in scrap_above.json()
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty) == (0, 0)

    reported = api.post(url, {"good": 2_000_000}, format="json")
    assert reported.status_code == 200, reported.json()
    assert reported.json()["good_qty"] == 2_000_000
