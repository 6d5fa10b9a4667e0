"""Pricing per break, with every figure worked out by hand in the test; a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from quotes import selectors, services
from quotes.models import EstimateOperation, QuantityBreak, Quote
from tests.scenarios import bracket_line

D = Decimal
pytestmark = pytest.mark.django_db


def test_each_break_is_priced_with_setup_spread_over_its_quantity(make_quote):
    quote = make_quote()
    priced = selectors.quote_pricing(quote=selectors.quote_detail(pk=quote.pk)).lines[0]
    one, ten, hundred = priced.breaks
    # 10 pieces. Labor: saw (0.5 + 0.05 x 10) h x 60 = 60.00; CNC (2.0 + 0.25 x 10) h x 90 = 405.00;
    # 465.00 / 10 = 46.50. Material: 4.20 x 1.05 x 10 = 44.10 + the 50.00 plate = 94.10 / 10 = 9.41.
    # Outside: 120.00 lot + 0.80 x 10 = 128.00 / 10 = 12.80. Cost 68.71; x 1.30 = 89.323 -> 89.32;
    # total 893.20; margin 20.61 / 89.32 = 23.07 % -> 23.1.
    assert (ten.labor, ten.material, ten.outside, ten.cost) == (D("46.50"), D("9.41"), D("12.80"), D("68.71"))
    assert (ten.unit_price, ten.total, ten.margin_percent) == (D("89.32"), D("893.20"), D("23.1"))
    # 100 pieces: labor (0.5 + 5) x 60 + (2 + 25) x 90 = 2760.00 / 100 = 27.60; material 441.00 + 50 = 4.91;
    # outside 200.00 / 100 = 2.00; cost 34.51; x 1.3 = 44.863 -> 44.86; total 4486.00.
    assert (hundred.labor, hundred.material, hundred.outside) == (D("27.60"), D("4.91"), D("2.00"))
    assert (hundred.cost, hundred.unit_price, hundred.total) == (D("34.51"), D("44.86"), D("4486.00"))
    # 1 piece carries its whole setup: labor 0.55 x 60 + 2.25 x 90 = 235.50; material 4.41 + 50 = 54.41;
    # outside 120.80; cost 410.71; x 1.3 = 533.923 -> 533.92.
    assert (one.labor, one.material, one.outside, one.cost) == (D("235.50"), D("54.41"), D("120.80"), D("410.71"))
    assert one.unit_price == D("533.92")
    assert one.unit_price > ten.unit_price > hundred.unit_price
    assert priced.lead_days == 7


def test_line_markup_overrides_the_quote_and_rates_are_todays(make_quote, centers, office):
    quote = make_quote()
    line_data = bracket_line(centers, breaks=[10], markup_percent=D("10"))
    services.quote_update(quote=quote, by=office, lines=[line_data])
    centers["CNC"].hourly_rate = D("100.00")
    centers["CNC"].save()
    (ten,) = selectors.quote_pricing(quote=quote).lines[0].breaks
    # Labor: 60.00 + (2 + 2.5) x 100 = 510.00 / 10 = 51.00; cost 51.00 + 9.41 + 12.80 = 73.21;
    # x 1.10 = 80.531 -> 80.53; margin 7.32 / 80.53 = 9.09 % -> 9.1.
    assert (ten.labor, ten.cost, ten.unit_price, ten.margin_percent) == (D("51.00"), D("73.21"), D("80.53"), D("9.1"))


def test_accuracy_factor_raises_the_hours_priced(make_quote):
    quote = make_quote()
    EstimateOperation.objects.filter(line__quote=quote, work_center__code="CNC").update(
        setup_factor=D("1.50"), run_factor=D("1.20")
    )
    (ten,) = [b for b in selectors.quote_pricing(quote=quote).lines[0].breaks if b.quantity == 10]
    # CNC (2.0 x 1.5 + 0.25 x 1.2 x 10) x 90 = (3 + 3) x 90 = 540.00; + saw 60.00 = 600.00 / 10 = 60.00.
    assert ten.labor == D("60.00")


@pytest.mark.parametrize("lines", [2, 20])
def test_pricing_a_quote_takes_a_fixed_number_of_queries(make_quote, django_assert_num_queries, lines):
    quote = make_quote(lines=lines)
    # quote (+customer, estimator, ...), lines, breaks, operations (+work centers), materials, outside, drawings,
    # inspection characteristics, history: one statement on PostgreSQL (mto.reads), nine elsewhere
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 9):
        pricing = selectors.quote_pricing(quote=selectors.quote_detail(pk=quote.pk))
        assert len(pricing.lines) == lines and all(len(p.breaks) == 3 for p in pricing.lines)


def test_pricing_without_prefetch_fetches_the_lines_itself(make_quote, django_assert_num_queries):
    quote = Quote.objects.get(pk=make_quote(lines=3).pk)
    # lines, breaks, operations, materials, outside, drawings, inspection characteristics
    with django_assert_num_queries(7):
        assert len(selectors.quote_pricing(quote=quote).lines) == 3


def test_database_refuses_a_repeated_break_and_a_zero_break(make_quote):
    line = make_quote().lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuantityBreak.objects.create(line=line, quantity=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuantityBreak.objects.create(line=line, quantity=0)


def test_database_refuses_a_second_quote_of_the_same_number_and_revision(make_quote):
    quote = make_quote()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.create(number=quote.number, revision=1, customer=quote.customer,
                             valid_until=quote.valid_until, markup_percent=D("30"), estimator=quote.estimator,
                             created_by=quote.created_by)  # fmt: skip


def test_database_refuses_a_quote_without_customer_or_prospect(make_quote):
    quote = make_quote()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(customer=None, prospect_name="", prospect_email="")


def test_service_refuses_bad_breaks_with_a_message_and_writes_nothing(office, centers, customer):
    from django.core.exceptions import ValidationError

    before = Quote.objects.count()
    for breaks, message in (([], "at least one quantity break"), ([10, 10], "each break quantity once"),
                            ([0, 5], "whole numbers of pieces from 1")):  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            services.quote_create(by=office, customer=customer, lines=[bracket_line(centers, breaks=breaks)])
    assert Quote.objects.count() == before


def test_database_refuses_a_second_acceptance_of_a_quote(make_quote, office):
    from quotes.models import QuoteAcceptance
    from tests.factories import SalesOrderFactory

    quote = services.quote_send(quote=make_quote(), by=office)
    services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10})
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteAcceptance.objects.create(quote=quote, sales_order=SalesOrderFactory(), accepted_by=office)
