"""Reads of the quotes app: the quote with its estimate, its pricing per break, and the estimate accuracy.

Pricing (the one definition, used by the page, the API, the send check and acceptance), for a break of
quantity q at each work center's rate of today:
- labor per piece = sum over operations of (setup x setup factor + run/piece x run factor x q) x rate / q:
  the setup is spread over the break, so bigger breaks are cheaper per piece;
- material per piece = cost x (1 + scrap %) for per-piece material, the lot cost / q for per-lot material;
- outside per piece = cost for per-piece services, cost / q for per-lot ones;
- cost per piece = labor + material + outside, each rounded to cents (half up);
- unit price = cost per piece x (1 + markup %), rounded to cents; total = unit price x q;
- margin = (unit price - cost per piece) / unit price, in percent to 0.1.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from jobs.models import Job, RoutingStep, WorkCenter
from mto import reads
from sales.models import Item

from .models import (
    AccuracySample,
    Basis,
    EstimateMaterial,
    EstimateOperation,
    EstimateOutside,
    QuantityBreak,
    Quote,
    QuoteLine,
    QuoteLineCharacteristic,
    QuoteLineDrawing,
    QuoteStatusChange,
)

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


# --- the quote and its estimate ---------------------------------------------------------------------------


def quote_list_queryset() -> QuerySet[Quote]:
    return Quote.objects.select_related("customer", "estimator", "acceptance__sales_order").order_by("-id")


def quote_lines_queryset() -> QuerySet[QuoteLine]:
    return (
        QuoteLine.objects.select_related("item", "chosen_break", "sales_order_line")
        .prefetch_related(
            Prefetch("breaks", queryset=QuantityBreak.objects.order_by("quantity")),
            Prefetch("operations", queryset=EstimateOperation.objects.select_related("work_center")),
            Prefetch("materials", queryset=EstimateMaterial.objects.order_by("id")),
            Prefetch("outside_services", queryset=EstimateOutside.objects.order_by("id")),
            Prefetch("drawings", queryset=QuoteLineDrawing.objects.order_by("uploaded_at", "id")),
            Prefetch("characteristics", queryset=QuoteLineCharacteristic.objects.order_by("position", "id")),
        )
        .order_by("line_no")
    )


_QUOTE_RELATIONS = (
    "customer", "estimator", "margin_approved_by", "acceptance__sales_order", "previous", "next_revision"
)  # fmt: skip


def _quote_page_reads(pk: int) -> dict:
    """The quote page's reads of quote pk, by the key only (mto.reads.CompiledReads keeps their SQL): what
    quote_lines_queryset prefetches, each child read in the order its prefetch gives, grouped by line."""
    by_line = {"line__quote_id": pk}
    return {
        "quote": Quote.objects.select_related(*_QUOTE_RELATIONS).filter(pk=pk),
        "lines": QuoteLine.objects.filter(quote_id=pk).select_related("item", "chosen_break", "sales_order_line")
        .order_by("line_no"),
        "breaks": QuantityBreak.objects.filter(**by_line).order_by("line_id", "quantity"),
        "operations": EstimateOperation.objects.filter(**by_line).select_related("work_center")
        .order_by("line_id", "sequence"),
        "materials": EstimateMaterial.objects.filter(**by_line).order_by("line_id", "id"),
        "outside_services": EstimateOutside.objects.filter(**by_line).order_by("line_id", "id"),
        "drawings": QuoteLineDrawing.objects.filter(**by_line).order_by("line_id", "uploaded_at", "id"),
        "characteristics": QuoteLineCharacteristic.objects.filter(**by_line).order_by("line_id", "position", "id"),
        "status_changes": QuoteStatusChange.objects.filter(quote_id=pk).select_related("changed_by")
        .order_by("changed_at", "id"),
    }  # fmt: skip


_QUOTE_PAGE = reads.CompiledReads(_quote_page_reads)
_LINE_CHILDREN = ("breaks", "operations", "materials", "outside_services", "drawings", "characteristics")


def quote_detail(*, pk: int) -> Quote:
    """The quote with everything its page, its pricing and the API read, as quote_lines_queryset prefetches
    it: one prepared statement on PostgreSQL, compiled once per process (mto.reads.CompiledReads); a fixed
    number of queries elsewhere. Raises Quote.DoesNotExist."""
    rows = _QUOTE_PAGE.fetch(pk)
    if not rows["quote"]:
        raise Quote.DoesNotExist(f"No quote {pk}")
    quote = rows["quote"][0]
    reads.attach([quote], rows["lines"], key="quote_id", cache_name="lines")
    for name in _LINE_CHILDREN:
        reads.attach(rows["lines"], rows[name], key="line_id", cache_name=name)
    reads.attach([quote], rows["status_changes"], key="quote_id", cache_name="status_changes")
    return quote


def quote_for_order_reads(*, order) -> dict:
    """The reads behind quote_for_order (mto.reads)."""
    return {
        "quote": Quote.objects.filter(acceptance__sales_order=order).select_related("acceptance").order_by("pk")[:1],
        "lines": QuoteLine.objects.filter(quote__acceptance__sales_order=order)
        .select_related("chosen_break", "item")
        .order_by("line_no"),
    }


def quote_for_order_from(rows: dict) -> Quote | None:
    reads.attach(rows["quote"], rows["lines"], key="quote_id", cache_name="lines")
    return next(iter(rows["quote"]), None)


def quote_for_order(*, order) -> Quote | None:
    """The quote whose acceptance made `order`, its lines with the break chosen (two queries)."""
    return (
        Quote.objects.filter(acceptance__sales_order=order)
        .select_related("acceptance")
        .prefetch_related(
            Prefetch("lines", queryset=QuoteLine.objects.select_related("chosen_break", "item").order_by("line_no"))
        )
        .first()
    )


def quote_revisions(*, quote: Quote) -> QuerySet[Quote]:
    """Every revision of the quote's number, newest first (earlier ones stay readable)."""
    return Quote.objects.filter(number=quote.number).order_by("-revision")


