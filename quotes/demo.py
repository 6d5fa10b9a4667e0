"""Demo quotes, one in each state people meet: a draft, one sent (revised once), one declined and one won."""

from decimal import Decimal

from django.db import transaction

from jobs.models import WorkCenter

from . import services
from .models import Quote

D = Decimal


def _line(centers, *, description, drawing, breaks, setup, run, bar_cost):
    """A custom part sawn and milled: bar stock per piece, a fixture per lot, anodising per lot."""
    return {
        "description": description, "drawing_number": drawing, "drawing_revision": "A", "breaks": breaks,
        "operations": [
            {"work_center": centers["SAW"], "description": "Saw blanks", "setup_hours": D("0.25"),
             "run_hours_per_piece": D("0.03")},
            {"work_center": centers["CNC"], "description": "Mill complete", "setup_hours": D(setup),
             "run_hours_per_piece": D(run)},
        ],
        "materials": [
            {"description": "6061-T6 bar", "cost": D(bar_cost), "basis": "piece", "scrap_percent": D("5")},
            {"description": "Fixture plate", "cost": D("60.00"), "basis": "lot"},
        ],
        "outside": [{"vendor_name": "Anodize Co", "description": "Type II clear", "cost": D("150.00"),
                     "basis": "lot", "lead_days": 7}],
    }  # fmt: skip


# RFQ reference (the idempotency key of the demo), customer code, the state to drive it to.
DEMO_QUOTES = [
    ("RFQ-DEMO-1", "ACME", "draft"),
    ("RFQ-DEMO-2", "BOREAL", "sent"),
    ("RFQ-DEMO-3", "DELTA", "declined"),
    ("RFQ-DEMO-4", "FJORD", "accepted"),
]


def seed_quotes(*, users, customers) -> int:
    """Make the demo quotes that are not there yet; returns how many were made."""
    centers = {c.code: c for c in WorkCenter.objects.filter(code__in=("SAW", "CNC"))}
    if len(centers) < 2:
        return 0
    office, manager = users["office"], users["manager"]
    by_code = {c.code: c for c in customers}
    made = 0
    for rfq, code, state in DEMO_QUOTES:
        customer = by_code.get(code) or next(iter(by_code.values()))
        if Quote.objects.filter(rfq_reference=rfq).exists():
            continue
        with transaction.atomic():
            quote = services.quote_create(
                by=office, customer=customer, contact_name="Buyer",
                contact_email=customer.email or "buyer@example.com", rfq_reference=rfq, markup_percent=D("30"),
                lines=[_line(centers, description="Sensor bracket", drawing=f"{rfq}-01", breaks=[1, 10, 50, 250],
                             setup="1.5", run="0.2", bar_cost="3.80"),
                       _line(centers, description="Cover plate", drawing=f"{rfq}-02", breaks=[10, 100],
                             setup="0.75", run="0.1", bar_cost="2.10")],
            )  # fmt: skip
            if state != "draft":
                quote = services.quote_send(quote=quote, by=office)
            if state == "sent":
                quote = services.quote_revise(quote=quote, by=office, reason="Customer asked for 500 pieces")
                quote = services.quote_send(quote=quote, by=office)
            elif state == "declined":
                services.quote_decline(quote=quote, by=office, reason="price", note="10 % above the winner")
            elif state == "accepted":
                lines = quote.lines.prefetch_related("breaks").order_by("id")
                chosen = {line.pk: min(b.quantity for b in line.breaks.all()) for line in lines}
                services.quote_accept(quote=quote, by=manager, breaks=chosen)
        made += 1
    return made
