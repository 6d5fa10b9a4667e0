"""The printable quote and the quote reports: what they show, to whom, in how many queries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from quotes import selectors, services
from quotes.models import Quote
from tests.scenarios import completed_job, page_queries

pytestmark = pytest.mark.django_db
D = Decimal
HIT_RATE = reverse("quotes:report-hit-rate")
ACCURACY = reverse("quotes:report-estimate-accuracy")


def _print_url(quote):
    return reverse("quotes:quote-print", args=[quote.pk])


# --- the printable quote ---------------------------------------------------------------------------------


def test_print_shows_what_the_customer_gets_and_nothing_internal(client, make_quote, office, settings):
    settings.SHOP_NAME, settings.SHOP_ADDRESS = "Precision Parts Ltd", "7 Mill Lane, Oxbridge, OX1 2AB"
    settings.SHOP_PHONE, settings.SHOP_EMAIL = "+44 1865 000000", "quotes@precision.example.com"
    settings.QUOTE_TERMS = "Payment 45 days net."
    quote = make_quote(rfq_reference="RFQ-991", notes="Material certificates included.", lead_time_days=28)
    quote = services.quote_revise(quote=services.quote_send(quote=quote, by=office), by=office)
    client.force_login(office)
    response = client.get(_print_url(quote))
    assert response.status_code == 200
    html = response.content.decode()
    expected = ["Precision Parts Ltd", "7 Mill Lane", "Oxbridge", "+44 1865 000000", "quotes@precision.example.com",
                f"{quote.number} rev 2", "Acme Inc.", "Ann Buyer", "ann@acme.example.com", "RFQ-991",
                quote.valid_until.strftime("%Y-%m-%d"), "28 days from order", "Mounting bracket, 6061-T6",
                "Your drawing DWG-4471 rev C", "Material certificates included.", "Payment 45 days net."]  # fmt: skip
    for text in expected:
        assert text in html, text
    pricing = selectors.quote_pricing(quote=selectors.quote_detail(pk=quote.pk))
    breaks = pricing.lines[0].breaks
    assert [b.quantity for b in breaks] == [1, 10, 100]
    for b in breaks:
        assert f"{b.unit_price:,.2f}" in html and f"{b.total:,.2f}" in html
        assert f"{b.cost:,.2f}" not in html  # the cost per piece
        assert f"{b.margin_percent}" not in html
    for internal in ("Margin", "margin", "Markup", "markup", "Labor", "Cost", "Setup", "Run h", "Estimator"):
        assert internal not in html, internal
    assert "Saw blanks" not in html and "Anodize Co" not in html  # the routing and the vendors


def test_print_is_linked_from_the_quote_page_for_every_role(request, client, make_quote):
    quote = make_quote()
    for role in ("office", "manager", "lead", "clerk"):
        client.force_login(request.getfixturevalue(role))
        assert f'href="{_print_url(quote)}"' in client.get(quote.get_absolute_url()).content.decode()
        assert client.get(_print_url(quote)).status_code == 200


def test_print_of_a_missing_quote_is_a_404(client, office):
    client.force_login(office)
    assert client.get(reverse("quotes:quote-print", args=[999999])).status_code == 404


def test_print_makes_the_same_queries_for_2_and_for_20_lines(client, make_quote, office):
    client.force_login(office)
    small = page_queries(client, _print_url(make_quote(lines=2)))
    assert page_queries(client, _print_url(make_quote(lines=20))) == small


# --- hit rate, values, days to quote ---------------------------------------------------------------------


@pytest.fixture
def outcomes(make_quote, office, manager):
    """Sent this month: one accepted at 10 pieces (office), one declined, one still open (manager), one
    revised whose rev 2 is open; a draft (not counted). Each sent 2, 4, 6 ... days after it was made."""
    won = make_quote()
    lost = make_quote()
    open_ = make_quote(estimator=manager)
    revised = make_quote()
    draft = make_quote()
    for q in (won, lost, open_, revised):
        services.quote_send(quote=q, by=office)
    line = won.lines.get()
    services.quote_accept(quote=won, by=office, breaks={line.pk: 10})
    services.quote_decline(quote=lost, by=office, reason="price")
    rev2 = services.quote_send(quote=services.quote_revise(quote=revised, by=office), by=office)
    for days, q in enumerate((won, lost, open_, rev2), start=1):
        q.refresh_from_db()
        Quote.objects.filter(pk=q.pk).update(created_at=q.sent_at - timedelta(days=2 * days))
    return {"won": won, "lost": lost, "open": open_, "rev2": rev2, "draft": draft, "revised": revised}


def _value(quote, quantity):
    pricing = selectors.quote_pricing(quote=selectors.quote_detail(pk=quote.pk))
    return next(b.total for b in pricing.lines[0].breaks if b.quantity == quantity)


def test_hit_rate_by_customer(client, manager, outcomes):
    client.force_login(manager)
    response = client.get(HIT_RATE, {"group": "customer"})
    assert response.status_code == 200
    (row,) = response.context["rows"]
    quoted = _value(outcomes["won"], 10) + 3 * _value(outcomes["lost"], 1)  # not won: at the first break
    # sent 4 (the replaced revision and the draft left out), won 1, declined 1, 25 %, days (2+4+6+8)/4
    assert row == ["Acme Inc.", 4, 1, 1, D("25.0"), quoted, _value(outcomes["won"], 10),
                   (_value(outcomes["won"], 10) * 100 / quoted).quantize(D("0.1")), D("5.0")]  # fmt: skip
    html = response.content.decode()
    assert "Quoted and won value by Customer" in html and "Hit rate (%) by Customer" in html
    assert "Average days to quote by Customer" in html and "<svg" in html


def test_hit_rate_by_estimator_and_by_month(client, manager, outcomes):
    client.force_login(manager)
    rows = {r[0]: r[1:5] for r in client.get(HIT_RATE, {"group": "estimator"}).context["rows"]}
    assert rows == {"Olive Office": [3, 1, 1, D("33.3")], "Max Manager": [1, 0, 0, D("0.0")]}
    (month,) = client.get(HIT_RATE, {"group": "month"}).context["rows"]
    assert month[0] == timezone.localdate().strftime("%Y-%m") and month[1:5] == [4, 1, 1, D("25.0")]


def test_hit_rate_period_leaves_out_what_was_sent_before(client, manager, outcomes):
    client.force_login(manager)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.get(HIT_RATE, {"from": tomorrow.isoformat(), "to": tomorrow.isoformat()})
    assert response.context["rows"] == [] and "Nothing in this period." in response.content.decode()
    bad = client.get(HIT_RATE, {"from": "last week"})
    assert bad.status_code == 200 and "Dates must look like" in bad.content.decode()


def test_hit_rate_csv(client, manager, outcomes):
    client.force_login(manager)
    response = client.get(HIT_RATE, {"group": "customer", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Customer", "Sent", "Won", "Declined", "Hit rate (%)"]
    assert rows[0][-1] == "Avg days to quote" and rows[1][:5] == ["Acme Inc.", "4", "1", "1", "25.0"]


def test_hit_rate_makes_the_same_queries_for_few_and_many_quotes(client, make_quote, manager, office):
    def send(n):
        for _ in range(n):
            services.quote_send(quote=make_quote(lines=2), by=office)

    send(1)
    client.force_login(manager)
    few = page_queries(client, HIT_RATE)
    send(6)
    assert page_queries(client, HIT_RATE) == few


# --- estimate accuracy -----------------------------------------------------------------------------------


def test_accuracy_report_shows_median_p80_and_count_per_work_center(client, manager, lead, centers):
    for setup_actual in ("2.0", "2.5", "3.0"):  # estimated 2 h: 1.00, 1.25, 1.50
        completed_job(by=lead, center=centers["CNC"], setup_est=D("2"), run_est=D("0.1"),
                      setup_actual=D(setup_actual), run_actual=D("1"), pieces=10)  # fmt: skip
    completed_job(by=lead, center=centers["CNC"], setup_est=D("2"), run_est=D("0.1"), setup_actual=D("4"),
                  run_actual=D("1"), pieces=10, days_ago=400)  # outside the window  # fmt: skip
    client.force_login(manager)
    response = client.get(ACCURACY)
    assert response.status_code == 200
    rows = {r[0]: r[1:] for r in response.context["rows"]}
    cnc = rows[f"CNC - {centers['CNC'].name}"]
    assert cnc[:3] == [3, D("1.25"), D("1.40")] and cnc[3:] == [3, D("1.00"), D("1.00")]
    assert rows[f"SAW - {centers['SAW'].name}"] == [0, None, None, 0, None, None]
    html = response.content.decode()
    assert "Median actual / estimated hours by work center" in html and "<svg" in html
    wider = {r[0]: r[1] for r in client.get(ACCURACY, {"days": "730"}).context["rows"]}
    assert wider[f"CNC - {centers['CNC'].name}"] == 4


def test_accuracy_report_bad_days_say_why(client, manager, centers):
    client.force_login(manager)
    response = client.get(ACCURACY, {"days": "-5"})
    assert response.status_code == 200 and "Days must be a whole number" in response.content.decode()


def test_accuracy_report_csv_and_fixed_queries(client, manager, lead, centers):
    client.force_login(manager)
    few = page_queries(client, ACCURACY)
    for _ in range(5):
        completed_job(by=lead, center=centers["SAW"], setup_est=D("1"), run_est=D("0.1"), setup_actual=D("1.1"),
                      run_actual=D("1"), pieces=10)  # fmt: skip
    assert page_queries(client, ACCURACY) == few
    rows = list(csv.reader(io.StringIO(client.get(ACCURACY, {"format": "csv"}).content.decode())))
    assert rows[0] == ["Work center", "Setup: operations", "Setup: median", "Setup: 80th pct", "Run/pc: operations",
                       "Run/pc: median", "Run/pc: 80th pct"]  # fmt: skip
    assert [r[:3] for r in rows[1:] if r[0].startswith("SAW")] == [[f"SAW - {centers['SAW'].name}", "5", "1.10"]]


@pytest.mark.parametrize("role", ["office", "lead", "clerk"])
def test_reports_are_for_managers(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(HIT_RATE).status_code == 403 and client.get(ACCURACY).status_code == 403


def test_reports_are_linked_from_the_report_pages(client, manager):
    client.force_login(manager)
    html = client.get(reverse("jobs:report-job-cost")).content.decode()
    assert f'href="{HIT_RATE}"' in html and f'href="{ACCURACY}"' in html


# --- stored values: what the customer was quoted, read without pricing -----------------------------------


def test_sending_and_accepting_store_the_values_the_customer_saw(make_quote, office):
    quote = make_quote(lines=2)
    assert quote.sent_value is None
    services.quote_send(quote=quote, by=office)
    quote.refresh_from_db()
    assert quote.sent_value == 2 * _value(quote, 1) and quote.accepted_value is None
    lines = list(quote.lines.all())
    services.quote_accept(quote=quote, by=office, breaks={lines[0].pk: 10, lines[1].pk: 100})
    quote.refresh_from_db()
    assert quote.accepted_value == _value(quote, 10) + _value(quote, 100)
    assert quote.sales_order.lines.count() == 2
    order_total = sum(line.unit_price * line.quantity for line in quote.sales_order.lines.all())
    assert quote.accepted_value == order_total  # what the order was made for


def test_hit_rate_values_are_the_prices_sent_not_todays_rates(client, manager, make_quote, office, centers):
    quote = services.quote_send(quote=make_quote(), by=office)
    quote.refresh_from_db()
    sent = quote.sent_value
    centers["CNC"].hourly_rate = D("150.00")
    centers["CNC"].save()
    assert _value(quote, 1) != sent  # today's pricing moved
    client.force_login(manager)
    (row,) = client.get(HIT_RATE, {"group": "customer"}).context["rows"]
    assert row[5] == sent


def test_quotes_sent_before_values_were_stored_are_priced_then_filled(client, manager, outcomes, capsys):
    client.force_login(manager)
    before = {g: client.get(HIT_RATE, {"group": g}).context["rows"] for g in ("customer", "estimator", "month")}
    Quote.objects.update(sent_value=None, accepted_value=None)  # as a database migrated from 0004 holds them
    for group, rows in before.items():  # priced now: the same figures (the rates did not change)
        assert client.get(HIT_RATE, {"group": group}).context["rows"] == rows, group
    call_command("store_quote_values")
    assert "Stored the values of 5 quotes." in capsys.readouterr().out  # 4 counted + the replaced revision
    assert not Quote.objects.filter(sent_at__isnull=False, sent_value__isnull=True).exists()
    assert Quote.objects.get(pk=outcomes["won"].pk).accepted_value == _value(outcomes["won"], 10)
    assert Quote.objects.get(pk=outcomes["draft"].pk).sent_value is None
    for group, rows in before.items():
        assert client.get(HIT_RATE, {"group": group}).context["rows"] == rows, group
    assert services.quote_values_store() == 0  # nothing left to fill


def test_the_database_refuses_a_value_on_a_quote_not_sent_or_not_accepted(make_quote, office):
    draft = make_quote()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=draft.pk).update(sent_value=D("10"))
    sent = services.quote_send(quote=make_quote(), by=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=sent.pk).update(accepted_value=D("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=sent.pk).update(sent_value=D("-1"))


def test_a_paired_chart_draws_nothing_measured_as_none_not_as_zero():
    """The accuracy chart's setup bar of a work center with no setups recorded read "0.00" (as if setups took
    no time): None draws no bar and reads "none"; a real 0 still reads 0.00."""
    from quotes.reports import paired_chart

    chart = paired_chart([("CNC", None, Decimal("1.03")), ("SAW", Decimal("0"), Decimal("0.5"))], title="t",
                         first="Setup", second="Run", fmt="{:,.2f}", reference=1.0)  # fmt: skip
    cnc, saw = chart["bars"]
    assert (cnc.first_display, cnc.first_width, cnc.second_display) == ("none", 0.0, "1.03")
    assert (saw.first_display, saw.first_width) == ("0.00", 0.0)
    assert saw.second_width == pytest.approx(0.5 / 1.03 * 300)
