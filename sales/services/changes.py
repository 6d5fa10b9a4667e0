"""Change requests: changes to an approved order, applied in one transaction on approval."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mto.audit import audit_event
from mto.db import atomic_with_retry
from mto.transitions import User, initial_status, record_first_status, transition

from ..models import (
    ChangeItem,
    ChangeRequest,
    Item,
    LineDrawing,
    SalesOrder,
    SalesOrderLine,
)
from ..workflow import CHANGE_REQUEST, lock_change
from .common import _check_capability
from .drawings import drawing_validate
from .orders import _roll_up_to, _shipped_state

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
    change = lock_change(ChangeRequest(pk=change_request_id))
    return change.order, change


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


def _line_refusal(line: SalesOrderLine, kind: str, others) -> str:
    """Why `line` cannot take a change of `kind` beside the request's `others` items ("" if it can)."""
    if line.is_cancelled:
        return f"Line {line.line_no} is cancelled; it cannot change."
    if kind != K.CANCEL_LINE and any(o.kind == K.CANCEL_LINE and o.line_id == line.pk for o in others):
        return f"Line {line.line_no} is cancelled by this change request; remove that first."
    if any(o.kind == kind and o.line_id == line.pk for o in others):
        return f"Line {line.line_no} already has a {K(kind).label.lower()} change here; edit that one."
    return ""


def change_line_offers(*, items: list[ChangeItem], lines: list[SalesOrderLine]) -> dict[int, list[str]]:
    """The kinds of change each line can still take beside a request's `items`: the rules of _validate_item,
    asked before a form is shown (one query for the catalogue's other revisions)."""
    others = items
    revisions = set(
        Item.objects.filter(
            part_number__in={line.item.part_number for line in lines if line.item_id}, is_active=True
        ).values_list("part_number", "pk")
    )
    offers = {}
    for line in lines:
        kinds = [kind for kind in ChangeItem.LINE_KINDS if not _line_refusal(line, kind, others)]
        if line.item_id and not any(part == line.item.part_number and pk != line.item_id for part, pk in revisions):
            kinds = [kind for kind in kinds if kind != K.REVISION]  # no other revision to change to
        offers[line.pk] = kinds
    return offers


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
    if line is not None and (refusal := _line_refusal(line, kind, others)):
        raise ValidationError(refusal)
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
def change_request_open(*, order: SalesOrder, by: User) -> ChangeRequest:
    """A draft change request for the order, or the one already open (one at a time per order)."""
    _check_capability(by, "edit_orders")
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    _check_changeable(order)
    existing = order.change_requests.filter(status__in=ChangeRequest.OPEN).first()
    if existing:
        return existing
    number = (order.change_requests.aggregate(n=Max("number"))["n"] or 0) + 1
    change = ChangeRequest.objects.create(
        order=order, number=number, created_by=by, status=initial_status(CHANGE_REQUEST)
    )
    record_first_status(CHANGE_REQUEST, change, by=by)  # its own fields are its history: writes nothing today
    return change


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
def change_item_add(*, change_request: ChangeRequest, kind: str, by: User, **fields) -> ChangeItem:
    _check_capability(by, "edit_orders")
    order, change = _locked_change(change_request.pk)
    _check_status(change, CR.DRAFT, doing="edited")
    return _save_item(order, change, ChangeItem(change_request=change, kind=kind), fields)


@atomic_with_retry
def change_item_update(*, change_item: ChangeItem, by: User, **fields) -> ChangeItem:
    """Edit a draft's change; `fields` may hold `item`, the catalogue item of an added line or a revision."""
    _check_capability(by, "edit_orders")
    order, change = _locked_change(change_item.change_request_id)
    _check_status(change, CR.DRAFT, doing="edited")
    item = ChangeItem.objects.get(pk=change_item.pk)
    fields.pop("line", None)  # an item stays on its line; remove it and add another instead
    return _save_item(order, change, item, fields)


@atomic_with_retry
def change_item_remove(*, item: ChangeItem, by: User) -> None:
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
def change_request_submit(*, change_request: ChangeRequest, by: User) -> ChangeRequest:
    def prepare(change: ChangeRequest):
        _check_changeable(change.order)
        _validate_all(change.order, change, _order_lines(change.order))

    return transition(
        CHANGE_REQUEST, change_request, "submit", by=by, prepare=prepare, fields={"submitted_at": timezone.now()}
    )


@atomic_with_retry
def change_request_withdraw(*, change_request: ChangeRequest, by: User) -> ChangeRequest:
    return transition(
        CHANGE_REQUEST, change_request, "withdraw", by=by, fields={"decided_by": by, "decided_at": timezone.now()}
    )


@atomic_with_retry
def change_request_reject(*, change_request: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    def prepare(change: ChangeRequest):
        change.decision_note = (reason or "").strip()
        change.full_clean(exclude=["order", "created_by", "decided_by", "status"])

    return transition(
        CHANGE_REQUEST, change_request, "reject", by=by, reason=reason, prepare=prepare,
        fields={"decided_by": by, "decided_at": timezone.now(), "decision_note": (reason or "").strip()},
    )  # fmt: skip


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
def change_request_approve(*, change_request: ChangeRequest, by: User, note: str = "") -> ChangeRequest:
    """Apply every change in one transaction, the jobs following through `order_changed`.

    Locks in the house order: the order, the change request, the order's lines; the jobs app's receiver
    then locks the jobs and operations. Any refusal (here or in a receiver) rolls all of it back.
    """
    lines: dict[int, SalesOrderLine] = {}
    items: list[ChangeItem] = []

    def prepare(change: ChangeRequest):
        order = change.order
        _check_changeable(order)
        lines.update(_order_lines(order, lock=True))
        items.extend(_validate_all(order, change, lines))
        for item in items:
            _apply_item(order, item, lines, by)
        order.revision += 1
        order.save(update_fields=["revision", "promised_date", "ship_to", "updated_at"])

    change = transition(
        CHANGE_REQUEST, change_request, "approve", by=by, prepare=prepare, signal_kwargs={"items": items},
        fields=lambda change: {"revision": change.order.revision, "decided_by": by, "decided_at": timezone.now(),
                               "decision_note": (note or "").strip()[:2000]},
    )  # fmt: skip
    order = change.order
    # A cancelled line or a lower quantity can leave nothing more to ship.
    state = _shipped_state(lines.values())
    if state and state != order.status:
        _roll_up_to(order, to=state, by=by, reason=f"Change {change.number} approved")
    return change