# --- where a line's routing may start from ------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingRow:
    sequence: int
    work_center_id: int
    description: str
    setup_hours: Decimal
    run_hours_per_piece: Decimal
    setup_factor: Decimal = Decimal("1.00")
    run_factor: Decimal = Decimal("1.00")
    factor_source: str = ""


def routing_source(*, item: Item | None = None, job: Job | None = None, quote_line: QuoteLine | None = None):
    """(what it is, its operations as RoutingRows) of one source: an item's routing, a completed job's
    operations (at the hours they were estimated), or another quote's line (as quoted, factors and all).
    Refuses (ValidationError) a job not complete, or a source with no operations. One query."""
    if sum(source is not None for source in (item, job, quote_line)) != 1:
        raise ValidationError("Copy the routing from an item, a completed job or another quote's line.")
    if item is not None:
        rows = [RoutingRow(s.sequence, s.work_center_id, s.description, s.setup_hours, s.run_hours_per_piece)
                for s in RoutingStep.objects.filter(item=item).order_by("sequence")]  # fmt: skip
        what = f"item {item.part_number} rev {item.revision}"
    elif job is not None:
        if job.status != Job.Status.COMPLETE:
            raise ValidationError(f"{job.number} is not complete; copy from a completed job.")
        rows = [RoutingRow(o.sequence, o.work_center_id, o.description, o.setup_hours, o.run_hours_per_piece)
                for o in job.operations.order_by("sequence")]  # fmt: skip
        what = f"job {job.number}"
    else:
        rows = [RoutingRow(o.sequence, o.work_center_id, o.description, o.setup_hours, o.run_hours_per_piece,
                           o.setup_factor, o.run_factor, o.factor_source)
                for o in EstimateOperation.objects.filter(line=quote_line).order_by("sequence")]  # fmt: skip
        what = f"quote {quote_line.quote.label} line {quote_line.line_no}"
    if not rows:
        raise ValidationError(f"{what} has no routing to copy.")
    return what, rows


