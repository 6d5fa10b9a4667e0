"""Sales orders: entry, the lifecycle people drive, and the roll-up that jobs and shipping call."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mto import reads
from mto.audit import audit_changes, audit_event
from mto.db import atomic_with_retry
from mto.services import document_number_next, full_clean_loaded
from mto.transitions import User, initial_status, record_first_status, transition

from ..models import (
    LineDrawing,
    SalesOrder,
    SalesOrderLine,
)
from ..workflow import ORDER, TRANSITIONS
from .common import _check_capability
from .drawings import _drawing_attach

S = SalesOrder.Status


ORDER_FIELDS = ("customer", "customer_po", "ship_to", "order_date", "requested_date", "promised_date", "notes")
LINE_FIELDS = ("item", "description", "drawing_number", "drawing_revision", "quantity", "unit_price", "due_date")


def _validate_header(order: SalesOrder):
    errors = {}
    if not order.customer.is_active:
        errors["customer"] = f"Customer {order.customer.code} is inactive."
    if order.ship_to_id and order.ship_to.customer_id != order.customer_id:
        errors["ship_to"] = "This ship-to address belongs to another customer."
    for field in ("requested_date", "promised_date"):
        value = getattr(order, field)
        if value and order.order_date and value < order.order_date:
            errors[field] = "Cannot be before the order date."
    if errors:
        raise ValidationError(errors)


def _write_lines(*, order: SalesOrder, lines: list[dict], by: User, new: bool = False) -> list[SalesOrderLine]:
    """Replace the order's lines with `lines` (dicts of LINE_FIELDS, optional `id`, optional `drawings`); a `new`
    order has none to read or remove. Returns the lines written, in line order."""
    if not lines:
        raise ValidationError({"lines": "An order needs at least one line."})
    existing = {line.pk: line for line in order.lines.all()} if order.pk and not new else {}
    before = {pk: {"quantity": line.quantity, "unit_price": line.unit_price} for pk, line in existing.items()}
    keep_ids = {data["id"] for data in lines if data.get("id")}
    unknown = keep_ids - existing.keys()
    if unknown:
        raise ValidationError({"lines": "A line does not belong to this order; reload the page."})
    for line in existing.values():
        if line.pk not in keep_ids:
            label = f"{order.number} line {line.line_no}"
            audit_event(instance=line, field="quantity", before=line.quantity, after="removed", by=by, label=label)
    if not new:
        SalesOrderLine.objects.filter(order=order).exclude(pk__in=keep_ids).delete()
    # Renumber compactly; shift existing numbers first so the unique (order, line_no) never collides.
    if keep_ids:
        for line in existing.values():
            if line.pk in keep_ids:
                line.line_no += 1000
                line.save(update_fields=["line_no"])
    errors = []
    stored = []
    valid = []
    for line_no, data in enumerate(lines, start=1):
        line = existing.get(data.get("id")) or SalesOrderLine(order=order)
        line.line_no = line_no
        for field in LINE_FIELDS:
            if field in data:
                setattr(line, field, data[field])
        if line.item_id and line.unit_price is None:
            line.unit_price = line.item.unit_price
        if line.item_id is None and not (line.description and line.drawing_number):
            errors.append(f"Line {line_no}: a custom part needs a description and the customer's drawing number.")
            continue
        if line.item_id and not line.item.is_active:
            errors.append(f"Line {line_no}: item {line.item.part_number} is inactive.")
            continue
        if line.due_date and order.order_date and line.due_date < order.order_date:
            errors.append(f"Line {line_no}: the due date is before the order date.")
            continue
        try:
            full_clean_loaded(line, exclude=["order"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.extend(f"Line {line_no}: {field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            continue
        valid.append((line, data))
    # The new lines in one insert (their ids come back), the kept ones saved one by one; with errors too, so the
    # drawings' are reported with them (the transaction then rolls the rows back).
    added = [line for line, _data in valid if line.pk is None]
    SalesOrderLine.objects.bulk_create(added)
    added_ones = set(map(id, added))
    written = []
    for line, data in valid:
        is_new, line_no = id(line) in added_ones, line.line_no
        if not is_new:
            line.save()
        written.append(line)
        label = f"{order.number} line {line_no}"
        if is_new and existing:
            audit_event(instance=line, field="quantity", before="added", after=line.quantity, by=by, label=label)
        elif not is_new:
            audit_changes(instance=line, before=before[line.pk], fields=["quantity", "unit_price"], by=by, label=label)
        for upload in data.get("drawings") or ():
            try:
                stored.append(_drawing_attach(line=line, upload=upload, uploaded_by=by))
            except ValidationError as exc:
                errors.extend(f"Line {line_no}: {msg}" for msg in exc.messages)
    if errors:
        # The rows roll back with the transaction; the files written for them must go too.
        for drawing in stored:
            drawing.file.delete(save=False)
        raise ValidationError({"lines": errors})
    return written


@atomic_with_retry
def sales_order_create(*, by: User, lines: list[dict], **fields) -> SalesOrder:
    _check_capability(by, "edit_orders")
    order = SalesOrder(
        created_by=by, status=initial_status(ORDER), **{k: v for k, v in fields.items() if k in ORDER_FIELDS}
    )
    if order.order_date is None:
        order.order_date = timezone.localdate()
    if order.ship_to_id is None and order.customer_id:
        order.ship_to = order.customer.ship_tos.filter(is_default=True).first()
    order.number = "SO-000000"  # placeholder for validation; the real number is taken last to keep the lock short
    full_clean_loaded(order, exclude=["number"])
    _validate_header(order)
    order.number = f"SO-{document_number_next(sequence='SO'):06d}"
    order.save()
    written = _write_lines(order=order, lines=lines, by=by, new=True)
    record_first_status(ORDER, order, by=by)
    reads.attach([order], written, key="order_id", cache_name="lines")  # the caller's answer shows them
    return order


@atomic_with_retry
def sales_order_promise(*, order: SalesOrder, promised_date, by: User) -> SalesOrder:
    """Set the date promised to the customer on an order not approved yet (a draft or one pending approval),
    e.g. a capable-to-promise figure; after approval the promised date moves through a change order."""
    _check_capability(by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (S.DRAFT, S.PENDING_APPROVAL):
        raise ValidationError(
            f"{order.number} is {order.get_status_display().lower()}; its promised date changes by a change order.",
            code="conflict",
        )
    if promised_date is None or not hasattr(promised_date, "isoformat"):
        raise ValidationError({"promised_date": "Give a date."})
    before = order.promised_date
    order.promised_date = promised_date
    _validate_header(order)
    if before != promised_date:
        order.full_clean()
        order.save(update_fields=["promised_date", "updated_at"])
        audit_event(instance=order, field="promised_date", before=before or "", after=promised_date, by=by)
    return order


@atomic_with_retry
def sales_order_update(*, order: SalesOrder, by: User, lines: list[dict], **fields) -> SalesOrder:
    _check_capability(by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if not order.is_editable:
        raise ValidationError(f"{order.number} is {order.get_status_display().lower()}; only drafts can be edited.")
    for name, value in fields.items():
        if name in ORDER_FIELDS:
            setattr(order, name, value)
    if order.ship_to_id is None and order.customer_id:
        # As on create: no ship-to chosen means the customer's default address.
        order.ship_to = order.customer.ship_tos.filter(is_default=True).first()
    order.full_clean()
    _validate_header(order)
    order.save()
    _write_lines(order=order, lines=lines, by=by)
    return order


@transaction.atomic
def sales_order_attach_drawing(*, line: SalesOrderLine, upload, by: User) -> LineDrawing:
    _check_capability(by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=line.order_id)
    if not order.is_editable:
        raise ValidationError(f"{order.number} is not a draft; drawings can only be added to drafts.")
    return _drawing_attach(line=line, upload=upload, uploaded_by=by)


@atomic_with_retry
def sales_order_transition(*, order: SalesOrder, name: str, by: User, reason: str = "") -> SalesOrder:
    """Make a user-facing transition of the lifecycle (submit, approve, reject, cancel, close)."""
    if name not in TRANSITIONS:  # the roll-up moves are not for people
        raise ValidationError(f"Unknown action {name!r}.")

    def prepare(locked: SalesOrder):
        if name == "submit" and not locked.lines.exists():
            raise ValidationError("An order needs at least one line before it can be submitted.")

    return transition(ORDER, order, name, by=by, reason=reason, prepare=prepare)


def sales_order_submit(*, order: SalesOrder, by: User) -> SalesOrder:
    return sales_order_transition(order=order, name="submit", by=by)


def sales_order_approve(*, order: SalesOrder, by: User) -> SalesOrder:
    return sales_order_transition(order=order, name="approve", by=by)


def sales_order_reject(*, order: SalesOrder, by: User, reason: str) -> SalesOrder:
    return sales_order_transition(order=order, name="reject", by=by, reason=reason)


def sales_order_cancel(*, order: SalesOrder, by: User, reason: str) -> SalesOrder:
    return sales_order_transition(order=order, name="cancel", by=by, reason=reason)


def sales_order_close(*, order: SalesOrder, by: User) -> SalesOrder:
    return sales_order_transition(order=order, name="close", by=by)


# --- roll-up, called by jobs and shipping ----------------------------------------------------------


def _roll_up_to(order: SalesOrder, *, to: str, by: User | None, reason: str) -> SalesOrder:
    """Move a locked order to `to` through its declared roll-up move (nothing if it is there already)."""
    if to == order.status:
        return order
    move = ORDER.system_move_to(order.status, to)
    if move is None:
        raise ValidationError(
            f"{order.number} is {order.get_status_display().lower()}; it cannot become {S(to).label.lower()}.",
            code="conflict",
        )
    return transition(ORDER, order, move.name, by=by, reason=reason, locked=True)


@transaction.atomic
def sales_order_mark_in_production(*, order: SalesOrder, by: User | None = None) -> SalesOrder:
    """Jobs call this when work starts on any of the order's jobs; later states are left alone.

    Locks the order, so it serialises with a concurrent cancel: work cannot start on a cancelled order.
    """
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == S.APPROVED:
        return _roll_up_to(order, to=S.IN_PRODUCTION, by=by, reason="Work started on the floor.")
    if order.status in (S.DRAFT, S.PENDING_APPROVAL, S.CANCELLED, S.CLOSED):
        raise ValidationError(
            f"{order.number} is {order.get_status_display().lower()}; no work can start on it.", code="conflict"
        )
    return order


@transaction.atomic
def sales_order_record_shipped(
    *, order: SalesOrder, shipped: dict[int, int], by: User | None = None, reason: str = ""
) -> SalesOrder:
    """Shipping calls this after a shipment ships or is voided, with each line's total shipped quantity.

    The order becomes partially shipped while anything is left, shipped when every line is complete, and
    goes back to in production when a void leaves nothing shipped.
    """
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    lines = list(order.lines.select_for_update().order_by("line_no"))
    unknown = set(shipped) - {line.pk for line in lines}
    if unknown:
        raise ValidationError("A shipped line does not belong to this order.")
    for line in lines:
        quantity = shipped.get(line.pk, line.quantity_shipped)
        if quantity < 0 or quantity > line.quantity:
            raise ValidationError(
                f"Line {line.line_no}: {quantity} shipped is outside 0..{line.quantity} ordered.", code="over_ship"
            )
        if quantity != line.quantity_shipped:
            line.quantity_shipped = quantity
            line.save(update_fields=["quantity_shipped"])
    target = _shipped_state(lines) or S.IN_PRODUCTION
    return _roll_up_to(order, to=target, by=by, reason=reason)


@transaction.atomic
def sales_order_line_record_produced(*, line_id: int, produced: int) -> None:
    """The jobs app calls this, in the transaction that changed a line's good pieces, with the line's new total
    (the good pieces of its jobs that are not cancelled). One UPDATE: piece reports are the floor's hot path.

    The caller holds the order's lock (the jobs services take the order before the job), so a shipment of the
    line cannot interleave. A total below what already shipped is refused (and the database refuses it too).
    """
    if not isinstance(produced, int) or isinstance(produced, bool) or produced < 0:
        raise ValueError(f"produced must be a whole number, 0 or more: {produced!r}")
    updated = SalesOrderLine.objects.filter(pk=line_id, quantity_shipped__lte=produced).update(
        quantity_produced=produced
    )
    if not updated:
        line = SalesOrderLine.objects.get(pk=line_id)  # DoesNotExist for a line that is not there
        raise ValidationError(
            f"Line {line.line_no}: {line.quantity_shipped} pieces have shipped; it cannot have produced {produced}.",
            code="conflict",
        )


def _shipped_state(lines) -> str | None:
    """Shipped when every line still ordered is complete, partially shipped when anything shipped."""
    active = [line for line in lines if not line.is_cancelled]
    if active and all(line.quantity_shipped >= line.quantity for line in active):
        return S.SHIPPED
    if any(line.quantity_shipped for line in active):
        return S.PARTIALLY_SHIPPED
    return None
