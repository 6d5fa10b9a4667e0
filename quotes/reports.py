"""Reads of the quote reports: how many quotes are won, for how much, how fast they go out, how good the
estimates were. Each in a fixed number of queries whatever the period holds.

Which quotes count: those sent in the period, less the revisions a later revision replaced (the last
revision carries the outcome, so a quote revised twice counts once). Won: accepted; hit rate = won / sent,
those still open included. A quote's value is worked out by quotes.selectors.price_break at the break the
customer chose (accepted) or, for the others, at each line's first (smallest) break: a quote prices several
quantities, and the first one is what was asked for. Prices are at today's rates, as the quote page shows them.
Days to quote: from the quote's creation to its sending.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from mto.charts import percent

from .models import Quote
from .selectors import LineEstimate, estimate_accuracy, price_break, quote_lines_queryset

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
GROUPS = {"customer": "Customer", "month": "Month sent", "estimator": "Estimator"}


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def sent_quotes(*, start: datetime.date, end: datetime.date) -> QuerySet[Quote]:
    """Quotes sent from `start` to `end` (dates, both included), the replaced revisions left out."""
    return Quote.objects.filter(sent_at__gte=_aware(start), sent_at__lt=_aware(end + datetime.timedelta(days=1))
                                ).exclude(status=Quote.Status.REVISED)  # fmt: skip


def quote_values(quotes: QuerySet[Quote]) -> dict[int, Decimal]:
    """quote id -> its value (see the module's docstring): the lines of all the quotes at once, so a fixed
    number of queries (lines, breaks, operations with work centers, materials, outside services)."""
    values: dict[int, Decimal] = defaultdict(Decimal)
    lines = quote_lines_queryset().filter(quote__in=quotes).select_related("quote")
    for line in lines:
        quote = line.quote
        breaks = list(line.breaks.all())
        chosen = line.chosen_break if quote.status == Quote.Status.ACCEPTED and line.chosen_break_id else None
        quantity = chosen.quantity if chosen else (breaks[0].quantity if breaks else 0)
        if not quantity:
            continue
        markup = line.markup_percent if line.markup_percent is not None else quote.markup_percent
        values[quote.pk] += price_break(LineEstimate.of(line), quantity, markup=markup).total
    return values


def _estimator_name(user) -> str:
    return user.get_full_name() or user.username


def quote_outcomes(*, group: str, start: datetime.date, end: datetime.date) -> list[list]:
    """Per customer (or prospect), month sent or estimator: quotes sent, won, declined, hit rate (%), quoted
    value, won value, won share of the value (%), average days from creation to sending."""
    quotes = list(sent_quotes(start=start, end=end).select_related("customer", "estimator"))
    values = quote_values(sent_quotes(start=start, end=end)) if quotes else {}
    groups: dict[str, dict] = {}
    for quote in quotes:
        if group == "month":
            key = timezone.localtime(quote.sent_at).strftime("%Y-%m")
        elif group == "estimator":
            key = _estimator_name(quote.estimator)
        else:
            key = quote.party_name
        g = groups.setdefault(key, {"sent": 0, "won": 0, "declined": 0, "quoted": Decimal(0), "won_value": Decimal(0),
                                    "days": 0.0})  # fmt: skip
        value = values.get(quote.pk, Decimal(0))
        g["sent"] += 1
        g["quoted"] += value
        g["days"] += (quote.sent_at - quote.created_at).total_seconds() / 86400
        if quote.status == Quote.Status.ACCEPTED:
            g["won"] += 1
            g["won_value"] += value
        elif quote.status == Quote.Status.DECLINED:
            g["declined"] += 1
    rows = [
        [key, g["sent"], g["won"], g["declined"], percent(g["won"], g["sent"]), g["quoted"].quantize(CENT),
         g["won_value"].quantize(CENT), percent(g["won_value"], g["quoted"]),
         Decimal(g["days"] / g["sent"]).quantize(TENTH, ROUND_HALF_UP)]
        for key, g in groups.items()
    ]  # fmt: skip
    if group == "month":
        return sorted(rows, key=lambda r: r[0])
    return sorted(rows, key=lambda r: (-r[5], r[0]))


def accuracy_rows(*, days: int) -> list[list]:
    """The estimate-accuracy table: per work center, the operations of jobs completed in the last `days` that
    the setup and the run figures rest on, with the median and 80th percentile of actual / estimated."""
    rows = []
    for figures in estimate_accuracy(days=days).values():
        wc, setup, run = figures.work_center, figures.setup, figures.run
        rows.append([f"{wc.code} - {wc.name}", setup.count, setup.median, setup.p80, run.count, run.median, run.p80])
    return rows


# --- charts: two bars per group (quoted and won, setup and run), each with its numbers as a table ----------


@dataclass(frozen=True)
class PairedBar:
    label: str
    first: float
    second: float
    first_display: str
    second_display: str
    y: int
    first_width: float
    second_width: float


def paired_chart(rows, *, title: str, first: str, second: str, fmt: str = "{:,.0f}", reference=None) -> dict:
    """rows: (label, first value, second value). What quotes/partials/paired_bar_chart.html draws: for each
    label a bar for each value, scaled to the largest; `reference` (e.g. 1.0 for "as estimated") a dashed line."""
    rows = [(str(label), float(a or 0), float(b or 0)) for label, a, b in rows]
    top = max([abs(v) for _, a, b in rows for v in (a, b)] + [float(reference or 0)], default=0) or 1.0

    def width(value):
        return min(abs(value) / top, 1.0) * 300

    bars = [
        PairedBar(label, a, b, fmt.format(a), fmt.format(b), 24 + i * 40, width(a), width(b))
        for i, (label, a, b) in enumerate(rows)
    ]
    return {
        "title": title, "first": first, "second": second, "bars": bars, "height": 30 + 40 * len(bars),
        "reference_x": 150 + width(reference) if reference is not None else None,
        "reference": fmt.format(reference) if reference is not None else "",
    }  # fmt: skip
