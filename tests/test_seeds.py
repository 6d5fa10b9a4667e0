from io import StringIO

from django.core.management import call_command
from django.db.models import Count

from jobs.models import Job
from mto.models import DocumentSequence
from quality.models import NonConformance, PlanCharacteristic
from quotes.models import Quote
from sales.models import SalesOrder, SalesOrderLine
from shipping.models import Shipment


def test_seed_demo_makes_every_state_and_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (SalesOrder.objects.count(), Job.objects.count(), Shipment.objects.count(), Quote.objects.count(),
              NonConformance.objects.count(), PlanCharacteristic.objects.count())  # fmt: skip
    call_command("seed_demo", stdout=out)
    assert (SalesOrder.objects.count(), Job.objects.count(), Shipment.objects.count(), Quote.objects.count(),
            NonConformance.objects.count(), PlanCharacteristic.objects.count()) == counts  # fmt: skip
    # Quality: a plan with dimensions, a failed inspection with its open NCR, an NCR remade as a new job.
    assert PlanCharacteristic.objects.filter(kind="dimension").count() >= 2
    assert NonConformance.objects.filter(status="open", results__passed=False).exists()
    remade = NonConformance.objects.get(disposition="remake")
    assert remade.remake_job.status == "released" and remade.remake_job.characteristics.exists()
    # A quote in each state people meet; the won one became an order.
    assert set(Quote.objects.values_list("status", flat=True)) == {"draft", "sent", "revised", "declined", "accepted"}
    assert Quote.objects.get(status="accepted").acceptance.sales_order.status == "draft"
    assert set(SalesOrder.objects.values_list("status", flat=True)) == set(SalesOrder.Status.values)
    assert SalesOrder.objects.filter(status="draft", status_changes__reason__icontains="revision").exists()
    assert "Demo orders" in out.getvalue() and "mto-demo" in out.getvalue()


def test_seed_scale_is_consistent(db):
    call_command("seed_scale", orders=300, customers=12, batch=100, stdout=StringIO())
    assert SalesOrder.objects.count() == 300
    numbers = list(SalesOrder.objects.order_by("id").values_list("number", flat=True))
    assert numbers[0] == "SO-000001" and numbers[-1] == "SO-000300"
    assert DocumentSequence.objects.get(name="SO").last_value == 300
    with_jobs = SalesOrderLine.objects.filter(order__status__in=["approved", "in_production", "partially_shipped",
                                                                 "shipped", "closed"])  # fmt: skip
    per_line = with_jobs.annotate(n=Count("jobs")).values_list("n", flat=True)
    assert set(per_line) == {1}
    for line in SalesOrderLine.objects.filter(quantity_shipped__gt=0).prefetch_related("jobs")[:100]:
        assert line.quantity_shipped <= sum(j.quantity_completed for j in line.jobs.all()) <= line.quantity
    shipped = SalesOrder.objects.filter(status__in=["shipped", "closed"]).count()
    assert Shipment.objects.count() >= shipped


def test_seed_scale_makes_quotes_in_every_status(db):
    from quotes.models import EstimateOperation, QuantityBreak, Quote, QuoteAcceptance, QuoteLine

    call_command("seed_scale", orders=1000, customers=12, batch=200, stdout=StringIO())
    quotes = Quote.objects.all()
    assert 100 <= quotes.filter(revision=1).count() <= 101  # one per 10 orders, and the revisions
    assert set(quotes.values_list("status", flat=True)) == set(Quote.Status.values)
    assert DocumentSequence.objects.get(name="Q").last_value == quotes.filter(revision=1).count()
    assert not QuoteLine.objects.filter(breaks__isnull=True).exists()
    assert not QuoteLine.objects.filter(operations__isnull=True).exists()
    assert QuantityBreak.objects.count() > QuoteLine.objects.count() and EstimateOperation.objects.exists()
    accepted = quotes.filter(status="accepted")
    assert accepted.exists() and QuoteAcceptance.objects.count() == accepted.count()
    for acceptance in QuoteAcceptance.objects.select_related("quote", "sales_order")[:50]:
        assert acceptance.quote.customer_id == acceptance.sales_order.customer_id
        lines = acceptance.quote.lines.select_related("chosen_break", "sales_order_line")
        assert all(ql.sales_order_line.order_id == acceptance.sales_order_id for ql in lines)
        assert all(ql.chosen_break.quantity == ql.sales_order_line.quantity for ql in lines)
    assert not quotes.filter(status="declined", decline_reason="").exists()
    assert all(q.sent_at >= q.created_at for q in quotes.exclude(sent_at=None))
    revised = quotes.filter(status="revised").first()
    assert revised.next_revision.revision == 2
