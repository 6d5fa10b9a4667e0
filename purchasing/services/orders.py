"""Purchase orders: drafts with lines pegged to job material or outside operations, sent to the vendor,
cancelled (their lines set free for another order) or closed; and "buy what the released jobs need"."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from mto.db import atomic_with_retry
from mto.notifications import notify
from mto.services import document_number_next
from mto.transitions import User, initial_status, record_first_status, transition

from .. import signals
from ..models import MaterialRequirement, OutsideOperation, PurchaseOrder, PurchaseOrderLine, Unit, Vendor
from ..workflow import PURCHASE_ORDER, TRANSITIONS
from .common import MONEY_QUANTUM, _require, decimal_of, receive_limit_for

S = PurchaseOrder.Status
# Jobs whose needs "buy what the jobs need" proposes.
BUYING_JOB_STATUSES = (Job.Status.RELEASED, Job.Status.IN_PROGRESS)
MAX_LINES = 200


@dataclass
class LineInput:
    """One line as a form or the API gives it (checked by the service)."""

    description: str
    quantity: Decimal
    unit_cost: Decimal
    due_date: date
    unit: str = Unit.PIECE
    requirement: MaterialRequirement | None = None
    outside_operation: OutsideOperation | None = None


def _line_inputs(lines) -> list[LineInput]:
    items = [line if isinstance(line, LineInput) else LineInput(**line) for line in lines]
    if not items:
        raise ValidationError({"lines": "An order needs at least one line."})
    if len(items) > MAX_LINES:
        raise ValidationError({"lines": f"An order has at most {MAX_LINES} lines."})
    return items


def _check_lines(items: list[LineInput], *, po: PurchaseOrder | None) -> None:
    """Each pegged requirement or outside operation is one a job still needs and no other open line holds."""
    errors = []
    seen_req, seen_out = set(), set()
    req_ids = sorted({i.requirement.pk for i in items if i.requirement is not None})
    out_ids = sorted({i.outside_operation.pk for i in items if i.outside_operation is not None})
    # Purchasing rows in a fixed order: requirements, then outside operations, by id.
    requirements = {r.pk: r for r in MaterialRequirement.objects.select_for_update().filter(pk__in=req_ids)
                    .order_by("id").select_related("job")}  # fmt: skip
    outside = {o.pk: o for o in OutsideOperation.objects.select_for_update().filter(pk__in=out_ids)
               .order_by("id").select_related("operation__job")}  # fmt: skip
    taken = PurchaseOrderLine.objects.filter(is_cancelled=False).filter(
        Q(requirement_id__in=req_ids) | Q(outside_operation_id__in=out_ids)
    )
    if po is not None:
        taken = taken.exclude(purchase_order=po)
    taken = {(line.requirement_id, line.outside_operation_id): line.purchase_order.number
             for line in taken.select_related("purchase_order")}  # fmt: skip
    taken_req = {k[0]: v for k, v in taken.items() if k[0]}
    taken_out = {k[1]: v for k, v in taken.items() if k[1]}
    for n, item in enumerate(items, start=1):
        if item.requirement is not None and item.outside_operation is not None:
            errors.append(f"Line {n}: a line buys material or an outside operation, not both.")
            continue
        item.quantity = decimal_of(item.quantity, field="lines")
        item.unit_cost = decimal_of(item.unit_cost, field="lines", what="unit cost", positive=False)
        if item.unit_cost != item.unit_cost.quantize(MONEY_QUANTUM):
            errors.append(f"Line {n}: give the unit cost to the cent.")
        if item.quantity != item.quantity.quantize(Decimal("0.001")):
            errors.append(f"Line {n}: give the quantity to at most 3 decimals.")
        if not isinstance(item.due_date, date):
            errors.append(f"Line {n}: give a due date.")
        if item.unit not in Unit.values:
            errors.append(f"Line {n}: unknown unit {item.unit!r}.")
        if item.requirement is not None:
            req = requirements[item.requirement.pk]
            if req.pk in seen_req:
                errors.append(f"Line {n}: this material is on another line of this order.")
            seen_req.add(req.pk)
            if req.source != MaterialRequirement.Source.BUY or req.issued_at is not None:
                errors.append(f"Line {n}: {req} was issued from stock; it is not bought.")
            elif req.job.status not in (Job.Status.PLANNED, *BUYING_JOB_STATUSES, Job.Status.ON_HOLD):
                errors.append(f"Line {n}: {req.job.number} is {req.job.get_status_display().lower()}.")
            elif req.pk in taken_req:
                errors.append(f"Line {n}: {req} is already on {taken_req[req.pk]}.")
        if item.outside_operation is not None:
            out = outside[item.outside_operation.pk]
            if out.pk in seen_out:
                errors.append(f"Line {n}: this outside operation is on another line of this order.")
            seen_out.add(out.pk)
            if out.pk in taken_out:
                errors.append(f"Line {n}: this outside operation is already on {taken_out[out.pk]}.")
        if not (item.description or "").strip():
            errors.append(f"Line {n}: give a description.")
    if errors:
        raise ValidationError({"lines": errors})


def _write_lines(po: PurchaseOrder, items: list[LineInput]) -> None:
    PurchaseOrderLine.objects.filter(purchase_order=po).delete()
    rows = []
    for n, item in enumerate(items, start=1):
        row = PurchaseOrderLine(
            purchase_order=po, line_no=n, requirement=item.requirement, outside_operation=item.outside_operation,
            description=item.description.strip()[:200], quantity=item.quantity, unit=item.unit,
            unit_cost=item.unit_cost, due_date=item.due_date, receive_limit=receive_limit_for(item.quantity),
        )  # fmt: skip
        row.full_clean(exclude=["purchase_order"])
        rows.append(row)
    PurchaseOrderLine.objects.bulk_create(rows)


def _vendor_usable(vendor: Vendor) -> None:
    if vendor is None or not isinstance(vendor, Vendor):
        raise ValidationError({"vendor": "Pick a vendor."})
    if not vendor.is_active:
        raise ValidationError({"vendor": f"{vendor} is not active; pick another vendor."})


@atomic_with_retry
def purchase_order_create(*, vendor: Vendor, lines, by: User, notes: str = "") -> PurchaseOrder:
    """A draft order; its lines hold their requirements and outside operations from now on."""
    _require(by, "buy")
    _vendor_usable(vendor)
    items = _line_inputs(lines)
    _check_lines(items, po=None)
    po = PurchaseOrder(vendor=vendor, notes=notes or "", created_by=by, status=initial_status(PURCHASE_ORDER))
    po.number = "PO-000000"
    po.full_clean(exclude=["number"])
    po.number = f"PO-{document_number_next(sequence='PO'):06d}"
    po.save()
    _write_lines(po, items)
    record_first_status(PURCHASE_ORDER, po, by=by)
    return po


@atomic_with_retry
def purchase_order_update(*, po: PurchaseOrder, lines, by: User, vendor: Vendor | None = None,
                          notes: str | None = None) -> PurchaseOrder:  # fmt: skip
    """Edit a draft: its vendor, notes and lines (replaced as given)."""
    _require(by, "buy")
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    if not po.is_editable:
        raise ValidationError(f"{po.number} is {po.get_status_display().lower()}; it is read-only.", code="conflict")
    if vendor is not None:
        _vendor_usable(vendor)
        po.vendor = vendor
    if notes is not None:
        po.notes = notes
    items = _line_inputs(lines)
    _check_lines(items, po=po)
    po.version += 1
    po.full_clean()
    po.save()
    _write_lines(po, items)
    signals.vendor_dates_changed.send(sender=PurchaseOrder, purchase_order=po, outside_operation=None, by=by)
    return po


def _send_to_vendor(po: PurchaseOrder) -> None:
    if po.vendor.email:
        lines = list(po.lines.order_by("line_no"))
        link = reverse("purchasing:po-print", args=[po.pk])
        notify(kind="purchase_order_sent", emails=[po.vendor.email], context={"po": po, "lines": lines, "link": link},
               link=link)  # fmt: skip


@atomic_with_retry
def purchase_order_transition(*, po: PurchaseOrder, name: str, by: User, reason: str = "") -> PurchaseOrder:
    """Send (the vendor gets it by e-mail through the outbox), cancel (nothing received; a reason; its lines
    let go of their requirements and outside operations), close or short-close (a reason)."""
    spec = TRANSITIONS.get(name)
    if spec is None or spec.is_system:
        raise ValidationError(f"Unknown action {name!r}.")
    _require(by, *spec.capabilities)

    def prepare(locked: PurchaseOrder):
        lines = list(PurchaseOrderLine.objects.select_for_update().filter(purchase_order=locked).order_by("id"))
        if name == "send" and not lines:
            raise ValidationError(f"{locked.number} has no lines to send.", code="conflict")
        if name == "send" and not locked.vendor.is_active:
            raise ValidationError(f"{locked.vendor} is not active; pick another vendor.", code="conflict")
        if name == "cancel":
            if any(line.quantity_received > 0 for line in lines):
                raise ValidationError(f"{locked.number} has goods received; close it instead.", code="conflict")
            PurchaseOrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(is_cancelled=True)

    fields = {}
    if name == "send":
        fields = {"sent_at": timezone.now()}
    elif name == "cancel":
        fields = {"cancel_reason": (reason or "").strip()[:500]}
    po = transition(
        PURCHASE_ORDER, po, name, by=by, reason=reason, fields=fields, prepare=prepare,
        after=_send_to_vendor if name == "send" else None,
    )  # fmt: skip
    if name == "cancel":
        signals.vendor_dates_changed.send(sender=PurchaseOrder, purchase_order=po, outside_operation=None, by=by)
    return po


# --- buy what the released jobs need ------------------------------------------------------------------------


@dataclass
class ProposedGroup:
    vendor: Vendor
    lines: list[LineInput] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.quantity * line.unit_cost for line in self.lines), Decimal("0")).quantize(MONEY_QUANTUM)


@dataclass
class Proposal:
    groups: list[ProposedGroup]
    # Needs no vendor was named for: the buyer picks one on a PO by hand.
    without_vendor: list = field(default_factory=list)


def _unit_cost(total: Decimal, quantity: Decimal) -> Decimal:
    return (total / quantity).quantize(MONEY_QUANTUM) if quantity else Decimal("0")


def purchase_proposal(*, today: date | None = None) -> Proposal:
    """Draft orders grouped by vendor for every requirement and outside operation of released or running jobs
    that no open PO line holds. Three queries, whatever the number of jobs."""
    today = today or timezone.localdate()
    free = ~Q(po_lines__is_cancelled=False)
    requirements = list(
        MaterialRequirement.objects.filter(job__status__in=BUYING_JOB_STATUSES, source="buy", issued_at__isnull=True)
        .filter(free)
        .select_related("job", "vendor", "operation")
        .order_by("vendor_id", "job__due_date", "id")
        .distinct()
    )
    outside = list(
        OutsideOperation.objects.filter(operation__job__status__in=BUYING_JOB_STATUSES)
        .exclude(operation__status="done")
        .filter(free)
        .select_related("vendor", "operation__job")
        .order_by("vendor_id", "operation__job__due_date", "id")
        .distinct()
    )
    groups: dict[int, ProposedGroup] = {}
    without = []
    for req in requirements:
        if req.vendor_id is None or not req.vendor.is_active:
            without.append(req)
            continue
        group = groups.setdefault(req.vendor_id, ProposedGroup(vendor=req.vendor))
        group.lines.append(LineInput(
            description=f"{req.description} ({req.job.number})"[:200], quantity=req.quantity, unit=req.unit,
            unit_cost=_unit_cost(req.estimated_cost, req.quantity), requirement=req,
            due_date=min(today + timedelta(days=req.vendor.lead_days), max(req.job.due_date, today)),
        ))  # fmt: skip
    for out in outside:
        op = out.operation
        if out.vendor_id is None or not out.vendor.is_active:
            without.append(out)
            continue
        group = groups.setdefault(out.vendor_id, ProposedGroup(vendor=out.vendor))
        quantity = Decimal(op.job.quantity)
        group.lines.append(LineInput(
            description=f"{op.description} ({op.job.number} op {op.sequence})"[:200], quantity=quantity,
            unit=Unit.PIECE, unit_cost=_unit_cost(out.estimated_cost, quantity), outside_operation=out,
            due_date=today + timedelta(days=out.lead_days or out.vendor.lead_days),
        ))  # fmt: skip
    ordered = sorted(groups.values(), key=lambda g: g.vendor.code)
    return Proposal(groups=ordered, without_vendor=without)


@atomic_with_retry
def purchase_orders_create_proposed(*, by: User, vendor_ids: list[int] | None = None) -> list[PurchaseOrder]:
    """Make the proposal's draft orders (of the vendors named, or all); what another buyer took meanwhile
    is refused by the lines' check and the whole set rolls back with the reason."""
    _require(by, "buy")
    proposal = purchase_proposal()
    made = []
    for group in proposal.groups:
        if vendor_ids is not None and group.vendor.pk not in vendor_ids:
            continue
        made.append(purchase_order_create(vendor=group.vendor, lines=group.lines, by=by))
    if not made:
        raise ValidationError("Nothing to buy: every need of the released jobs is on an order.", code="conflict")
    return made
