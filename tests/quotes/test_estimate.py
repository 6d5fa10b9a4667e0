"""Editing a draft's lines (kept lines keep their drawings), copying a routing from another quote's line,
drawings checked by content and carried onto the order, and pricing of unsaved input on the one path."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from quotes import selectors, services
from quotes.models import EstimateOperation, QuoteLine, QuoteLineDrawing
from sales.models import LineDrawing
from tests.factories import ItemFactory
from tests.scenarios import bracket_line

D = Decimal
pytestmark = pytest.mark.django_db


def pdf(name="dwg.pdf", body=b"%PDF-1.4 bracket"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_copy_routing_from_another_quotes_line_as_quoted(make_quote, office):
    source = make_quote()
    source_line = source.lines.get()
    services.quote_apply_accuracy(quote=source, by=office)  # no data: factors stay 1, the source is written
    EstimateOperation.objects.filter(line=source_line, sequence=20).update(setup_factor=D("1.20"))
    target = make_quote(lines=1)
    line = target.lines.get()
    EstimateOperation.objects.filter(line=line).delete()
    services.quote_line_copy_routing(line=line, by=office, quote_line=source_line)
    copied = [(o.sequence, o.work_center.code, o.setup_hours, o.setup_factor) for o in line.operations.all()]
    assert copied == [(10, "SAW", D("0.500"), D("1.00")), (20, "CNC", D("2.000"), D("1.20"))]
    with pytest.raises(ValidationError, match="not from the line itself"):
        services.quote_line_copy_routing(line=line, by=office, quote_line=line)
    with pytest.raises(ValidationError, match="from an item, a completed job or another quote"):
        services.quote_line_copy_routing(line=line, by=office, quote_line=source_line, item=ItemFactory())


def test_copy_routing_refused_on_a_sent_quote(make_quote, office):
    source = make_quote()
    quote = services.quote_send(quote=make_quote(), by=office)
    with pytest.raises(ValidationError, match="only drafts can be edited"):
        services.quote_line_copy_routing(line=quote.lines.get(), by=office, quote_line=source.lines.get())


def test_update_keeps_a_line_by_id_with_its_drawings_and_renumbers(make_quote, office, centers):
    quote = make_quote(lines=2)
    first, second = quote.lines.all()
    services.quote_update(quote=quote, by=office, lines=[
        {**bracket_line(centers), "id": first.pk, "drawings": [pdf()]},
        {**bracket_line(centers), "id": second.pk},
    ])  # fmt: skip
    drawing = QuoteLineDrawing.objects.get()
    assert drawing.line_id == first.pk and drawing.content_type == "application/pdf"
    assert drawing.file.read() == b"%PDF-1.4 bracket" and drawing.file.name.startswith("drawings/quotes/")
    # The second line goes first, the first is dropped: its drawing goes with it.
    services.quote_update(quote=quote, by=office, lines=[{**bracket_line(centers, breaks=(5,)), "id": second.pk}])
    assert list(QuoteLine.objects.filter(quote=quote).values_list("pk", "line_no")) == [(second.pk, 1)]
    assert quote.lines.get().break_quantities == [5] and not QuoteLineDrawing.objects.exists()


def test_update_swaps_two_kept_lines(make_quote, office, centers):
    quote = make_quote(lines=2)
    first, second = quote.lines.all()
    services.quote_update(quote=quote, by=office, lines=[{**bracket_line(centers), "id": second.pk},
                                                         {**bracket_line(centers), "id": first.pk}])  # fmt: skip
    assert dict(QuoteLine.objects.values_list("pk", "line_no")) == {second.pk: 1, first.pk: 2}


def test_a_drawing_that_is_not_what_it_says_changes_nothing(make_quote, office, centers):
    quote = make_quote()
    line = quote.lines.get()
    with pytest.raises(ValidationError, match="not a PDF, PNG or JPEG"):
        services.quote_update(quote=quote, by=office, notes="changed", lines=[
            {**bracket_line(centers, breaks=(7,)), "id": line.pk, "drawings": [pdf("evil.pdf", b"MZ\x90\x00")]},
        ])  # fmt: skip
    quote.refresh_from_db()
    assert quote.notes == "" and quote.lines.get().break_quantities == [1, 10, 100]
    assert not QuoteLineDrawing.objects.exists()


def test_a_line_of_another_quote_is_refused(make_quote, office, centers):
    other = make_quote().lines.get()
    quote = make_quote()
    with pytest.raises(ValidationError, match="does not belong to this quote"):
        services.quote_update(quote=quote, by=office, lines=[{**bracket_line(centers), "id": other.pk}])


def test_accepting_carries_the_drawings_onto_the_order_line(make_quote, office, centers):
    quote = make_quote()
    line = quote.lines.get()
    services.quote_update(
        quote=quote, by=office, lines=[{**bracket_line(centers), "id": line.pk, "drawings": [pdf("DWG-4471 C.pdf")]}]
    )
    quote = services.quote_send(quote=quote, by=office)
    order = services.quote_accept(quote=quote, by=office, breaks={line.pk: 10})
    (drawing,) = LineDrawing.objects.filter(line__order=order)
    assert drawing.original_name == "DWG-4471 C.pdf" and drawing.content_type == "application/pdf"
    assert drawing.file.read() == b"%PDF-1.4 bracket"
    assert drawing.file.name != QuoteLineDrawing.objects.get().file.name  # the order's own copy


def test_unsaved_estimate_prices_as_the_saved_line(make_quote, centers):
    quote = make_quote()
    saved = selectors.quote_pricing(quote=selectors.quote_detail(pk=quote.pk)).lines[0]
    data = bracket_line(centers)
    estimate = selectors.LineEstimate(
        line=QuoteLine(line_no=1, description=data["description"], drawing_number=data["drawing_number"]),
        breaks=[selectors.QuantityBreak(quantity=q) for q in data["breaks"]],
        operations=[EstimateOperation(sequence=n, **op) for n, op in enumerate(data["operations"], 1)],
        materials=[selectors.EstimateMaterial(**m) for m in data["materials"]],
        outside=[selectors.EstimateOutside(**o) for o in data["outside"]],
    )
    unsaved = selectors.quote_pricing(quote=quote, estimates=[estimate]).lines[0]
    strip = [(b.quantity, b.labor, b.material, b.outside, b.cost, b.unit_price, b.total, b.margin_percent)
             for b in saved.breaks]  # fmt: skip
    assert strip == [(b.quantity, b.labor, b.material, b.outside, b.cost, b.unit_price, b.total, b.margin_percent)
                     for b in unsaved.breaks]  # fmt: skip
    assert unsaved.lead_days == saved.lead_days == 7


def test_update_removes_the_drawings_asked(make_quote, office, centers):
    quote = make_quote()
    line = quote.lines.get()
    kept = services.quote_line_attach_drawing(line=line, upload=pdf("keep.pdf"), by=office)
    gone = services.quote_line_attach_drawing(line=line, upload=pdf("gone.pdf"), by=office)
    services.quote_update(
        quote=quote, by=office, lines=[{**bracket_line(centers), "id": line.pk, "remove_drawings": [gone.pk]}]
    )
    assert list(QuoteLineDrawing.objects.values_list("pk", flat=True)) == [kept.pk]
