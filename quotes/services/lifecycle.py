"""A quote's lifecycle: send, revise, decline, expire, accept (which makes the sales order)."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mto.db import atomic_with_retry
from mto.notifications import notify
from mto.transitions import User, initial_status, record_first_status, transition
from sales import services as sales_services
from sales.models import Customer, SalesOrder

from .. import selectors
from ..models import (
    EstimateMaterial,
    EstimateOperation,
    EstimateOutside,
    QuantityBreak,
    Quote,
    QuoteAcceptance,
    QuoteLine,
)
from ..workflow import QUOTE, Q
from .estimate import _require
from .inspection import characteristics_copy, characteristics_hand_over


@atomic_with_retry
def quote_send(*, quote: Quote, by: User) -> Quote:
    """Send a draft to its contact (an e-mail through the outbox, in this transaction).

    Refused while the quote cannot be priced, has nobody to send to, is past its valid-until date, or has a
    margin below settings.QUOTE_MIN_MARGIN_PERCENT that a Manager has not approved as it is priced now.
    """
    state = {}

    def prepare(locked: Quote):
        pricing = selectors.quote_pricing(quote=locked)
        errors = []
        if not pricing.lines:
            errors.append("A quote needs at least one line before it is sent.")
        for priced in pricing.lines:
            if not any(b.cost for b in priced.breaks):
                errors.append(f"Line {priced.line.line_no} has no estimate (operations, material or outside).")
        if not locked.send_to:
            errors.append("Give the contact's e-mail (or the customer's) to send the quote to.")
        if locked.valid_until < timezone.localdate():
            errors.append(f"Valid until {locked.valid_until:%Y-%m-%d} has passed; pick a later date.")
        if errors:
            raise ValidationError(errors)
        if pricing.needs_margin_approval and locked.margin_approved_percent != pricing.lowest_margin:
            raise ValidationError(
                f"The margin of {pricing.lowest_margin}% is below the shop's threshold; a Manager must approve "
                "it before the quote is sent.",
                code="needs_approval",
            )
        state["pricing"] = pricing

    def after(locked: Quote):
        notify(
            kind="quote_sent",
            context={"quote": locked, "pricing": state["pricing"]},
            emails=[locked.send_to],
            link=locked.get_absolute_url(),
        )

    def sent(locked: Quote) -> dict:
        return {"sent_at": timezone.now(), "sent_value": selectors.first_break_value(state["pricing"])}

    return transition(QUOTE, quote, "send", by=by, prepare=prepare, fields=sent, after=after)


def _copy_lines(source: Quote, target: Quote) -> None:
    for line in selectors.quote_lines_queryset().filter(quote=source):
        copy = QuoteLine.objects.create(
            quote=target, line_no=line.line_no, item=line.item, description=line.description,
            drawing_number=line.drawing_number, drawing_revision=line.drawing_revision,
            markup_percent=line.markup_percent,
        )  # fmt: skip
        QuantityBreak.objects.bulk_create(QuantityBreak(line=copy, quantity=b.quantity) for b in line.breaks.all())
        EstimateOperation.objects.bulk_create(
            EstimateOperation(line=copy, sequence=o.sequence, work_center_id=o.work_center_id,
                              description=o.description, setup_hours=o.setup_hours,
                              run_hours_per_piece=o.run_hours_per_piece, setup_factor=o.setup_factor,
                              run_factor=o.run_factor, factor_source=o.factor_source)
            for o in line.operations.all()
        )  # fmt: skip
        EstimateMaterial.objects.bulk_create(
            EstimateMaterial(line=copy, description=m.description, cost=m.cost, basis=m.basis,
                             scrap_percent=m.scrap_percent)
            for m in line.materials.all()
        )  # fmt: skip
        EstimateOutside.objects.bulk_create(
            EstimateOutside(line=copy, vendor_name=o.vendor_name, description=o.description, cost=o.cost,
                            basis=o.basis, lead_days=o.lead_days)
            for o in line.outside_services.all()
        )  # fmt: skip
        characteristics_copy(source=line, target=copy)


@atomic_with_retry
def quote_revise(*, quote: Quote, by: User, reason: str = "") -> Quote:
    """A new revision (a draft, rev + 1) of a sent, declined or expired quote; the old one stays as it was."""
    old = transition(QUOTE, quote, "revise", by=by, reason=reason or "New revision")
    new = Quote.objects.create(
        number=old.number, revision=old.revision + 1, previous=old, customer=old.customer,
        prospect_name=old.prospect_name, prospect_email=old.prospect_email, contact_name=old.contact_name,
        contact_email=old.contact_email, rfq_reference=old.rfq_reference,
        valid_until=max(old.valid_until, timezone.localdate()), lead_time_days=old.lead_time_days, notes=old.notes,
        markup_percent=old.markup_percent, estimator=old.estimator, status=initial_status(QUOTE), created_by=by,
    )  # fmt: skip
    _copy_lines(old, new)
    record_first_status(QUOTE, new, by=by, reason=f"Revision {new.revision} of {old.label}")
    return new


@atomic_with_retry
def quote_decline(*, quote: Quote, by: User, reason: str, note: str = "") -> Quote:
    """The customer declined: why (price, lead time, lost to competitor, no bid) and an optional note."""
    if reason not in Quote.DeclineReason.values:
        raise ValidationError({"reason": "Pick why: price, lead_time, competitor or no_bid."})
    label = Quote.DeclineReason(reason).label
    text = f"{label}: {note.strip()}" if note.strip() else label
    return transition(QUOTE, quote, "decline", by=by, reason=text,
                      fields={"decline_reason": reason, "decline_note": note.strip()[:500]})  # fmt: skip


def quote_expire_due(*, today=None) -> int:
    """Expire every sent quote past its valid-until date (the nightly sweep); each in its own transaction."""
    today = today or timezone.localdate()
    done = 0
    for pk in Quote.objects.filter(status=Q.SENT, valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().get(pk=pk)
            if quote.status == Q.SENT and quote.valid_until < today:
                transition(QUOTE, quote, "expire", by=None, reason=f"Valid until {quote.valid_until:%Y-%m-%d}",
                           locked=True)  # fmt: skip
                done += 1
    return done


def _drawing_file(drawing) -> File:
    """A quote line's stored drawing as an upload named as the customer named it."""
    try:
        return File(drawing.file.open("rb"), name=drawing.original_name)
    except FileNotFoundError:
        raise ValidationError(f"The drawing {drawing.original_name} is missing from storage.") from None


