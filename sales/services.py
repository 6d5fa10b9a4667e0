"""Every write of the sales app. Views, the API and other apps call these; nothing else saves sales rows."""

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mto.audit import audit_changes, audit_event
from mto.db import atomic_with_retry
from mto.services import document_number_next

from . import signals
from .models import (
    ChangeItem,
    ChangeRequest,
    Customer,
    Item,
    LineDrawing,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    ShipToAddress,
)
from .workflow import ROLL_UP_MOVES, TRANSITIONS

S = SalesOrder.Status

DRAWING_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
DRAWING_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
}


# --- customers and items -------------------------------------------------------------------------


def _save(instance, fields: dict[str, Any] | None = None):
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def customer_create(*, ship_tos: Iterable[dict] = (), **fields) -> Customer:
    customer = _save(Customer(), fields)
    for index, ship_to in enumerate(ship_tos):
        ship_to_create(customer=customer, is_default=index == 0, **ship_to)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    return _save(customer, fields)


@transaction.atomic
def ship_to_create(*, customer: Customer, label: str, address: str, is_default: bool = False) -> ShipToAddress:
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if is_default or not customer.ship_tos.exists():
        customer.ship_tos.filter(is_default=True).update(is_default=False)
        is_default = True
    return _save(ShipToAddress(customer=customer, label=label, address=address, is_default=is_default))


@transaction.atomic
def ship_to_update(*, ship_to: ShipToAddress, **fields) -> ShipToAddress:
    Customer.objects.select_for_update().filter(pk=ship_to.customer_id).first()
    ship_to = ShipToAddress.objects.get(pk=ship_to.pk)
    if ship_to.is_default and "is_default" in fields and not fields["is_default"]:
        # Orders entered without a ship-to take the default; a customer with addresses keeps one.
        raise ValidationError({"is_default": "Make another address the default instead of clearing this one."})
    if fields.get("is_default"):
        ShipToAddress.objects.filter(customer_id=ship_to.customer_id, is_default=True).exclude(pk=ship_to.pk).update(
            is_default=False
        )
    return _save(ship_to, fields)


@transaction.atomic
def item_create(**fields) -> Item:
    return _save(Item(), fields)


@transaction.atomic
def item_update(*, item: Item, by=None, **fields) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    before = {"unit_price": item.unit_price}
    item = _save(item, fields)
    audit_changes(instance=item, before=before, fields=["unit_price"], by=by, label=f"Item {item.part_number}")
    return item


# --- drawings --------------------------------------------------------------------------------------


