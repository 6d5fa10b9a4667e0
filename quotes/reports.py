"""Reads of the quote reports: how many quotes are won, for how much, how fast they go out, how good the
estimates were. Each in a fixed number of queries whatever the period holds.

Which quotes count: those sent in the period, less the revisions a later revision replaced (the last
revision carries the outcome, so a quote revised twice counts once). Won: accepted; hit rate = won / sent,
those still open included. A quote's value is the one its services stored: at the breaks the customer
chose (accepted) or, for the others, at each line's first (smallest) break as sent (a quote prices several
quantities, and the first one is what was asked for): the prices the customer saw, not today's rates. Quotes
sent before the values were stored are priced at today's rates until quote_values_store fills them.
Days to quote: from the quote's creation to its sending.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from mto.charts import percent

from .models import Quote
from .selectors import estimate_accuracy, quote_values_priced

User = get_user_model()

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
GROUPS = {"customer": "Customer", "month": "Month sent", "estimator": "Estimator"}


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def sent_quotes(*, start: datetime.date, end: datetime.date) -> QuerySet[Quote]:
    """Quotes sent from `start` to `end` (dates, both included), the replaced revisions left out."""
    return Quote.objects.filter(sent_at__gte=_aware(start), sent_at__lt=_aware(end + datetime.timedelta(days=1))
                                ).exclude(status=Quote.Status.REVISED)  # fmt: skip


def _value_unstored() -> Q:
    """Quotes sent before their values were stored (quotes.services.quote_values_store fills them)."""
    return Q(sent_value__isnull=True) | Q(status=Quote.Status.ACCEPTED, accepted_value__isnull=True)


def quote_values(quotes: QuerySet[Quote]) -> dict[int, Decimal]:
    """quote id -> its value (see the module's docstring): the stored one, or priced now for a quote sent
    before values were stored. A fixed number of queries."""
    values = {}
    for pk, status, sent, accepted in quotes.exclude(_value_unstored()).values_list(
        "pk", "status", "sent_value", "accepted_value"
    ):
        values[pk] = accepted if status == Quote.Status.ACCEPTED else sent
    for pk, (sent, accepted) in quote_values_priced(quotes.filter(_value_unstored())).items():
        values[pk] = accepted if accepted is not None else sent
    return values


def _estimator_name(user) -> str:
    return user.get_full_name() or user.username


def _group_key(group: str):
    if group == "month":
        return TruncMonth("sent_at")  # in the current time zone, as the page's dates are
    if group == "estimator":
        return F("estimator_id")
    return Coalesce(F("customer__name"), F("prospect_name"))


def quote_outcomes(*, group: str, start: datetime.date, end: datetime.date) -> list[list]:
    """Per customer (or prospect), month sent or estimator: quotes sent, won, declined, hit rate (%), quoted
    value, won value, won share of the value (%), average days from creation to sending.

    Counted and summed by the database from the stored values (one query, whatever the period holds); the
    few quotes sent before values were stored are priced here and added to their group."""
    won, declined = Q(status=Quote.Status.ACCEPTED), Q(status=Quote.Status.DECLINED)
    value = Case(When(won, then=F("accepted_value")), default=F("sent_value"))
    quotes = sent_quotes(start=start, end=end)
    totals = (
        quotes.exclude(_value_unstored())
        .values(key=_group_key(group))
        .annotate(
            sent=Count("pk"), won=Count("pk", filter=won), declined=Count("pk", filter=declined),
            quoted=Sum(value), won_value=Sum("accepted_value", filter=won),
            waited=Sum(ExpressionWrapper(F("sent_at") - F("created_at"), output_field=DurationField())),
        )
        .order_by()
    )  # fmt: skip
    empty = {"sent": 0, "won": 0, "declined": 0, "quoted": Decimal(0), "won_value": Decimal(0), "days": 0.0}
    groups: dict[str, dict] = {}

    def label(key) -> str:
        if group == "month":
            return timezone.localtime(key).strftime("%Y-%m")
        if group == "estimator":
            return names[key]
        return key

    rows = list(totals)
    unstored = list(quotes.filter(_value_unstored()).select_related("customer", "estimator"))
    estimator_ids = {r["key"] for r in rows} if group == "estimator" else set()
    names = {u.pk: _estimator_name(u) for u in User.objects.filter(pk__in=estimator_ids)} if estimator_ids else {}
    for r in rows:
        g = groups.setdefault(label(r["key"]), dict(empty))  # two estimators of one name share a row
        g["sent"] += r["sent"]
        g["won"] += r["won"]
        g["declined"] += r["declined"]
        g["quoted"] += r["quoted"] or 0
        g["won_value"] += r["won_value"] or 0
        g["days"] += r["waited"].total_seconds() / 86400 if r["waited"] else 0.0
    priced = quote_values(Quote.objects.filter(pk__in=[q.pk for q in unstored])) if unstored else {}
    for quote in unstored:
        if group == "month":
            key = timezone.localtime(quote.sent_at).strftime("%Y-%m")
        elif group == "estimator":
            key = _estimator_name(quote.estimator)
        else:
            key = quote.party_name
        g = groups.setdefault(key, dict(empty))
        amount = priced.get(quote.pk, Decimal(0))
        g["sent"] += 1
        g["quoted"] += amount
        g["days"] += (quote.sent_at - quote.created_at).total_seconds() / 86400
        if quote.status == Quote.Status.ACCEPTED:
            g["won"] += 1
            g["won_value"] += amount
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
    first: float | None
    second: float | None
    first_display: str
    second_display: str
    y: int
    first_width: float
    second_width: float


def _number(value) -> float | None:
    return None if value is None else float(value)


def paired_chart(rows, *, title: str, first: str, second: str, fmt: str = "{:,.0f}", reference=None) -> dict:
    """rows: (label, first value, second value). What quotes/partials/paired_bar_chart.html draws: for each
    label a bar for each value, scaled to the largest; `reference` (e.g. 1.0 for "as estimated") a dashed line.
    A value of None (nothing measured, e.g. no setups recorded) draws no bar and reads "none", not 0."""
    rows = [(str(label), _number(a), _number(b)) for label, a, b in rows]
    top = max([abs(v) for _, a, b in rows for v in (a, b) if v is not None] + [float(reference or 0)],
              default=0) or 1.0  # fmt: skip

    def width(value):
        return 0.0 if value is None else min(abs(value) / top, 1.0) * 300

    def shown(value):
        return "none" if value is None else fmt.format(value)

    bars = [
        PairedBar(label, a, b, shown(a), shown(b), 24 + i * 40, width(a), width(b))
        for i, (label, a, b) in enumerate(rows)
    ]
    return {
        "title": title, "first": first, "second": second, "bars": bars, "height": 30 + 40 * len(bars),
        "reference_x": 150 + width(reference) if reference is not None else None,
        "reference": fmt.format(reference) if reference is not None else "",
    }  # fmt: skip