def _customer_for(quote: Quote) -> Customer:
    if quote.customer_id:
        return quote.customer
    existing = Customer.objects.filter(email__iexact=quote.prospect_email, name=quote.prospect_name).first()
    if existing:
        return existing
    return sales_services.customer_create(code=f"Q{quote.number.removeprefix('Q-')}", name=quote.prospect_name,
                                          email=quote.prospect_email)  # fmt: skip


@atomic_with_retry
def quote_accept(*, quote: Quote, by: User, breaks: dict[int, int], submit: bool = False) -> SalesOrder:
    """The customer accepted: `breaks` is {quote line id: the quantity of the break chosen} for every line.

    Makes the sales order (a draft, or submitted for approval) with the quoted prices and quantities through
    the sales services, turns a prospect into a customer, and links the quote, its lines and the order.
    Accepting twice or at once makes one order: the quote row is locked first (the second waits, then finds
    it accepted) and a unique constraint on the quote's order backs the lock.
    """
    _require(by, "edit_orders")
    made = {}

    def prepare(locked: Quote):
        if locked.valid_until < timezone.localdate():
            raise ValidationError(f"{locked.label} expired on {locked.valid_until:%Y-%m-%d}; make a new revision.")
        pricing = selectors.quote_pricing(quote=locked)
        ids = {p.line.pk for p in pricing.lines}
        if set(breaks) != ids:
            raise ValidationError({"breaks": "Choose one break for every line of the quote (by line id)."})
        chosen, errors = {}, []
        for priced in pricing.lines:
            price = next((b for b in priced.breaks if b.quantity == breaks[priced.line.pk]), None)
            if price is None:
                errors.append(f"Line {priced.line.line_no} has no break of {breaks[priced.line.pk]} pieces.")
            chosen[priced.line.pk] = price
        if errors:
            raise ValidationError({"breaks": errors})
        customer = _customer_for(locked)
        due = timezone.localdate() + timedelta(days=locked.lead_time_days)
        # The quote's drawings go onto the order lines through the order's own service (checked by content
        # again, stored as order drawings), so the order and the floor see them.
        drawings = {p.line.pk: [_drawing_file(d) for d in p.line.drawings.all()] for p in pricing.lines}
        try:
            order = sales_services.sales_order_create(
                by=by, customer=customer, customer_po=locked.rfq_reference,
                notes=f"From quote {locked.label}.",
                lines=[{"item": p.line.item, "description": p.line.description,
                        "drawing_number": p.line.drawing_number, "drawing_revision": p.line.drawing_revision,
                        "quantity": chosen[p.line.pk].quantity, "unit_price": chosen[p.line.pk].unit_price,
                        "due_date": due, "drawings": drawings[p.line.pk]} for p in pricing.lines],
            )  # fmt: skip
        finally:
            for files in drawings.values():
                for f in files:
                    f.close()
        made.update(order=order, customer=customer, chosen=chosen, pricing=pricing)

    def after(locked: Quote):
        order = made["order"]
        QuoteAcceptance.objects.create(quote=locked, sales_order=order, accepted_by=by, submitted=submit)
        order_lines = {line.line_no: line for line in order.lines.all()}
        lines = [p.line for p in made["pricing"].lines]
        for number, line in enumerate(lines, start=1):
            line.chosen_break = made["chosen"][line.pk].quantity_break
            line.sales_order_line = order_lines[number]
        QuoteLine.objects.bulk_update(lines, ["chosen_break", "sales_order_line"])
        characteristics_hand_over(lines=lines, by=by)  # the lines' inspection plans, to quality
        if submit:
            sales_services.sales_order_submit(order=order, by=by)

    transition(
        QUOTE, quote, "accept", by=by,
        prepare=prepare, after=after, signal_kwargs=made,
        fields=lambda q: {"customer": made["customer"],
                          "accepted_value": sum((price.total for price in made["chosen"].values()), Decimal(0))},
    )  # fmt: skip
    return SalesOrder.objects.get(pk=made["order"].pk)