def drawing_validate(upload) -> str:
    """Return the content type of an uploaded drawing judged by its bytes, or raise ValidationError."""
    limit = settings.DRAWING_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{upload.name} is {upload.size / 1_048_576:.1f} MB; drawings may be at most {limit // 1_048_576} MB.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((ct for sig, ct in DRAWING_SIGNATURES.items() if head.startswith(sig)), None)
    if content_type is None:
        raise ValidationError(
            f"{upload.name} is not a PDF, PNG or JPEG file (its content says otherwise).", code="bad_type"
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in DRAWING_EXTENSIONS[content_type]:
        raise ValidationError(
            f"{upload.name} holds a {content_type.split('/')[1].upper()} file but is named {suffix or 'without'}"
            " extension; rename it to match its content.",
            code="bad_extension",
        )
    return content_type


def _drawing_attach(*, line: SalesOrderLine, upload, uploaded_by) -> LineDrawing:
    content_type = drawing_validate(upload)
    drawing = LineDrawing(
        line=line,
        stored_token=secrets.token_hex(16),
        original_name=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )
    drawing.file.save("upload", upload, save=False)
    drawing.save()
    return drawing


# --- sales orders ----------------------------------------------------------------------------------

ORDER_FIELDS = ("customer", "customer_po", "ship_to", "order_date", "requested_date", "promised_date", "notes")
LINE_FIELDS = ("item", "description", "drawing_number", "drawing_revision", "quantity", "unit_price", "due_date")


def _check_capability(user, capability: str):
    if not user.has_perm(f"mto.{capability}"):
        raise PermissionDenied(f"You may not do this ({capability.replace('_', ' ')}).")


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


def _write_lines(*, order: SalesOrder, lines: list[dict], by) -> None:
    """Replace the order's lines with `lines` (dicts of LINE_FIELDS, optional `id`, optional `drawings`)."""
    if not lines:
        raise ValidationError({"lines": "An order needs at least one line."})
    existing = {line.pk: line for line in order.lines.all()} if order.pk else {}
    before = {pk: {"quantity": line.quantity, "unit_price": line.unit_price} for pk, line in existing.items()}
    keep_ids = {data["id"] for data in lines if data.get("id")}
    unknown = keep_ids - existing.keys()
    if unknown:
        raise ValidationError({"lines": "A line does not belong to this order; reload the page."})
    for line in existing.values():
        if line.pk not in keep_ids:
            label = f"{order.number} line {line.line_no}"
            audit_event(instance=line, field="quantity", before=line.quantity, after="removed", by=by, label=label)
    SalesOrderLine.objects.filter(order=order).exclude(pk__in=keep_ids).delete()
    # Renumber compactly; shift existing numbers first so the unique (order, line_no) never collides.
    if keep_ids:
        for line in existing.values():
            if line.pk in keep_ids:
                line.line_no += 1000
                line.save(update_fields=["line_no"])
    errors = []
    stored = []
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
            line.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.extend(f"Line {line_no}: {field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            continue
        is_new = line.pk is None
        line.save()
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


@atomic_with_retry
def sales_order_create(*, created_by, lines: list[dict], **fields) -> SalesOrder:
    _check_capability(created_by, "edit_orders")
    order = SalesOrder(created_by=created_by, **{k: v for k, v in fields.items() if k in ORDER_FIELDS})
    if order.order_date is None:
        order.order_date = timezone.localdate()
    if order.ship_to_id is None and order.customer_id:
        order.ship_to = order.customer.ship_tos.filter(is_default=True).first()
    order.number = "SO-000000"  # placeholder for validation; the real number is taken last to keep the lock short
    order.full_clean(exclude=["number"])
    _validate_header(order)
    order.number = f"SO-{document_number_next(sequence='SO'):06d}"
    order.save()
    _write_lines(order=order, lines=lines, by=created_by)
    SalesOrderStatusChange.objects.create(order=order, from_status="", to_status=S.DRAFT, changed_by=created_by)
    return order


@atomic_with_retry
def sales_order_update(*, order: SalesOrder, updated_by, lines: list[dict], **fields) -> SalesOrder:
    _check_capability(updated_by, "edit_orders")
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
    _write_lines(order=order, lines=lines, by=updated_by)
    return order


@transaction.atomic
def sales_order_attach_drawing(*, line: SalesOrderLine, upload, uploaded_by) -> LineDrawing:
    _check_capability(uploaded_by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=line.order_id)
    if not order.is_editable:
        raise ValidationError(f"{order.number} is not a draft; drawings can only be added to drafts.")
    return _drawing_attach(line=line, upload=upload, uploaded_by=uploaded_by)


def _record_status(order: SalesOrder, *, to: str, by, reason: str = "") -> SalesOrder:
    from_status = order.status
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    SalesOrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to, changed_by=by, reason=reason
    )
    return order


@atomic_with_retry
def sales_order_transition(*, order: SalesOrder, name: str, by, reason: str = "") -> SalesOrder:
    """Make a user-facing transition of the lifecycle (submit, approve, reject, cancel, close)."""
    transition = TRANSITIONS[name]
    _check_capability(by, transition.capability)
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in transition.source:
        if order.status == transition.target:
            raise ValidationError(f"{order.number} is already {order.get_status_display().lower()}.", code="conflict")
        raise ValidationError(
            f"Cannot {transition.label.lower()}: {order.number} is {order.get_status_display().lower()}.",
            code="conflict",
        )
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": "Please give a reason."})
    if name == "submit" and not order.lines.exists():
        raise ValidationError("An order needs at least one line before it can be submitted.")
    _record_status(order, to=transition.target, by=by, reason=reason)
    if name == "approve":
        signals.order_approved.send(sender=SalesOrder, order=order, approved_by=by)
    elif name == "cancel":
        signals.order_cancelled.send(sender=SalesOrder, order=order, cancelled_by=by, reason=reason)
    elif name == "close":
        signals.order_status_changed.send(
            sender=SalesOrder, order=order, from_status=S.SHIPPED, to_status=S.CLOSED, by=by
        )
    return order


def sales_order_submit(*, order: SalesOrder, by) -> SalesOrder:
    return sales_order_transition(order=order, name="submit", by=by)


def sales_order_approve(*, order: SalesOrder, approved_by) -> SalesOrder:
    return sales_order_transition(order=order, name="approve", by=approved_by)


def sales_order_reject(*, order: SalesOrder, by, reason: str) -> SalesOrder:
    return sales_order_transition(order=order, name="reject", by=by, reason=reason)


def sales_order_cancel(*, order: SalesOrder, by, reason: str) -> SalesOrder:
    return sales_order_transition(order=order, name="cancel", by=by, reason=reason)


def sales_order_close(*, order: SalesOrder, by) -> SalesOrder:
    return sales_order_transition(order=order, name="close", by=by)


# --- roll-up, called by jobs and shipping ----------------------------------------------------------


def _roll_up_to(order: SalesOrder, *, to: str, by, reason: str) -> SalesOrder:
    if to == order.status:
        return order
    if to not in ROLL_UP_MOVES.get(order.status, ()):
        raise ValidationError(
            f"{order.number} is {order.get_status_display().lower()}; it cannot become {S(to).label.lower()}.",
            code="conflict",
        )
    from_status = order.status
    _record_status(order, to=to, by=by, reason=reason)
    signals.order_status_changed.send(sender=SalesOrder, order=order, from_status=from_status, to_status=to, by=by)
    return order


@transaction.atomic
def sales_order_mark_in_production(*, order: SalesOrder, by=None) -> SalesOrder:
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
def sales_order_record_shipped(*, order: SalesOrder, shipped: dict[int, int], by=None, reason: str = "") -> SalesOrder:
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


def _shipped_state(lines) -> str | None:
    """Shipped when every line still ordered is complete, partially shipped when anything shipped."""
    active = [line for line in lines if not line.is_cancelled]
    if active and all(line.quantity_shipped >= line.quantity for line in active):
        return S.SHIPPED
    if any(line.quantity_shipped for line in active):
        return S.PARTIALLY_SHIPPED
    return None


# --- change requests (changes to an approved order) -----------------------------------------------

K = ChangeItem.Kind
CR = ChangeRequest.Status

# The fields each kind of change takes from the form (plus `reason`, which every change needs).
ITEM_FIELDS = {
    K.QUANTITY: ("line", "quantity"),
    K.DUE_DATE: ("line", "date"),
    K.REVISION: ("line", "drawing_revision", "item", "drawing"),
    K.CANCEL_LINE: ("line",),
    K.ADD_LINE: (
        "item",
        "description",
        "drawing_number",
        "drawing_revision",
        "quantity",
        "unit_price",
        "date",
        "drawing",
    ),  # fmt: skip
    K.PROMISED_DATE: ("date",),
    K.SHIP_TO: ("ship_to",),
}
REQUIRED = {
    "quantity": "Enter the new quantity.",
    "date": "Enter the new date.",
    "ship_to": "Pick the new ship-to address.",
}


def _locked_change(change_request_id: int) -> tuple[SalesOrder, ChangeRequest]:
    """Lock in the house order: the order first, then its change request."""
    order_id = ChangeRequest.objects.values_list("order_id", flat=True).get(pk=change_request_id)
    order = SalesOrder.objects.select_for_update().get(pk=order_id)
    return order, ChangeRequest.objects.select_for_update().get(pk=change_request_id)


def _check_changeable(order: SalesOrder):
    if not order.is_changeable:
        raise ValidationError(
            f"{order.number} is {order.get_status_display().lower()}; only an approved order that has not shipped"
            " completely can be changed.",
            code="conflict",
        )


def _check_status(change: ChangeRequest, *allowed: str, doing: str):
    if change.status not in allowed:
        raise ValidationError(
            f"Change {change.number} of {change.order.number} is {change.get_status_display().lower()}; "
            f"it cannot be {doing}.",
            code="conflict",
        )


def _validate_item(order: SalesOrder, item: ChangeItem, lines: dict[int, SalesOrderLine], others) -> None:
    """Raise ValidationError unless `item` fits the order as it is now, beside the request's other items."""
    kind = item.kind
    item.reason = (item.reason or "").strip()
    errors = {}
    if not item.reason:
        errors["reason"] = "Say why, e.g. the customer's e-mail of 12 May."
    for field, message in REQUIRED.items():
        if field in ITEM_FIELDS[kind] and getattr(item, field) is None:
            errors[field] = message
    if kind in ChangeItem.LINE_KINDS and item.line_id not in lines:
        errors["line"] = "Pick a line of this order."
    if errors:
        raise ValidationError(errors)
    line = lines.get(item.line_id)
    if line is not None:
        if line.is_cancelled:
            raise ValidationError(f"Line {line.line_no} is cancelled; it cannot change.")
        if kind != K.CANCEL_LINE and any(o.kind == K.CANCEL_LINE and o.line_id == line.pk for o in others):
            raise ValidationError(f"Line {line.line_no} is cancelled by this change request; remove that first.")
        if any(o.kind == kind and o.line_id == line.pk for o in others):
            raise ValidationError(
                f"Line {line.line_no} already has a {item.get_kind_display().lower()} change here; edit that one."
            )
    if kind in (K.PROMISED_DATE, K.SHIP_TO) and any(o.kind == kind for o in others):
        raise ValidationError(f"This request already changes the {item.get_kind_display().lower()}; edit that one.")
    if item.date and item.date < order.order_date:
        raise ValidationError({"date": f"Cannot be before the order date ({order.order_date:%Y-%m-%d})."})

    if kind == K.QUANTITY:
        if item.quantity == line.quantity:
            raise ValidationError({"quantity": f"Line {line.line_no} is for {line.quantity} already."})
        if item.quantity < line.quantity_shipped:
            raise ValidationError(
                {"quantity": f"{line.quantity_shipped} pieces of line {line.line_no} have shipped; the quantity "
                             f"cannot go below {line.quantity_shipped}."}
            )  # fmt: skip
    elif kind == K.DUE_DATE and item.date == line.due_date:
        raise ValidationError({"date": f"Line {line.line_no} is due on {line.due_date:%Y-%m-%d} already."})
    elif kind == K.REVISION:
        if line.item_id:
            new = item.item
            if new is None or new.part_number != line.item.part_number or new.pk == line.item_id:
                raise ValidationError({"item": f"Pick another revision of {line.item.part_number}."})
            if not new.is_active:
                raise ValidationError({"item": f"Revision {new.revision} of {new.part_number} is inactive."})
            item.drawing_revision = new.revision
        else:
            item.item = None
            item.drawing_revision = (item.drawing_revision or "").strip()
            if not item.drawing_revision:
                raise ValidationError({"drawing_revision": "Enter the new drawing revision."})
            if item.drawing_revision == line.drawing_revision:
                raise ValidationError({"drawing_revision": f"Line {line.line_no} is at this revision already."})
    elif kind == K.CANCEL_LINE:
        if line.quantity_shipped:
            raise ValidationError(
                f"{line.quantity_shipped} pieces of line {line.line_no} have shipped; lower its quantity to "
                f"{line.quantity_shipped} instead of cancelling it."
            )
        cancelled = {o.line_id for o in others if o.kind == K.CANCEL_LINE} | {line.pk}
        left = [pk for pk, other in lines.items() if not other.is_cancelled and pk not in cancelled]
        if not left and not any(o.kind == K.ADD_LINE for o in others):
            raise ValidationError("This is the order's last line; an order keeps at least one line.")
    elif kind == K.ADD_LINE:
        if item.item_id:
            if not item.item.is_active:
                raise ValidationError({"item": f"Item {item.item.part_number} is inactive."})
            if item.unit_price is None:
                item.unit_price = item.item.unit_price
        elif not (item.description and item.drawing_number):
            raise ValidationError("A custom part needs a description and the customer's drawing number.")
        if item.unit_price is None:
            raise ValidationError({"unit_price": "Enter the unit price."})
    elif kind == K.PROMISED_DATE and item.date == order.promised_date:
        raise ValidationError({"date": f"The order is promised for {order.promised_date:%Y-%m-%d} already."})
    elif kind == K.SHIP_TO:
        if item.ship_to.customer_id != order.customer_id:
            raise ValidationError({"ship_to": "This ship-to address belongs to another customer."})
        if item.ship_to_id == order.ship_to_id:
            raise ValidationError({"ship_to": "The order ships there already."})


def _order_lines(order: SalesOrder, *, lock: bool = False) -> dict[int, SalesOrderLine]:
    qs = SalesOrderLine.objects.filter(order=order).select_related("item").order_by("id")
    return {line.pk: line for line in (qs.select_for_update(of=("self",)) if lock else qs)}


@atomic_with_retry
def change_request_open(*, order: SalesOrder, by) -> ChangeRequest:
    """A draft change request for the order, or the one already open (one at a time per order)."""
    _check_capability(by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    _check_changeable(order)
    existing = order.change_requests.filter(status__in=ChangeRequest.OPEN).first()
    if existing:
        return existing
    number = (order.change_requests.aggregate(n=Max("number"))["n"] or 0) + 1
    return ChangeRequest.objects.create(order=order, number=number, created_by=by)


def _save_item(order: SalesOrder, change: ChangeRequest, item: ChangeItem, fields: dict) -> ChangeItem:
    if item.kind not in K.values:
        raise ValidationError({"kind": "Unknown kind of change."})
    upload = fields.pop("drawing", None)
    for name in (*ITEM_FIELDS[item.kind], "reason"):
        if name in fields:
            setattr(item, name, fields[name])
    others = [other for other in change.items.all() if other.pk != item.pk]
    _validate_item(order, item, _order_lines(order), others)
    upload = upload if "drawing" in ITEM_FIELDS[item.kind] else None
    replaced = None
    if upload:
        item.drawing_type = drawing_validate(upload)
        item.drawing_name = upload.name[-255:]
    item.full_clean(exclude=["change_request", "line", "item", "ship_to", "drawing"])
    if upload:
        replaced = item.drawing.name or None
        item.drawing.save("upload", upload, save=False)
    item.save()
    if replaced:
        # The new file replaced an earlier one of this draft; the old one belongs to nothing now.
        transaction.on_commit(lambda: item.drawing.storage.delete(replaced))
    return item


@atomic_with_retry
def change_item_add(*, change_request: ChangeRequest, kind: str, by, **fields) -> ChangeItem:
    _check_capability(by, "edit_orders")
    order, change = _locked_change(change_request.pk)
    _check_status(change, CR.DRAFT, doing="edited")
    return _save_item(order, change, ChangeItem(change_request=change, kind=kind), fields)


@atomic_with_retry
def change_item_update(*, change_item: ChangeItem, by, **fields) -> ChangeItem:
    """Edit a draft's change; `fields` may hold `item`, the catalogue item of an added line or a revision."""
    _check_capability(by, "edit_orders")
    order, change = _locked_change(change_item.change_request_id)
    _check_status(change, CR.DRAFT, doing="edited")
    item = ChangeItem.objects.get(pk=change_item.pk)
    fields.pop("line", None)  # an item stays on its line; remove it and add another instead
    return _save_item(order, change, item, fields)


@atomic_with_retry
def change_item_remove(*, item: ChangeItem, by) -> None:
    _check_capability(by, "edit_orders")
    _order, change = _locked_change(item.change_request_id)
    _check_status(change, CR.DRAFT, doing="edited")
    stored = ChangeItem.objects.filter(pk=item.pk, change_request=change).values_list("drawing", flat=True).first()
    ChangeItem.objects.filter(pk=item.pk, change_request=change).delete()
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))


def _validate_all(order: SalesOrder, change: ChangeRequest, lines: dict[int, SalesOrderLine]) -> list[ChangeItem]:
    items = list(change.items.select_related("item", "ship_to").order_by("id"))
    if not items:
        raise ValidationError("Add at least one change first.")
    errors = []
    for item in items:
        try:
            _validate_item(order, item, lines, [other for other in items if other is not item])
        except ValidationError as exc:
            errors.extend(f"{item.get_kind_display()}: {message}" for message in exc.messages)
    if errors:
        raise ValidationError(errors, code="conflict")
    return items


@atomic_with_retry
def change_request_submit(*, change_request: ChangeRequest, by) -> ChangeRequest:
    _check_capability(by, "edit_orders")
    order, change = _locked_change(change_request.pk)
    _check_status(change, CR.DRAFT, doing="submitted")
    _check_changeable(order)
    _validate_all(order, change, _order_lines(order))
    change.status, change.submitted_at = CR.PENDING, timezone.now()
    change.save(update_fields=["status", "submitted_at"])
    return change


@atomic_with_retry
def change_request_withdraw(*, change_request: ChangeRequest, by) -> ChangeRequest:
    _check_capability(by, "edit_orders")
    _order, change = _locked_change(change_request.pk)
    _check_status(change, *ChangeRequest.OPEN, doing="withdrawn")
    change.status, change.decided_by, change.decided_at = CR.WITHDRAWN, by, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


@atomic_with_retry
def change_request_reject(*, change_request: ChangeRequest, by, reason: str) -> ChangeRequest:
    _check_capability(by, "approve_orders")
    _order, change = _locked_change(change_request.pk)
    _check_status(change, CR.PENDING, doing="rejected")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Please give a reason."})
    change.status, change.decided_by, change.decided_at, change.decision_note = CR.REJECTED, by, timezone.now(), reason
    change.full_clean(exclude=["order", "created_by", "decided_by"])
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return change


def _apply_item(order: SalesOrder, item: ChangeItem, lines: dict[int, SalesOrderLine], by) -> None:
    """Change the sales rows as `item` says; record what it replaced on the item and in the audit trail."""
    line = lines.get(item.line_id)
    label = f"{order.number} line {line.line_no}" if line else order.number
    audit = {"by": by, "label": label, "reason": item.reason}
    if item.kind == K.QUANTITY:
        item.before = {"quantity": line.quantity}
        audit_event(instance=line, field="quantity", before=line.quantity, after=item.quantity, **audit)
        line.quantity = item.quantity
        line.save(update_fields=["quantity"])
    elif item.kind == K.DUE_DATE:
        item.before = {"due_date": line.due_date.isoformat()}
        audit_event(instance=line, field="due_date", before=line.due_date, after=item.date, **audit)
        line.due_date = item.date
        line.save(update_fields=["due_date"])
    elif item.kind == K.REVISION:
        old = line.item.revision if line.item_id else line.drawing_revision
        item.before = {"item": line.item_id, "drawing_revision": line.drawing_revision, "revision": old}
        audit_event(instance=line, field="revision", before=old, after=item.drawing_revision, **audit)
        if line.item_id:
            line.item = item.item
        else:
            line.drawing_revision = item.drawing_revision
        line.save(update_fields=["item", "drawing_revision"])
    elif item.kind == K.CANCEL_LINE:
        item.before = {"is_cancelled": False}
        audit_event(instance=line, field="status", before="ordered", after="cancelled", **audit)
        line.is_cancelled = True
        line.save(update_fields=["is_cancelled"])
    elif item.kind == K.ADD_LINE:
        line_no = max(other.line_no for other in lines.values()) + 1
        line = SalesOrderLine(
            order=order, line_no=line_no, item=item.item, description=item.description,
            drawing_number=item.drawing_number, drawing_revision=item.drawing_revision, quantity=item.quantity,
            unit_price=item.unit_price, due_date=item.date,
        )  # fmt: skip
        line.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
        line.save()
        lines[line.pk] = line
        item.line = line
        audit_event(instance=line, field="quantity", before="added", after=line.quantity,
                    **{**audit, "label": f"{order.number} line {line_no}"})  # fmt: skip
    elif item.kind == K.PROMISED_DATE:
        item.before = {"promised_date": order.promised_date.isoformat() if order.promised_date else None}
        audit_event(instance=order, field="promised_date", before=order.promised_date or "", after=item.date, **audit)
        order.promised_date = item.date
    elif item.kind == K.SHIP_TO:
        item.before = {"ship_to": order.ship_to_id, "ship_to_label": order.ship_to.label if order.ship_to_id else ""}
        audit_event(instance=order, field="ship_to", before=order.ship_to.label if order.ship_to_id else "",
                    after=item.ship_to.label, **audit)  # fmt: skip
        order.ship_to = item.ship_to
    if item.drawing:
        LineDrawing.objects.create(
            line=line, file=item.drawing.name, stored_token=item.drawing.name.rsplit("/", 1)[-1].split(".")[0],
            original_name=item.drawing_name, content_type=item.drawing_type, size=item.drawing.size, uploaded_by=by,
        )  # fmt: skip
    item.save(update_fields=["before", "line"])


@atomic_with_retry
def change_request_approve(*, change_request: ChangeRequest, by, note: str = "") -> ChangeRequest:
    """Apply every change in one transaction, the jobs following through `order_changed`.

    Locks in the house order: the order, the change request, the order's lines; the jobs app's receiver
    then locks the jobs and operations. Any refusal (here or in a receiver) rolls all of it back.
    """
    _check_capability(by, "approve_orders")
    order, change = _locked_change(change_request.pk)
    _check_status(change, CR.PENDING, doing="approved")
    _check_changeable(order)
    lines = _order_lines(order, lock=True)
    items = _validate_all(order, change, lines)
    for item in items:
        _apply_item(order, item, lines, by)
    order.revision += 1
    order.save(update_fields=["revision", "promised_date", "ship_to", "updated_at"])
    change.status, change.revision = CR.APPROVED, order.revision
    change.decided_by, change.decided_at, change.decision_note = by, timezone.now(), (note or "").strip()[:2000]
    change.save(update_fields=["status", "revision", "decided_by", "decided_at", "decision_note"])
    signals.order_changed.send(sender=SalesOrder, order=order, change_request=change, items=items, by=by)
    # A cancelled line or a lower quantity can leave nothing more to ship.
    state = _shipped_state(lines.values())
    if state and state != order.status:
        _roll_up_to(order, to=state, by=by, reason=f"Change {change.number} approved")
    return change
