"""Two people accepting the same quote at once make one order (PostgreSQL row lock + unique constraint)."""

import pytest

from quotes import services
from quotes.models import Quote
from sales.models import SalesOrder
from tests.factories import CustomerFactory, UserFactory
from tests.jobs.factories import WorkCenterFactory
from tests.scenarios import bracket_line, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_accepts_make_one_order(postgres_only):
    """Checked by hand: without the quote's row lock (quotes.workflow) and the QuoteAcceptance key, six threads
    made six orders; with the key alone, one order and five IntegrityErrors; with the lock, one wins and the
    others wait, then are told the quote is already accepted."""
    people = [UserFactory(username=f"q-office{n}", roles=["Office"]) for n in range(6)]
    centers = {"SAW": WorkCenterFactory(code="SAW"), "CNC": WorkCenterFactory(code="CNC")}
    quote = services.quote_create(by=people[0], customer=CustomerFactory(), contact_email="a@example.com",
                                  lines=[bracket_line(centers)])  # fmt: skip
    quote = services.quote_send(quote=quote, by=people[0])
    line_id = quote.lines.get().pk

    def accept(user):
        order = services.quote_accept(quote=Quote.objects.get(pk=quote.pk), by=user, breaks={line_id: 10})
        return order.number

    results = run_together(accept, [(p,) for p in people])
    numbers = [r for r in results if r.startswith("SO-")]
    refused = [r for r in results if not r.startswith("SO-")]
    assert len(numbers) == 1, results
    assert all("already accepted" in r for r in refused), refused
    assert SalesOrder.objects.count() == 1
    assert Quote.objects.get(pk=quote.pk).sales_order.number == numbers[0]