def quote_values_store(*, quotes: QuerySet[Quote] | None = None, batch: int = 500, progress=None) -> int:
    """Store the sent and accepted values of sent quotes that have none (those sent before the values were
    stored), priced from their saved estimates at today's rates. Batches of `batch` quotes, each in its own
    transaction; `progress(n)` after each. Returns how many quotes it filled. Running it again fills nothing."""
    quotes = quotes if quotes is not None else Quote.objects.all()
    fields = ("pk", "sent_value", "accepted_value", "status")
    unsent = quotes.filter(sent_at__isnull=False, sent_value__isnull=True).values_list("pk", flat=True)
    unaccepted = quotes.filter(status=Q.ACCEPTED, accepted_value__isnull=True).values_list("pk", flat=True)
    ids = sorted({*unsent, *unaccepted})
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            # Read again under the rows' locks: a quote accepted since the list was made keeps its own value.
            current = {row[0]: row[1:] for row in Quote.objects.select_for_update().filter(pk__in=chunk)
                       .order_by("pk").values_list(*fields)}  # fmt: skip
            priced = selectors.quote_values_priced(Quote.objects.filter(pk__in=chunk))
            rows = []
            for pk, (kept_sent, kept_accepted, status) in current.items():
                # A quote without lines is worth nothing (one could not be sent, but old rows may be odd).
                sent, accepted = priced.get(pk, (Decimal(0), Decimal(0) if status == Q.ACCEPTED else None))
                rows.append(Quote(pk=pk, sent_value=sent if kept_sent is None else kept_sent,
                                  accepted_value=accepted if kept_accepted is None else kept_accepted))  # fmt: skip
            Quote.objects.bulk_update(rows, ["sent_value", "accepted_value"])
        if progress is not None:
            progress(len(chunk))
    return len(ids)
