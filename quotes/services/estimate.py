"""Quote drafts and their estimates: create, edit, copy a routing, apply the estimate accuracy."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from jobs.models import Job
from mto.db import atomic_with_retry
from mto.services import document_number_next
from mto.transitions import User, initial_status, record_first_status
from sales.models import Item
from sales.services import drawing_validate

from .. import selectors
from ..models import (
    EstimateMaterial,
    EstimateOperation,
    EstimateOutside,
    QuantityBreak,
    Quote,
    QuoteLine,
    QuoteLineDrawing,
)
from ..workflow import QUOTE

QUOTE_FIELDS = (
    "customer", "prospect_name", "prospect_email", "contact_name", "contact_email", "rfq_reference", "valid_until",
    "lead_time_days", "notes", "markup_percent", "estimator",
)  # fmt: skip
LINE_FIELDS = ("item", "description", "drawing_number", "drawing_revision", "markup_percent")
OPERATION_FIELDS = ("work_center", "description", "setup_hours", "run_hours_per_piece", "setup_factor", "run_factor",
                    "factor_source")  # fmt: skip
MATERIAL_FIELDS = ("description", "cost", "basis", "scrap_percent")
OUTSIDE_FIELDS = ("vendor_name", "description", "cost", "basis", "lead_days")


def _require(user: User, capability: str) -> None:
    if user is None or not user.has_perm(f"mto.{capability}"):
        raise PermissionDenied(f"Your role does not allow this ({capability.replace('_', ' ')}).")


def _locked_draft(quote: Quote) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if not quote.is_editable:
        raise ValidationError(
            f"{quote.label} is {quote.get_status_display().lower()}; only drafts can be edited.", code="conflict"
        )
    return quote


def _clean(obj, label: str, errors: list[str], exclude=()) -> bool:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.extend(f"{label}: {field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return False
    return True


def _validate_header(quote: Quote) -> None:
    errors = {}
    if quote.customer_id is None and not (quote.prospect_name and quote.prospect_email):
        errors["customer"] = "Pick a customer, or give the prospect's name and e-mail."
    elif quote.customer_id and not quote.customer.is_active:
        errors["customer"] = f"Customer {quote.customer.code} is inactive."
    if errors:
        raise ValidationError(errors)


def _build_line(quote: Quote, line_no: int, data: dict, existing: QuoteLine | None, errors: list[str]):
    """Check one line's dict and build its unsaved rows (nothing is written); None when it cannot be built."""
    where = f"Line {line_no}"
    line = existing or QuoteLine(quote=quote)
    line.line_no = line_no
    for f in LINE_FIELDS:
        if f in data:
            setattr(line, f, data[f])
    if line.item_id is None and not (line.description and line.drawing_number):
        errors.append(f"{where}: a custom part needs a description and the customer's drawing number.")
        return None
    _clean(line, where, errors, exclude=["quote", "chosen_break", "sales_order_line"])
    quantities = list(data.get("breaks") or ())
    if not quantities:
        errors.append(f"{where}: give at least one quantity break.")
    bad = [q for q in quantities if not isinstance(q, int) or isinstance(q, bool) or q <= 0]
    if bad:
        errors.append(f"{where}: break quantities are whole numbers of pieces from 1.")
    elif len(set(quantities)) != len(quantities):
        errors.append(f"{where}: each break quantity once.")
    breaks = [QuantityBreak(quantity=q) for q in sorted(set(quantities)) if q not in bad]
    for b in breaks:
        _clean(b, f"{where} break {b.quantity}", errors, exclude=["line"])
    operations = []
    for n, op in enumerate(data.get("operations") or (), start=1):
        operation = EstimateOperation(sequence=op.get("sequence") or n * 10,
                                      **{f: op[f] for f in OPERATION_FIELDS if f in op})  # fmt: skip
        _clean(operation, f"{where} operation {operation.sequence}", errors, exclude=["line"])
        operations.append(operation)
    if len({o.sequence for o in operations}) != len(operations):
        errors.append(f"{where}: each operation sequence once.")
    materials = [EstimateMaterial(**{f: m[f] for f in MATERIAL_FIELDS if f in m}) for m in data.get("materials") or ()]
    outside = [EstimateOutside(**{f: o[f] for f in OUTSIDE_FIELDS if f in o}) for o in data.get("outside") or ()]
    for n, row in enumerate(materials, start=1):
        _clean(row, f"{where} material {n}", errors, exclude=["line"])
    for n, row in enumerate(outside, start=1):
        _clean(row, f"{where} outside service {n}", errors, exclude=["line"])
    uploads = list(data.get("drawings") or ())
    for upload in uploads:
        try:
            drawing_validate(upload)
        except ValidationError as exc:
            errors.extend(f"{where}: {msg}" for msg in exc.messages)
    return line, breaks, operations, materials, outside, uploads, set(data.get("remove_drawings") or ())


