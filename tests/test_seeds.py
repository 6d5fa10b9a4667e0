from decimal import Decimal
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
    remade = NonConformance.objects.get(disposition="remake", remake_job__status="released")
    assert remade.remake_job.characteristics.exists()
    # Traceability: a shipment (its NCR remade and the remake shipped) whose pack has a heat's mill certificate.
    from quality import pack, trace
    from quality.demo_trace import HEAT, PO

    found = trace.shipment_trace(pk=Shipment.objects.get(order__customer_po=PO, status="shipped").pk)
    assert [h.lot for h in found.heats] == [HEAT] and found.heats[0].certificates
    assert [jt.job.number[-3:] for jt in found.jobs][1:] == ["-R1"] and found.conforms_on_record
    assert [a.reader is not None for a in pack.attachments(found)] == [True]
    # A quote in each state people meet; the won one became an order.
    assert set(Quote.objects.values_list("status", flat=True)) == {"draft", "sent", "revised", "declined", "accepted"}
    assert Quote.objects.get(status="accepted").acceptance.sales_order.status == "draft"
    assert set(SalesOrder.objects.values_list("status", flat=True)) == set(SalesOrder.Status.values)
    assert SalesOrder.objects.filter(status="draft", status_changes__reason__icontains="revision").exists()
    assert "Demo orders" in out.getvalue() and "mto-demo" in out.getvalue()
    # The estimate-accuracy figures come from the backdated times (80-130 % of the estimate), not from the
    # milliseconds the demo ran its operations in (a median of 0.00: "ran -100% over").
    from quotes.models import AccuracySample
    from quotes.selectors import estimate_accuracy

    assert AccuracySample.objects.exists()
    medians = [r.median for a in estimate_accuracy().values() for r in (a.setup, a.run) if r.count]
    assert medians and all(Decimal("0.8") <= median <= Decimal("1.3") for median in medians), medians


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


def test_seed_scale_spreads_the_orders_over_the_years_asked_with_the_same_open_window(db):
    """--years makes an older shop, not a busier one: the orders spread over that many years, and the open work
    (drafts to partly shipped) is only in the last 60 days, whatever the span."""
    import datetime

    import pytest
    from django.core.management.base import CommandError
    from django.db.models import Max, Min
    from django.utils import timezone

    call_command("seed_scale", orders=400, customers=12, batch=200, orders_per_quote=0, years=3, stdout=StringIO())
    today = timezone.localdate()
    span = SalesOrder.objects.aggregate(first=Min("order_date"), last=Max("order_date"))
    assert today - datetime.timedelta(days=3 * 365) <= span["first"] <= today - datetime.timedelta(days=3 * 365 - 3)
    assert span["last"] >= today - datetime.timedelta(days=3)
    open_orders = SalesOrder.objects.filter(status__in=["draft", "pending_approval", "approved", "in_production",
                                                        "partially_shipped"])  # fmt: skip
    assert open_orders.exists()
    assert not open_orders.filter(order_date__lt=today - datetime.timedelta(days=60)).exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_scale", orders=10, years=0, stdout=StringIO())


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
    # The values the send and accept services store, as the pricing of the rows written gives them.
    assert not quotes.exclude(sent_at=None).filter(sent_value=None).exists()
    assert not accepted.filter(accepted_value=None).exists()
    from quotes.reports import quote_values
    from quotes.selectors import quote_values_priced

    sample = quotes.exclude(sent_at=None).order_by("pk")[:40]
    priced = quote_values_priced(Quote.objects.filter(pk__in=[q.pk for q in sample]))
    assert {q.pk: (q.sent_value, q.accepted_value) for q in sample} == priced
    assert quote_values(Quote.objects.filter(pk__in=[q.pk for q in sample])) == {
        pk: accepted if accepted is not None else sent for pk, (sent, accepted) in priced.items()
    }


