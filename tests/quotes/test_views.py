"""Quote pages: the pricing table per break, buttons by role, the actions posting to the services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quotes import services
from quotes.models import Quote
from sales.models import SalesOrder
from tests.role_table import ROLE_NAMES, may

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r for r in ROLE_NAMES if may(r, "view_orders")])
def test_everyone_who_sees_orders_sees_quotes(request, client, make_quote, role):
    quote = make_quote()
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("quotes:quote-list")).status_code == 200
    page = client.get(quote.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "89.32" in html and "893.20" in html and "23.1%" in html
    assert ("Send quote" in html) == (role in ("office", "manager"))


def test_office_sends_from_the_page(client, make_quote, office):
    quote = make_quote()
    client.force_login(office)
    response = client.post(reverse("quotes:quote-action", args=[quote.pk, "send"]))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "sent"


def test_low_margin_shows_the_approve_button_to_a_manager_only(client, make_quote, office, manager, settings):
    settings.QUOTE_MIN_MARGIN_PERCENT = Decimal("25")
    quote = make_quote()
    client.force_login(office)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "a Manager must approve it" in html and "Approve margin" not in html
    assert client.post(reverse("quotes:quote-approve-margin", args=[quote.pk])).status_code == 403
    client.post(reverse("quotes:quote-action", args=[quote.pk, "send"]))
    assert Quote.objects.get(pk=quote.pk).status == "draft"
    client.force_login(manager)
    assert "Approve margin of 23.1%" in client.get(quote.get_absolute_url()).content.decode()
    client.post(reverse("quotes:quote-approve-margin", args=[quote.pk]))
    client.post(reverse("quotes:quote-action", args=[quote.pk, "send"]))
    assert Quote.objects.get(pk=quote.pk).status == "sent"


def test_accept_from_the_page_makes_the_order(client, make_quote, office):
    quote = services.quote_send(quote=make_quote(), by=office)
    line = quote.lines.get()
    client.force_login(office)
    assert f'name="break-{line.pk}"' in client.get(quote.get_absolute_url()).content.decode()
    response = client.post(reverse("quotes:quote-action", args=[quote.pk, "accept"]), {f"break-{line.pk}": "100"})
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.lines.get().quantity == 100


def test_decline_from_the_page_needs_a_reason(client, make_quote, office):
    quote = services.quote_send(quote=make_quote(), by=office)
    client.force_login(office)
    client.post(reverse("quotes:quote-action", args=[quote.pk, "decline"]), {"reason": ""})
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    client.post(reverse("quotes:quote-action", args=[quote.pk, "decline"]), {"reason": "lead_time"})
    assert Quote.objects.get(pk=quote.pk).decline_reason == "lead_time"


def test_unknown_action_is_a_404(client, make_quote, office):
    client.force_login(office)
    assert client.post(reverse("quotes:quote-action", args=[make_quote().pk, "fly"])).status_code == 404


def test_the_order_page_links_back_to_its_quote(client, make_quote, office):
    quote = services.quote_send(quote=make_quote(rfq_reference="RFQ-5"), by=office)
    order = services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10})
    client.force_login(office)
    html = client.get(order.get_absolute_url()).content.decode()
    assert f'href="{quote.get_absolute_url()}"' in html and "line 1 at the 10-piece break" in html


def test_accuracy_shows_beside_each_operation_and_applies_to_the_line(client, make_quote, office, lead, centers):
    from tests.scenarios import completed_job

    completed_job(by=lead, center=centers["CNC"], setup_est=Decimal("2"), run_est=Decimal("0.1"),
                  setup_actual=Decimal("2.5"), run_actual=Decimal("1"), pieces=10)  # fmt: skip
    quote = make_quote()
    client.force_login(office)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "CNC setups ran +25% over 1 operations" in html and "SAW: no completed operations" in html
    line = quote.lines.get()
    client.post(reverse("quotes:quote-apply-accuracy", args=[quote.pk]), {"line": line.pk})
    cnc = line.operations.get(work_center__code="CNC")
    assert cnc.setup_factor == Decimal("1.25")
    assert "2.000 × 1.25 = 2.500" in client.get(quote.get_absolute_url()).content.decode()
