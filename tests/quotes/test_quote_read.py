"""The quote page's read (quotes.selectors.quote_detail): one statement compiled once per process on PostgreSQL
(mto.reads.CompiledReads), giving what the prefetching read it replaced gave, for quotes of every shape."""

from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mto import reads
from quotes import selectors, services
from quotes.models import Quote, QuoteStatusChange
from tests.scenarios import page_queries

BORE = {"operation_sequence": 20, "name": "Slot width", "kind": "dimension", "nominal": Decimal("8.00"),
        "tolerance_plus": Decimal("0.05"), "tolerance_minus": Decimal("0.00"), "unit": "mm"}  # fmt: skip


def _prefetched(pk: int) -> Quote:
    """The read quote_detail made before it was compiled: select_related and prefetch_related."""
    return (
        Quote.objects.select_related(
            "customer", "estimator", "margin_approved_by", "acceptance__sales_order", "previous", "next_revision"
        )
        .prefetch_related(
            Prefetch("lines", queryset=selectors.quote_lines_queryset()),
            Prefetch("status_changes", queryset=QuoteStatusChange.objects.select_related("changed_by")),
        )
        .get(pk=pk)
    )


def _fields(obj) -> dict | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _related(obj, name: str):
    try:
        return _fields(getattr(obj, name))
    except ObjectDoesNotExist:  # a reverse one-to-one with no row (next_revision)
        return None


def _dump(quote: Quote) -> dict:
    """Everything the page, pricing and the API read from the quote, as plain values."""
    acceptance = getattr(quote, "acceptance", None)  # None when there is none (its exception is an AttributeError)
    return {
        "quote": _fields(quote),
        "relations": {
            name: _related(quote, name)
            for name in ("customer", "estimator", "margin_approved_by", "previous", "next_revision")
        },  # fmt: skip
        "acceptance": (_fields(acceptance), _fields(acceptance.sales_order)) if acceptance else None,
        "history": [(_fields(c), _fields(c.changed_by)) for c in quote.status_changes.all()],
        "lines": [
            {
                "line": _fields(line),
                "item": _fields(line.item),
                "chosen": _fields(line.chosen_break),
                "order_line": _fields(line.sales_order_line),
                "back": line.quote is quote,
                **{name: [_fields(child) for child in getattr(line, name).all()] for name in selectors._LINE_CHILDREN},
                "centers": [_fields(op.work_center) for op in line.operations.all()],
            }
            for line in quote.lines.all()
        ],
    }


@pytest.fixture
def quotes_of_every_shape(make_quote, office, centers, customer):
    """A draft of three lines, the first with a drawing and two characteristics; a sent quote and its revision;
    an accepted one with its order; a prospect's."""
    draft = make_quote(lines=3)
    first = draft.lines.order_by("line_no").first()
    services.quote_line_attach_drawing(
        line=first, upload=SimpleUploadedFile("DWG-1.pdf", b"%PDF-1.4 a", content_type="application/pdf"), by=office
    )
    services.quote_line_characteristic_add(line=first, by=office, **BORE)
    services.quote_line_characteristic_add(line=first, by=office, **{**BORE, "name": "Slot depth"})
    sent = services.quote_send(quote=make_quote(lines=2), by=office)
    revised = services.quote_revise(quote=sent, by=office)
    accepted = services.quote_send(quote=make_quote(lines=2), by=office)
    services.quote_accept(quote=accepted, by=office, breaks={line.pk: 10 for line in accepted.lines.all()})
    prospect = make_quote(customer=None, prospect_name="Newco", prospect_email="buy@newco.example.com", lines=1)
    return [draft, sent, revised, accepted, prospect]


def test_the_compiled_read_gives_what_the_prefetching_read_gave(quotes_of_every_shape):
    for quote in quotes_of_every_shape:
        compiled = selectors.quote_detail(pk=quote.pk)
        assert _dump(compiled) == _dump(_prefetched(quote.pk)), quote.label
        with reads.one_by_one():  # as on SQLite: each read on its own
            assert _dump(selectors.quote_detail(pk=quote.pk)) == _dump(compiled)
    shapes = [_dump(selectors.quote_detail(pk=q.pk)) for q in quotes_of_every_shape]
    # the shapes really differ: a drawing, characteristics, a revision each way, an acceptance, a prospect
    assert shapes[0]["lines"][0]["drawings"] and len(shapes[0]["lines"][0]["characteristics"]) == 2
    assert shapes[1]["relations"]["next_revision"] and shapes[2]["relations"]["previous"]
    assert shapes[3]["acceptance"] and all(line["chosen"] and line["order_line"] for line in shapes[3]["lines"])
    assert shapes[4]["relations"]["customer"] is None


def test_a_missing_quote_is_refused(db):
    with pytest.raises(Quote.DoesNotExist):
        selectors.quote_detail(pk=987654)


@pytest.mark.django_db(transaction=True)
def test_the_page_reads_the_quote_in_one_statement_whatever_its_lines(client, make_quote, office):
    client.force_login(office)
    counts = {lines: page_queries(client, reverse("quotes:quote-detail", args=[make_quote(lines=lines).pk]))
              for lines in (2, 20)}  # fmt: skip
    assert counts[2] == counts[20]
    if connection.vendor == "postgresql":
        quote = make_quote(lines=4)
        with CaptureQueriesContext(connection) as ctx:
            selectors.quote_detail(pk=quote.pk)
        assert len(ctx.captured_queries) == 1 and "json_agg" in ctx.captured_queries[0]["sql"]