def completed_jobs_search(*, text: str, limit: int = 20) -> list[Job]:
    """Completed jobs whose part number or description holds `text` (the same part or a similar one),
    newest first: where a custom part's routing may start from."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        Job.objects.filter(status=Job.Status.COMPLETE)
        .filter(Q(part_number__icontains=text) | Q(description__icontains=text) | Q(number__iexact=text))
        .order_by("-completed_at", "-id")[:limit]
    )


def quote_lines_search(*, text: str, exclude_quote: Quote | None = None, limit: int = 20) -> list[QuoteLine]:
    """Other quotes' lines (any status) by quote number, drawing number, part number or description."""
    text = text.strip()
    if len(text) < 2:
        return []
    lines = QuoteLine.objects.select_related("quote", "item").filter(
        Q(quote__number__icontains=text) | Q(drawing_number__icontains=text) | Q(description__icontains=text)
        | Q(item__part_number__icontains=text)
    )  # fmt: skip
    if exclude_quote is not None and exclude_quote.pk:
        lines = lines.exclude(quote=exclude_quote)
    return list(lines.order_by("-quote_id", "line_no")[:limit])


# --- pricing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakPrice:
    quantity_break: QuantityBreak
    quantity: int
    labor: Decimal
    material: Decimal
    outside: Decimal
    cost: Decimal  # per piece
    unit_price: Decimal
    total: Decimal
    margin_percent: Decimal | None

    @property
    def margin_amount(self) -> Decimal:
        return (self.unit_price - self.cost) * self.quantity


@dataclass
class LinePrice:
    line: QuoteLine
    markup_percent: Decimal
    breaks: list[BreakPrice] = field(default_factory=list)
    lead_days: int = 0  # the longest outside service


@dataclass
class QuotePrice:
    quote: Quote
    lines: list[LinePrice]

    @property
    def lowest_margin(self) -> Decimal | None:
        margins = [b.margin_percent for line in self.lines for b in line.breaks if b.margin_percent is not None]
        return min(margins) if margins else None

    @property
    def needs_margin_approval(self) -> bool:
        lowest = self.lowest_margin
        return lowest is not None and lowest < settings.QUOTE_MIN_MARGIN_PERCENT

    def line(self, line_id: int) -> LinePrice:
        return next(lp for lp in self.lines if lp.line.pk == line_id)


@dataclass(frozen=True)
class LineEstimate:
    """What pricing reads of one line, as plain objects: the saved rows of a line (`of`), or the unsaved rows
    of input being typed on the edit page (quotes.edit builds them). Operations need their work center set
    (its hourly rate is read); nothing here touches the database."""

    line: QuoteLine
    breaks: Sequence[QuantityBreak]
    operations: Sequence[EstimateOperation]
    materials: Sequence[EstimateMaterial]
    outside: Sequence[EstimateOutside]

    @classmethod
    def of(cls, line: QuoteLine) -> "LineEstimate":
        """A saved line's estimate (its relations prefetched by quote_lines_queryset)."""
        return cls(line, list(line.breaks.all()), list(line.operations.all()), list(line.materials.all()),
                   list(line.outside_services.all()))  # fmt: skip


def price_break(estimate: LineEstimate, quantity: int, *, markup: Decimal, quantity_break=None) -> BreakPrice:
    """One break of one line's estimate."""
    q = Decimal(quantity)
    labor = sum(
        (
            (op.setup_hours * op.setup_factor + op.run_hours_per_piece * op.run_factor * q)
            * op.work_center.hourly_rate
            for op in estimate.operations
        ),
        Decimal(0),
    )
    material = sum(
        (m.cost * (1 + m.scrap_percent / 100) * q if m.basis == Basis.PIECE else m.cost for m in estimate.materials),
        Decimal(0),
    )
    outside = sum((o.cost * q if o.basis == Basis.PIECE else o.cost for o in estimate.outside), Decimal(0))
    labor, material, outside = _cents(labor / q), _cents(material / q), _cents(outside / q)
    cost = labor + material + outside
    unit_price = _cents(cost * (1 + markup / 100))
    margin = ((unit_price - cost) * 100 / unit_price).quantize(TENTH, ROUND_HALF_UP) if unit_price else None
    return BreakPrice(quantity_break, quantity, labor, material, outside, cost, unit_price, unit_price * quantity,
                      margin)  # fmt: skip