def _write_lines(*, quote: Quote, lines: list[dict], by: User) -> None:
    """Replace the draft's lines with `lines`: dicts of LINE_FIELDS with `breaks` (quantities), `operations`,
    `materials` and `outside` (dicts of their fields), optionally `id` (an existing line of this quote, kept
    with its drawings), `drawings` (uploads, checked by content) and `remove_drawings` (ids). All checked
    before anything is written; a line not given is deleted."""
    if not lines:
        raise ValidationError({"lines": "A quote needs at least one line."})
    existing = {line.pk: line for line in QuoteLine.objects.filter(quote=quote)} if quote.pk else {}
    kept = [data["id"] for data in lines if data.get("id")]
    if set(kept) - existing.keys() or len(set(kept)) != len(kept):
        raise ValidationError({"lines": "A line does not belong to this quote; reload the page."})
    errors: list[str] = []
    built = [_build_line(quote, n, data, existing.get(data.get("id")), errors) for n, data in enumerate(lines, 1)]
    if errors:
        raise ValidationError({"lines": errors})
    QuoteLine.objects.filter(quote=quote).exclude(pk__in=kept).delete()
    # Out of the way of the new numbers first: (quote, line_no) is unique at every statement.
    QuoteLine.objects.filter(pk__in=kept).update(line_no=F("line_no") + 10000)
    children = (QuantityBreak, EstimateOperation, EstimateMaterial, EstimateOutside)
    for model in children:
        model.objects.filter(line_id__in=kept).delete()
    stored: list[QuoteLineDrawing] = []
    try:
        for line, breaks, operations, materials, outside, uploads, remove in built:
            line.save()
            for group in (breaks, operations, materials, outside):
                for row in group:
                    row.line = line
            QuantityBreak.objects.bulk_create(breaks)
            EstimateOperation.objects.bulk_create(operations)
            EstimateMaterial.objects.bulk_create(materials)
            EstimateOutside.objects.bulk_create(outside)
            if remove:
                QuoteLineDrawing.objects.filter(line=line, pk__in=remove).delete()
            stored.extend(_drawing_store(line=line, upload=upload, by=by) for upload in uploads)
    except BaseException:
        # The rows roll back with the transaction; the files written for them must go too.
        for drawing in stored:
            drawing.file.delete(save=False)
        raise


def _drawing_store(*, line: QuoteLine, upload, by: User) -> QuoteLineDrawing:
    """Stored as order-line drawings are: the content type judged by the bytes, a random file name."""
    content_type = drawing_validate(upload)
    drawing = QuoteLineDrawing(line=line, stored_token=secrets.token_hex(16), original_name=upload.name[-255:],
                               content_type=content_type, size=upload.size, uploaded_by=by)  # fmt: skip
    drawing.file.save("upload", upload, save=False)
    drawing.save()
    return drawing


