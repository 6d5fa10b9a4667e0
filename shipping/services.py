"""Every write of the shipping app. Locks in the house order: sales order, its lines, jobs, shipments."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from jobs.selectors import line_production
from mto.audit import audit_event
from mto.db import atomic_with_retry
from mto.services import document_number_next
from mto.transitions import User, initial_status, record_first_status, transition
from sales.models import SalesOrder, SalesOrderLine
from sales.services import sales_order_record_shipped
from sales.workflow import OPEN_STATUSES

from .models import Shipment, ShipmentLine
from .workflow import SHIPMENT, TRANSITIONS

S = Shipment.Status
HEADER_FIELDS = (
    "ship_to",
    "carrier",
    "service",
    "tracking_number",
    "packages",
    "weight_kg",
    "notes",
    "needs_certificate",
)


def _require(user: User, capability: str):
    if not user.has_perm(f"mto.{capability}"):
        raise PermissionDenied("Your role does not allow this.")


def shipped_totals(order_line_ids) -> dict[int, int]:
    """Pieces on shipped (not voided) shipments, per order line."""
    rows = (
        ShipmentLine.objects.filter(order_line_id__in=order_line_ids, shipment__status=S.SHIPPED)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    totals = dict.fromkeys(order_line_ids, 0)
    totals.update({row["order_line_id"]: row["total"] for row in rows})
    return totals


def _lock_order(order_id: int) -> tuple[SalesOrder, dict[int, SalesOrderLine]]:
    order = SalesOrder.objects.select_for_update().get(pk=order_id)
    lines = {line.pk: line for line in SalesOrderLine.objects.select_for_update().filter(order=order).order_by("id")}
    return order, lines


def _check_quantities(order: SalesOrder, lines: dict[int, SalesOrderLine], wanted: dict[int, int], *, lock: bool):
    """Each wanted quantity fits what the line's jobs produced and what was ordered, less what shipped."""
    errors = []
    positive = {line_id: qty for line_id, qty in wanted.items() if qty}
    for line_id, qty in wanted.items():
        if line_id not in lines:
            raise ValidationError("A shipment line does not belong to this order; reload the page.")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            errors.append(f"Line {lines[line_id].line_no}: the quantity must be a whole number, 0 or more.")
    if errors:
        raise ValidationError({"lines": errors})
    if not positive:
        raise ValidationError({"lines": "A shipment needs at least one line with a quantity above 0."})
    production = line_production(list(positive), lock=lock)
    shipped = shipped_totals(list(positive))
    for line_id, qty in positive.items():
        line, made = lines[line_id], production[line_id]
        if line.is_cancelled:
            errors.append(f"Line {line.line_no} was cancelled by an order change; it ships nothing.")
            continue
        if made.on_hold:
            errors.append(f"Line {line.line_no}: its job {', '.join(made.job_numbers)} is on hold.")
            continue
        # The line's stored figure (locked with the line; piece reports take the order's lock first).
        produced_left = line.quantity_produced - shipped[line_id]
        ordered_left = line.quantity - shipped[line_id]
        if qty > ordered_left:
            errors.append(
                f"Line {line.line_no}: {qty} is more than the {ordered_left} still to ship of {line.quantity}."
            )
        elif qty > produced_left:
            errors.append(
                f"Line {line.line_no}: only {max(produced_left, 0)} produced and not yet shipped; {qty} asked."
            )
    if errors:
        raise ValidationError({"lines": errors}, code="over_ship")
    return positive


def _write_lines(shipment: Shipment, wanted: dict[int, int]):
    ShipmentLine.objects.filter(shipment=shipment).delete()
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=qty) for line_id, qty in wanted.items()
    )


def _header(shipment: Shipment, fields: dict):
    for name, value in fields.items():
        if name in HEADER_FIELDS:
            setattr(shipment, name, value)
    if shipment.weight_kg is not None:
        shipment.weight_kg = Decimal(shipment.weight_kg)