def test_seed_scale_purchasing_rows_agree_with_their_counters(db):
    """Vendors, material, outside operations, POs in every status: each counter equals the rows it counts."""
    from django.db.models import F, Q, Sum

    from jobs.models import Operation, TimeEntry
    from purchasing.models import (
        MaterialRequirement,
        OutsideOperation,
        PurchaseOrder,
        PurchaseOrderLine,
        Receipt,
        ShipOut,
        Vendor,
        VendorReturn,
    )

    call_command("seed_scale", orders=1000, customers=12, batch=200, orders_per_quote=0, stdout=StringIO())
    assert Vendor.objects.filter(supplies_material=True).count() == 30
    assert Vendor.objects.exclude(processes="").count() == 20
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == set(PurchaseOrder.Status.values)
    assert DocumentSequence.objects.get(name="PO").last_value == PurchaseOrder.objects.count()
    assert DocumentSequence.objects.get(name="VS").last_value == ShipOut.objects.count()
    # Material lines: received = their receipts; the requirement's received = its open line's.
    material_lines = PurchaseOrderLine.objects.filter(outside_operation=None)
    sums = dict(Receipt.objects.values("po_line").annotate(s=Sum("quantity")).values_list("po_line", "s"))
    assert Receipt.objects.exclude(lot_number__startswith="HT-").count() == 0
    for line in material_lines.select_related("purchase_order", "requirement"):
        assert line.quantity_received == sums.get(line.pk, 0) <= line.receive_limit, line
        status = line.purchase_order.status
        assert line.is_cancelled == (status == "cancelled"), line
        if status in ("received", "closed"):
            assert line.quantity_received == line.quantity, line
        elif status in ("draft", "sent", "cancelled"):
            assert line.quantity_received == 0, line
    assert material_lines.filter(purchase_order__status="partially_received", quantity_received__gt=0).exists()
    bought = dict(material_lines.filter(is_cancelled=False).values_list("requirement", "quantity_received"))
    assert MaterialRequirement.objects.count() >= len(bought) > 0
    for req in MaterialRequirement.objects.all():
        assert req.quantity_received == bought.get(req.pk, 0), req
        assert (req.source == "stock") == (req.issued_at is not None) == (req.stock_cost is not None), req
    # An operation waits for material exactly when its job has some still to come.
    waiting = {r.job_id for r in MaterialRequirement.objects.all() if not r.is_fulfilled}
    assert waiting and set(Operation.objects.filter(material_ready=False).values_list("job_id", flat=True)) == waiting
    # Outside operations: sent and back equal the ship-outs and returns; the operation counts what is out.
    per_row = ShipOut.objects.values("outside_operation").annotate(s=Sum("quantity"))
    sent = dict(per_row.values_list("outside_operation", "s"))
    returns = VendorReturn.objects.values("outside_operation").annotate(good=Sum("good"), rejected=Sum("rejected"))
    back = {r["outside_operation"]: (r["good"], r["rejected"]) for r in returns}
    po_received = dict(PurchaseOrderLine.objects.exclude(outside_operation=None)
                       .values_list("outside_operation", "quantity_received"))  # fmt: skip
    for row in OutsideOperation.objects.select_related("operation__work_center", "vendor"):
        assert row.operation.work_center.is_outside and row.vendor.does_outside_processing, row
        assert (row.pieces_sent, (row.pieces_back_good, row.pieces_rejected)) == (
            sent.get(row.pk, 0), back.get(row.pk, (0, 0))), row  # fmt: skip
        assert row.operation.pieces_at_vendor == row.pieces_at_vendor, row
        assert row.operation.good_qty == row.pieces_back_good and row.operation.scrap_qty == row.pieces_rejected
        if row.pk in po_received:
            assert po_received[row.pk] == row.pieces_back_good + row.pieces_rejected, row
    assert OutsideOperation.objects.filter(pieces_sent__gt=F("pieces_back_good") + F("pieces_rejected")).exists()
    assert OutsideOperation.objects.filter(operation__status="done").exists()
    assert not OutsideOperation.objects.filter(Q(operation__status="done"), ~Q(operation__pieces_at_vendor=0)).exists()
    assert not TimeEntry.objects.filter(operation__work_center__is_outside=True).exists()
