"""Inspection plans per quote line (issue 19): entered on the draft quote, copied with a revision, handed to
quality as the order line's plan when the quote becomes an order, and copied onto the line's jobs."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jobs.models import Job
from quality.models import JobCharacteristic, LinePlanCharacteristic
from quotes import services
from quotes.models import QuoteLineCharacteristic
from sales import services as sales_services

pytestmark = pytest.mark.django_db

BORE = {"operation_sequence": 20, "name": "Slot width", "kind": "dimension", "nominal": Decimal("8.00"),
        "tolerance_plus": Decimal("0.05"), "tolerance_minus": Decimal("0.00"), "unit": "mm"}  # fmt: skip


def test_the_quote_lines_plan_becomes_the_order_lines_and_the_jobs(make_quote, office, manager, lead):
    quote = make_quote()
    line = quote.lines.get()
    services.quote_line_characteristic_add(line=line, by=office, **BORE)
    services.quote_line_characteristic_add(line=line, by=office, operation_sequence=20, name="Deburred",
                                           kind="attribute", sampling="first", sample_n=2)  # fmt: skip
    quote = services.quote_send(quote=quote, by=office)
    order = services.quote_accept(quote=quote, by=office, breaks={line.pk: 10})
    order_line = order.lines.get()
    plan = list(LinePlanCharacteristic.objects.filter(line=order_line).order_by("position"))
    assert [(c.name, c.nominal, c.sampling, c.sample_n) for c in plan] == [
        ("Slot width", Decimal("8.0000"), "every", None), ("Deburred", None, "first", 2)]  # fmt: skip
    sales_services.sales_order_submit(order=order, by=office)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    copies = list(JobCharacteristic.objects.filter(job=job).order_by("position"))
    assert [c.name for c in copies] == ["Slot width", "Deburred"]
    assert copies[0].tolerance_label == "8 +0.05/-0 mm" and copies[0].source_id is None


def test_a_revision_keeps_the_plan_and_a_sent_quote_is_not_edited(make_quote, office):
    quote = make_quote()
    services.quote_line_characteristic_add(line=quote.lines.get(), by=office, **BORE)
    quote = services.quote_send(quote=quote, by=office)
    with pytest.raises(ValidationError):
        services.quote_line_characteristic_add(line=quote.lines.get(), by=office, **{**BORE, "name": "Other"})
    revised = services.quote_revise(quote=quote, by=office)
    assert list(QuoteLineCharacteristic.objects.filter(line__quote=revised).values_list("name", flat=True)) == [
        "Slot width"]  # fmt: skip


def test_the_rules_of_a_characteristic_and_who_may(make_quote, office, lead):
    quote = make_quote()
    line = quote.lines.get()
    with pytest.raises(ValidationError) as exc:
        services.quote_line_characteristic_add(line=line, by=office, **{**BORE, "nominal": None})
    assert "nominal" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.quote_line_characteristic_add(line=line, by=lead, **BORE)
    assert not QuoteLineCharacteristic.objects.exists()


def test_the_quote_page_adds_and_removes_a_lines_characteristics(client, make_quote, office, lead):
    from django.urls import reverse

    quote = make_quote()
    line = quote.lines.get()
    client.force_login(office)
    url = reverse("quotes:line-characteristic-add", args=[line.pk])
    page = client.get(quote.get_absolute_url()).content.decode()
    # The section carries a link, not the form: htmx fetches it when the section opens, or the link opens it alone.
    assert "Add a characteristic to line 1" in page and f'hx-get="{url}"' in page and f'href="{url}"' in page
    assert f'id="id_char{line.pk}-name"' not in page and "Each line's form is fetched" not in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and f'id="id_char{line.pk}-name"' in fragment and f'action="{url}"' in fragment
    alone = client.get(url).content.decode()
    assert "<html" in alone and f'id="id_char{line.pk}-name"' in alone and quote.get_absolute_url() in alone
    prefix = f"char{line.pk}-"
    data = {prefix + "operation_sequence": "20", prefix + "name": "Slot width", prefix + "kind": "dimension",
            prefix + "nominal": "8", prefix + "tolerance_plus": "0.05", prefix + "tolerance_minus": "0",
            prefix + "unit": "mm", prefix + "sampling": "every"}  # fmt: skip
    response = client.post(url, {**data, prefix + "nominal": ""})
    refused = response.content.decode()
    assert response.status_code == 400 and not QuoteLineCharacteristic.objects.exists()
    # The refusal sits on its field, in an opened form that kept what was typed.
    assert "A dimension needs its nominal value." in refused and "Constraint" not in refused
    assert 'value="Slot width"' in refused and '<details class="mb-3" open>' in refused
    client.post(url, data)
    char = QuoteLineCharacteristic.objects.get()
    assert char.name == "Slot width" and "8 +0.05/-0 mm" in client.get(quote.get_absolute_url()).content.decode()
    client.force_login(lead)
    assert client.post(reverse("quotes:line-characteristic-remove", args=[char.pk])).status_code == 403
    client.force_login(office)
    client.post(reverse("quotes:line-characteristic-remove", args=[char.pk]))
    assert not QuoteLineCharacteristic.objects.exists()


def test_a_sent_quotes_line_offers_no_characteristic_form(client, make_quote, office):
    from django.urls import reverse

    quote = make_quote()
    line = quote.lines.get()
    quote = services.quote_send(quote=quote, by=office)
    url = reverse("quotes:line-characteristic-add", args=[line.pk])
    client.force_login(office)
    assert "Add a characteristic" not in client.get(quote.get_absolute_url()).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "its inspection plan can no longer change" in fragment and "<form" not in fragment