def price_line(estimate: LineEstimate | QuoteLine, *, quote_markup: Decimal) -> LinePrice:
    """Every break of one line: a saved line (read through LineEstimate.of) or an unsaved estimate."""
    if isinstance(estimate, QuoteLine):
        estimate = LineEstimate.of(estimate)
    line = estimate.line
    markup = line.markup_percent if line.markup_percent is not None else quote_markup
    priced = LinePrice(line, markup)
    priced.breaks = [price_break(estimate, b.quantity, markup=markup, quantity_break=b) for b in estimate.breaks]
    priced.lead_days = max((o.lead_days for o in estimate.outside), default=0)
    return priced


def quote_pricing(*, quote: Quote, estimates: Sequence[LineEstimate] | None = None) -> QuotePrice:
    """Every line's price at every break. Without `estimates`, the quote's saved lines, read with
    quote_lines_queryset (prefetched by quote_detail, else fetched here): a fixed number of queries whatever
    the number of lines. With `estimates` (unsaved input, e.g. the edit page's preview): those, no query."""
    if estimates is None:
        cache = getattr(quote, "_prefetched_objects_cache", {})
        lines = list(quote.lines.all()) if "lines" in cache else list(quote_lines_queryset().filter(quote=quote))
        estimates = [LineEstimate.of(line) for line in lines]
    return QuotePrice(quote, [price_line(e, quote_markup=quote.markup_percent) for e in estimates])


def first_break_value(pricing: QuotePrice) -> Decimal:
    """What a quote is worth as sent: each line at its first (smallest) break, the quantity asked for."""
    return sum((line.breaks[0].total for line in pricing.lines if line.breaks), Decimal(0))


def chosen_break_value(pricing: QuotePrice, chosen: dict[int, int | None]) -> Decimal:
    """What a quote is worth as accepted: `chosen` is {line id: the chosen break's quantity}; a line without
    one counts at its first break."""
    total = Decimal(0)
    for line in pricing.lines:
        quantity = chosen.get(line.line.pk)
        price = next((b for b in line.breaks if b.quantity == quantity), line.breaks[0] if line.breaks else None)
        total += price.total if price else Decimal(0)
    return total


def quote_values_priced(quotes: QuerySet[Quote]) -> dict[int, tuple[Decimal, Decimal | None]]:
    """quote id -> (its value as sent, as accepted or None), priced now from the saved estimates, for quotes
    whose values were never stored: every line of every quote in a fixed number of queries."""
    by_quote: dict[int, list[QuoteLine]] = {}
    quotes_by_id = {}
    for line in quote_lines_queryset().filter(quote__in=quotes).select_related("quote", "chosen_break"):
        by_quote.setdefault(line.quote_id, []).append(line)
        quotes_by_id[line.quote_id] = line.quote
    values = {}
    for pk, lines in by_quote.items():
        quote = quotes_by_id[pk]
        pricing = quote_pricing(quote=quote, estimates=[LineEstimate.of(line) for line in lines])
        accepted = None
        if quote.status == Quote.Status.ACCEPTED:
            chosen = {line.pk: line.chosen_break.quantity if line.chosen_break_id else None for line in lines}
            accepted = chosen_break_value(pricing, chosen)
        values[pk] = (first_break_value(pricing), accepted)
    return values