@atomic_with_retry
def shipment_create(*, order: SalesOrder, lines: dict[int, int], by: User, **fields) -> Shipment:
    """A draft shipment of an order's produced pieces; quantities are checked again when it ships."""
    _require(by, "ship")
    order, order_lines = _lock_order(order.pk)
    if order.status not in OPEN_STATUSES:
        raise ValidationError(f"{order.number} is {order.get_status_display().lower()}; nothing can ship.")
    wanted = _check_quantities(order, order_lines, lines, lock=False)
    address = order.ship_to.address if order.ship_to_id else order.customer.billing_address
    shipment = Shipment(order=order, created_by=by, ship_to=address, status=initial_status(SHIPMENT))
    _header(shipment, fields)
    shipment.number = "SH-000000"
    shipment.full_clean(exclude=["number"])
    shipment.number = f"SH-{document_number_next(sequence='SH'):06d}"
    shipment.save()
    _write_lines(shipment, wanted)
    record_first_status(SHIPMENT, shipment, by=by)
    return shipment


@atomic_with_retry
def shipment_update(*, shipment: Shipment, lines: dict[int, int], by: User, **fields) -> Shipment:
    _require(by, "ship")
    order, order_lines = _lock_order(shipment.order_id)
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if not shipment.is_editable:
        raise ValidationError(f"{shipment.number} is {shipment.get_status_display().lower()}; it is read-only.")
    wanted = _check_quantities(order, order_lines, lines, lock=False)
    _header(shipment, fields)
    shipment.full_clean()
    shipment.save()
    before = dict(shipment.lines.values_list("order_line_id", "quantity"))
    _write_lines(shipment, wanted)
    for line_id in sorted(before.keys() | wanted.keys()):
        if before.get(line_id) != wanted.get(line_id):
            label = f"{shipment.number} line {order_lines[line_id].line_no}"
            audit_event(instance=shipment, field="quantity", before=before.get(line_id, ""),
                        after=wanted.get(line_id, "removed"), by=by, label=label)  # fmt: skip
    return shipment


@atomic_with_retry
def shipment_transition(*, shipment: Shipment, name: str, by: User, reason: str = "") -> Shipment:
    """Ship, cancel (a draft) or void (a shipped shipment, Manager, with a reason)."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise ValidationError(f"Unknown action {name!r}.")
    if not spec.allowed_for(by):  # refused before any lock, as before
        raise PermissionDenied("Your role does not allow this.")
    order, order_lines = _lock_order(shipment.order_id)

    def prepare(locked: Shipment):
        if name == "ship":
            wanted = dict(locked.lines.values_list("order_line_id", "quantity"))
            # Locks the jobs too, so pieces cannot be taken back on the floor while they ship.
            _check_quantities(order, order_lines, wanted, lock=True)

    def roll_up(locked: Shipment):
        totals = shipped_totals(list(order_lines))
        sales_order_record_shipped(
            order=order, shipped=totals, by=by, reason=f"{locked.number} {locked.get_status_display().lower()}"
        )

    fields = {"shipped_by": by, "shipped_at": timezone.now()} if name == "ship" else None
    return transition(
        SHIPMENT, shipment, name, by=by, reason=reason, fields=fields, prepare=prepare,
        after=None if name == "cancel" else roll_up,
    )  # fmt: skip


def shipments_follow_order_change(*, order: SalesOrder, items, by: User) -> list[Shipment]:
    """Draft shipments follow an approved order change (inside its transaction): a cancelled line leaves
    them, a new ship-to address replaces theirs. Quantities are checked again when a shipment ships."""
    drafts = list(Shipment.objects.select_for_update().filter(order=order, status=S.DRAFT).order_by("id"))
    if not drafts:
        return []
    cancelled = [item.line_id for item in items if item.kind == "cancel_line"]
    new_ship_to = next((item.ship_to for item in items if item.kind == "ship_to"), None)
    for shipment in drafts:
        if cancelled:
            removed = ShipmentLine.objects.filter(shipment=shipment, order_line_id__in=cancelled)
            for line in removed.select_related("order_line"):
                audit_event(instance=shipment, field="quantity", before=line.quantity, after="removed", by=by,
                            label=f"{shipment.number} line {line.order_line.line_no}",
                            reason="The order line was cancelled")  # fmt: skip
            removed.delete()
        if new_ship_to is not None:
            audit_event(instance=shipment, field="ship_to", before=shipment.ship_to, after=new_ship_to.address,
                        by=by, label=shipment.number, reason="The order's ship-to address changed")  # fmt: skip
            shipment.ship_to = new_ship_to.address
            shipment.save(update_fields=["ship_to", "updated_at"])
    return drafts