def _apply_fields(quote: Quote, fields: dict) -> None:
    unknown = set(fields) - set(QUOTE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown quote field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(quote, name, value)


@atomic_with_retry
def quote_line_attach_drawing(*, line: QuoteLine, upload, by: User) -> QuoteLineDrawing:
    """Add a customer's drawing to a draft's line (checked by its content, as order drawings are)."""
    _require(by, "edit_quotes")
    _locked_draft(line.quote)
    return _drawing_store(line=line, upload=upload, by=by)


@atomic_with_retry
def quote_create(*, by: User, lines: list[dict], **fields) -> Quote:
    """A draft quote numbered Q-000123 (rev 1), priced at the shop's default markup unless given."""
    _require(by, "edit_quotes")
    quote = Quote(created_by=by, estimator=by, status=initial_status(QUOTE), number="Q-000000",
                  markup_percent=settings.QUOTE_DEFAULT_MARKUP_PERCENT,
                  valid_until=timezone.localdate() + timedelta(days=settings.QUOTE_VALID_DAYS))  # fmt: skip
    _apply_fields(quote, fields)
    quote.full_clean(exclude=["number"], validate_constraints=False)
    _validate_header(quote)
    quote.number = f"Q-{document_number_next(sequence='Q'):06d}"
    quote.save()
    _write_lines(quote=quote, lines=lines, by=by)
    record_first_status(QUOTE, quote, by=by)
    return quote


@atomic_with_retry
def quote_update(*, quote: Quote, by: User, lines: list[dict] | None = None, **fields) -> Quote:
    """Edit a draft; an edit withdraws a Manager's margin approval (the figures it approved may have gone)."""
    _require(by, "edit_quotes")
    quote = _locked_draft(quote)
    _apply_fields(quote, fields)
    quote.full_clean(validate_constraints=False, validate_unique=False)
    _validate_header(quote)
    quote.margin_approved_by = quote.margin_approved_at = quote.margin_approved_percent = None
    quote.save()
    if lines is not None:
        _write_lines(quote=quote, lines=lines, by=by)
    return quote


@atomic_with_retry
def quote_line_copy_routing(
    *, line: QuoteLine, by: User, item: Item | None = None, job: Job | None = None,
    quote_line: QuoteLine | None = None,
) -> QuoteLine:  # fmt: skip
    """Start a draft line's routing from an item's routing, a completed job's operations or another quote's
    line (then edit it); the line's operations are replaced.

    A job's operations are copied with the hours it was estimated at (the estimate-accuracy figures say how
    far such estimates ran over); a quote line's as quoted, with any accuracy factors and their source."""
    _require(by, "edit_quotes")
    if quote_line is not None and quote_line.pk == line.pk:
        raise ValidationError("Copy the routing from another line, not from the line itself.")
    _locked_draft(line.quote)
    _what, rows = selectors.routing_source(item=item, job=job, quote_line=quote_line)
    EstimateOperation.objects.filter(line=line).delete()
    EstimateOperation.objects.bulk_create(
        EstimateOperation(line=line, sequence=r.sequence, work_center_id=r.work_center_id,
                          description=r.description, setup_hours=r.setup_hours,
                          run_hours_per_piece=r.run_hours_per_piece, setup_factor=r.setup_factor,
                          run_factor=r.run_factor, factor_source=r.factor_source)
        for r in rows
    )  # fmt: skip
    Quote.objects.filter(pk=line.quote_id).update(
        margin_approved_by=None, margin_approved_at=None, margin_approved_percent=None, updated_at=timezone.now()
    )
    return line


STATISTICS = {"median": "median", "p80": "80th percentile"}


@atomic_with_retry
def quote_apply_accuracy(
    *, quote: Quote, by: User, line: QuoteLine | None = None, operation: EstimateOperation | None = None,
    statistic: str = "median",
) -> list[EstimateOperation]:  # fmt: skip
    """Set the accuracy factors (actual / estimated, per work center) on one operation, one line or the whole
    quote, with the figures they came from written beside them; a work center without data keeps 1."""
    _require(by, "edit_quotes")
    if statistic not in STATISTICS:
        raise ValidationError({"statistic": "Pick median or p80."})
    quote = _locked_draft(quote)
    operations = EstimateOperation.objects.filter(line__quote=quote).select_related("work_center")
    if line is not None:
        operations = operations.filter(line=line)
    if operation is not None:
        operations = operations.filter(pk=operation.pk)
    operations = list(operations)
    if not operations:
        raise ValidationError("No operation to adjust on this quote.")
    centers = list({op.work_center_id: op.work_center for op in operations}.values())
    accuracy = selectors.estimate_accuracy(work_centers=centers)
    for op in operations:
        figures = accuracy[op.work_center_id]
        setup = getattr(figures.setup, statistic)
        run = getattr(figures.run, statistic)
        op.setup_factor = setup if setup else Decimal("1.00")
        op.run_factor = run if run else Decimal("1.00")
        op.factor_source = (
            f"{figures.summary()}; applied the {STATISTICS[statistic]}: setup x{op.setup_factor}, run x{op.run_factor}"
        )[:300]
    EstimateOperation.objects.bulk_update(operations, ["setup_factor", "run_factor", "factor_source"])
    quote.margin_approved_by = quote.margin_approved_at = quote.margin_approved_percent = None
    quote.save(update_fields=["margin_approved_by", "margin_approved_at", "margin_approved_percent", "updated_at"])
    return operations


@atomic_with_retry
def quote_approve_margin(*, quote: Quote, by: User) -> Quote:
    """A Manager approves the draft's margin as it is priced now (the approval names that margin)."""
    _require(by, "approve_quotes")
    quote = _locked_draft(quote)
    pricing = selectors.quote_pricing(quote=quote)
    if not pricing.needs_margin_approval:
        raise ValidationError(f"{quote.label}'s margin is at or above the shop's threshold; no approval needed.")
    quote.margin_approved_by = by
    quote.margin_approved_at = timezone.now()
    quote.margin_approved_percent = pricing.lowest_margin
    quote.save(update_fields=["margin_approved_by", "margin_approved_at", "margin_approved_percent", "updated_at"])
    return quote