# --- estimate accuracy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    median: Decimal | None
    p80: Decimal | None
    count: int

    @property
    def over_percent(self) -> Decimal | None:
        """How far the median ran over (+) or under (-) the estimate, in whole percent."""
        return None if self.median is None else ((self.median - 1) * 100).quantize(Decimal("1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Accuracy:
    work_center: WorkCenter
    setup: Ratio
    run: Ratio
    days: int

    def summary(self) -> str:
        parts = []
        for word, ratio in (("setups", self.setup), ("run hours per piece", self.run)):
            if ratio.count:
                parts.append(f"{word} ran {ratio.over_percent:+}% over {ratio.count} operations")
        if not parts:
            return f"{self.work_center.code}: no completed operations in the last {self.days} days"
        return f"{self.work_center.code} " + "; ".join(parts) + f" (median, last {self.days} days)"


# Per finished operation of the given completed jobs: the estimated setup and run hours per piece, and the
# actual ones from its stopped time entries. Convention of the floor: an entry that reported no pieces was
# setup (start, set up, pause); entries with pieces were the run, spread over the pieces the operation made.
# quotes.services.accuracy_samples_record stores one AccuracySample per row when the job completes.
_DURATION = {
    "postgresql": "EXTRACT(EPOCH FROM (t.stopped_at - t.started_at)) / 3600.0",
    "sqlite": "(julianday(t.stopped_at) - julianday(t.started_at)) * 24.0",
}
OPERATION_ACTUALS_SQL = """
SELECT o.id, o.work_center_id, j.completed_at,
       o.setup_hours, o.run_hours_per_piece, (o.good_qty + o.scrap_qty),
       SUM(CASE WHEN t.good_qty = 0 AND t.scrap_qty = 0 THEN {duration} ELSE 0 END),
       SUM(CASE WHEN t.good_qty = 0 AND t.scrap_qty = 0 THEN 0 ELSE {duration} END)
  FROM jobs_job j
  JOIN jobs_operation o ON o.job_id = j.id
  JOIN jobs_timeentry t ON t.operation_id = o.id
 WHERE j.status = 'complete' AND j.id IN ({job_ids}) AND t.stopped_at IS NOT NULL
 GROUP BY o.id, o.work_center_id, j.completed_at, o.setup_hours, o.run_hours_per_piece, o.good_qty, o.scrap_qty
"""


def operation_ratios(est_setup, est_run, pieces, act_setup, act_run) -> tuple[float | None, float | None]:
    """(actual / estimated setup hours, actual / estimated run hours per piece); None where a side is 0."""
    est_setup, est_run, act_setup, act_run = (float(v or 0) for v in (est_setup, est_run, act_setup, act_run))
    setup = act_setup / est_setup if est_setup > 0 and act_setup > 0 else None
    run = act_run / pieces / est_run if est_run > 0 and pieces and act_run > 0 else None
    return setup, run


def operation_actuals(job_ids: list[int]) -> list[tuple]:
    """(operation id, work center id, completed at, setup ratio, run ratio) of the finished operations of those
    jobs that are complete: one query (the caller chunks long lists)."""
    if not job_ids:
        return []
    vendor = connection.vendor if connection.vendor in _DURATION else "sqlite"
    sql = OPERATION_ACTUALS_SQL.format(duration=_DURATION[vendor], job_ids=", ".join(["%s"] * len(job_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(job_ids))
        rows = cursor.fetchall()
    return [(op, wc, _aware_utc(at), *operation_ratios(es, er, pieces, a_s, a_r))
            for op, wc, at, es, er, pieces, a_s, a_r in rows]  # fmt: skip


def _aware_utc(at):
    """A raw cursor on SQLite gives the stored UTC time without its zone (PostgreSQL's carries it)."""
    return timezone.make_aware(at, datetime.UTC) if at is not None and timezone.is_naive(at) else at


# One statement whatever the cache holds: the newest sample's time at these work centers (one index probe
# each), and the figures only when it is not the time the cached figures were worked out at (`m.latest IS
# DISTINCT FROM %s` is a one-time filter: when it is false PostgreSQL does not read the samples at all).
_PG_SQL = """
SELECT m.latest, s.*
  FROM (SELECT MAX((SELECT MAX(a.completed_at) FROM quotes_accuracysample a WHERE a.work_center_id = w.id)) AS latest
          FROM unnest(%s::bigint[]) AS w(id)) m
  LEFT JOIN LATERAL (
    SELECT work_center_id,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY setup_ratio),
           percentile_cont(0.8) WITHIN GROUP (ORDER BY setup_ratio), COUNT(setup_ratio),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ratio),
           percentile_cont(0.8) WITHIN GROUP (ORDER BY run_ratio), COUNT(run_ratio)
      FROM quotes_accuracysample
     WHERE work_center_id IN ({ids}) AND completed_at >= %s AND m.latest IS DISTINCT FROM %s
     GROUP BY work_center_id
  ) s ON TRUE
"""
# The figures last worked out per (work centers, window start), with the newest sample time they include.
# Samples are only ever added, as jobs complete (quotes.services.accuracy_samples_record, at the completion's
# time), so a newer time means new figures; a sample committed just after a newer one (two completions at
# once) joins at the next sample or the next day. Per process: thousands of ratios to sort per work center.
_accuracy_cache: dict[tuple, tuple] = {}


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks: what PostgreSQL's percentile_cont gives."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(median, p80, count) -> Ratio:
    def dec(value):
        return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)

    return Ratio(dec(median), dec(p80), int(count or 0))


def estimate_accuracy(*, work_centers: list[WorkCenter] | None = None, days: int | None = None) -> dict[int, Accuracy]:
    """Actual against estimated setup hours and run hours per piece, per work center, from the operations of
    jobs completed in the last `days` (settings.QUOTE_ACCURACY_DAYS): median, 80th percentile, count.

    One aggregate query over AccuracySample's (work center, completed at) index, which carries the ratios
    (an index-only scan on PostgreSQL, percentile_cont in the query); elsewhere the same rows are reduced in
    Python with the same interpolation. Percentiles ignore NULLs, so each ratio counts where it exists. Work
    centers with no data get counts of 0.
    """
    days = days or settings.QUOTE_ACCURACY_DAYS
    # From the start of the day `days` ago: the window moves a day at a time, so its figures can be kept.
    since_day = timezone.localdate() - timedelta(days=days)
    since = timezone.make_aware(datetime.datetime.combine(since_day, datetime.time.min))
    centers = list(work_centers) if work_centers is not None else list(WorkCenter.objects.order_by("code"))
    if not centers:
        return {}
    ids = [wc.pk for wc in centers]
    found: dict[int, tuple[Ratio, Ratio]] = {}
    if connection.vendor == "postgresql":
        key = (connection.alias, connection.settings_dict["NAME"], tuple(ids), since_day)
        cached_at, cached = _accuracy_cache.get(key, (None, None))
        with connection.cursor() as cursor:
            cursor.execute(_PG_SQL.format(ids=", ".join(["%s"] * len(ids))), [ids, *ids, since, cached_at])
            rows = cursor.fetchall()
        latest = rows[0][0]
        if cached is not None and latest == cached_at:  # (no samples at all: None both, and nothing to read)
            found = cached
        else:
            for _, wc, s50, s80, sn, r50, r80, rn in rows:
                if wc is not None:
                    found[wc] = (_ratio(s50, s80, sn), _ratio(r50, r80, rn))
            if len(_accuracy_cache) > 500:  # old days and rare sets of work centers
                _accuracy_cache.clear()
            _accuracy_cache[key] = (latest, found)
    else:
        setups: dict[int, list[float]] = {}
        runs: dict[int, list[float]] = {}
        samples = AccuracySample.objects.filter(work_center_id__in=ids, completed_at__gte=since)
        for wc, setup, run in samples.values_list("work_center_id", "setup_ratio", "run_ratio"):
            if setup is not None:
                setups.setdefault(wc, []).append(setup)
            if run is not None:
                runs.setdefault(wc, []).append(run)
        for wc in set(setups) | set(runs):
            s, r = setups.get(wc, []), runs.get(wc, [])
            found[wc] = (_ratio(percentile(s, 0.5), percentile(s, 0.8), len(s)),
                         _ratio(percentile(r, 0.5), percentile(r, 0.8), len(r)))  # fmt: skip
    empty = Ratio(None, None, 0)
    return {wc.pk: Accuracy(wc, *found.get(wc.pk, (empty, empty)), days=days) for wc in centers}
