"""Reads of the sales app, each with the joins and prefetches its page needs (a fixed number of queries)."""

import copy
import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mto import reads

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
from .workflow import OPEN_STATUSES


def customer_list(*, search: str = "") -> QuerySet[Customer]:
    qs = Customer.objects.annotate(open_orders=Count("orders", filter=~Q(orders__status__in=["closed", "cancelled"])))
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(email__icontains=search))
    return qs.order_by("name", "id")


def customer_detail(*, pk: int) -> Customer:
    return Customer.objects.prefetch_related("ship_tos").get(pk=pk)


def customer_recent_orders(*, customer: Customer, limit: int = 20) -> list[SalesOrder]:
    return list(order_list_queryset().filter(customer=customer)[:limit])


def item_list(*, search: str = "") -> QuerySet[Item]:
    qs = Item.objects.all()
    if search:
        qs = qs.filter(
            Q(part_number__icontains=search) | Q(description__icontains=search) | Q(revision__iexact=search)
        )
    return qs.order_by("part_number", "revision", "id")


def order_list_queryset() -> QuerySet[SalesOrder]:
    """Totals by correlated subqueries, so a page of 25 sums 25 orders, not the whole table."""
    lines = SalesOrderLine.objects.filter(order=OuterRef("pk"), is_cancelled=False).order_by().values("order")
    money = DecimalField(max_digits=14, decimal_places=2)
    return SalesOrder.objects.select_related("customer").annotate(
        total=Coalesce(
            Subquery(lines.annotate(v=Sum(F("quantity") * F("unit_price"))).values("v")[:1], output_field=money),
            Value(0),
            output_field=money,
        ),
        line_count=Coalesce(
            Subquery(lines.annotate(n=Count("*")).values("n")[:1], output_field=IntegerField()), Value(0)
        ),
    )


def _order_page_reads(pk: int) -> dict:
    """The order page's reads of order pk: customer, lines with items and drawings, history, and its change
    requests with their items (by the key only: mto.reads.CompiledReads keeps their SQL)."""
    return {
        "order": SalesOrder.objects.select_related("customer", "ship_to", "created_by").filter(pk=pk),
        "lines": SalesOrderLine.objects.filter(order_id=pk).select_related("item").order_by("line_no"),
        "drawings": LineDrawing.objects.filter(line__order_id=pk).order_by("uploaded_at"),
        "status_changes": SalesOrderStatusChange.objects.filter(order_id=pk).select_related("changed_by")
        .order_by("id"),
        "changes": ChangeRequest.objects.filter(order_id=pk).select_related("created_by", "decided_by")
        .order_by("number"),
        "change_items": ChangeItem.objects.filter(change_request__order_id=pk)
        .select_related("line__item", "item", "ship_to")
        .order_by("id"),
    }  # fmt: skip


_ORDER_PAGE = reads.CompiledReads(_order_page_reads)


def _order_with_lines_reads(pk: int) -> dict:
    return {
        "order": SalesOrder.objects.filter(pk=pk),
        "lines": SalesOrderLine.objects.filter(order_id=pk).order_by("line_no"),
    }


_ORDER_WITH_LINES = reads.CompiledReads(_order_with_lines_reads)


def order_with_lines(*, pk: int) -> SalesOrder:
    """The order with its lines in line order, as the API shows it after an action: one statement compiled once
    per process (mto.reads.CompiledReads). Raises SalesOrder.DoesNotExist."""
    rows = _ORDER_WITH_LINES.fetch(pk)
    if not rows["order"]:
        raise SalesOrder.DoesNotExist(f"No order {pk}")
    order = rows["order"][0]
    reads.attach([order], rows["lines"], key="order_id", cache_name="lines")
    return order


def order_detail(*, pk: int) -> SalesOrder:
    """The order page's order with its lines, drawings, history and change requests (order_changes answers them
    from here), read together: one prepared statement on PostgreSQL, compiled once per process
    (mto.reads.CompiledReads). Raises SalesOrder.DoesNotExist."""
    rows = _ORDER_PAGE.fetch(pk)
    if not rows["order"]:
        raise SalesOrder.DoesNotExist(f"No order {pk}")
    order = rows["order"][0]
    reads.attach([order], rows["lines"], key="order_id", cache_name="lines")
    reads.attach(rows["lines"], rows["drawings"], key="line_id", cache_name="drawings")
    reads.attach([order], rows["status_changes"], key="order_id", cache_name="status_changes")
    reads.attach(rows["changes"], rows["change_items"], key="change_request_id", cache_name="items")
    order._mto_changes = _changes_of(order, rows["changes"])
    return order


def order_lines(*, order: SalesOrder) -> list[SalesOrderLine]:
    """The order's lines with their items, in line order (cancelled ones included)."""
    return list(order.lines.select_related("item").order_by("line_no"))


def order_changes(*, order: SalesOrder) -> list[ChangeRequest]:
    """The order's change requests with their items, oldest first (two queries; none after order_detail)."""
    cached = getattr(order, "_mto_changes", None)
    if cached is not None:
        return cached
    items = ChangeItem.objects.select_related("line__item", "item", "ship_to").order_by("id")
    changes = list(
        order.change_requests.select_related("created_by", "decided_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("number")
    )
    return _changes_of(order, changes)


def _changes_of(order: SalesOrder, changes: list[ChangeRequest]) -> list[ChangeRequest]:
    for change in changes:
        change.order = order  # the summaries read the order's dates and address
        for item in change.items.all():
            item.change_request = change
    return changes


def change_detail(*, pk: int) -> ChangeRequest:
    change = ChangeRequest.objects.select_related("order__customer", "order__ship_to", "created_by", "decided_by").get(
        pk=pk
    )
    items = list(change.items.select_related("line__item", "item", "ship_to").order_by("id"))
    for item in items:
        item.change_request = change
    change.item_list = items
    return change


def order_at_revision(
    *, order: SalesOrder, lines: list[SalesOrderLine], changes: list[ChangeRequest], revision: int
) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """The order and its lines as they stood at `revision`: the later approved changes undone, newest first.

    Works on copies, from the values each approved change recorded as replaced (`ChangeItem.before`).
    """
    order = copy.copy(order)
    lines_by_id = {line.pk: copy.copy(line) for line in lines}
    later = sorted(
        (c for c in changes if c.status == ChangeRequest.Status.APPROVED and c.revision > revision),
        key=lambda c: c.revision,
        reverse=True,
    )
    items = [item for change in later for item in reversed(list(change.items.all()))]
    old_items = Item.objects.in_bulk({i.before.get("item") for i in items if i.before.get("item")})
    old_ship_tos = ShipToAddress.objects.in_bulk({i.before.get("ship_to") for i in items if i.before.get("ship_to")})
    K = ChangeItem.Kind
    for item in items:
        line, before = lines_by_id.get(item.line_id), item.before
        if item.kind == K.ADD_LINE:
            lines_by_id.pop(item.line_id, None)
        elif item.kind == K.QUANTITY:
            line.quantity = before["quantity"]
        elif item.kind == K.DUE_DATE:
            line.due_date = datetime.date.fromisoformat(before["due_date"])
        elif item.kind == K.REVISION:
            line.item = old_items.get(before["item"]) if before.get("item") else None
            line.drawing_revision = before.get("drawing_revision", "")
        elif item.kind == K.CANCEL_LINE:
            line.is_cancelled = False
        elif item.kind == K.PROMISED_DATE:
            order.promised_date = (
                datetime.date.fromisoformat(before["promised_date"]) if before["promised_date"] else None
            )
        elif item.kind == K.SHIP_TO:
            order.ship_to = old_ship_tos.get(before["ship_to"]) if before.get("ship_to") else None
    order.revision = revision
    return order, sorted(lines_by_id.values(), key=lambda line: line.line_no)


def ship_to_options(*, customer_id: str) -> QuerySet[ShipToAddress]:
    """A customer's ship-to addresses, the default first (an id that is not a number gives none)."""
    ship_tos = ShipToAddress.objects.filter(customer_id=customer_id if customer_id.isdigit() else None)
    return ship_tos.order_by("-is_default", "label")


# --- home page figures ------------------------------------------------------------------------------


# The home page's reads: each a queryset (mto.reads runs the page's together) and the list it answers.


def orders_awaiting_approval_queryset(*, limit: int = 10) -> QuerySet[SalesOrder]:
    return (
        SalesOrder.objects.filter(status=SalesOrder.Status.PENDING_APPROVAL)
        .select_related("customer")
        .order_by("id")[:limit]
    )


def orders_awaiting_approval(*, limit: int = 10) -> list[SalesOrder]:
    return list(orders_awaiting_approval_queryset(limit=limit))


def changes_awaiting_approval_queryset(*, limit: int = 10) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING)
        .select_related("order__customer")
        .order_by("submitted_at", "id")[:limit]
    )


def changes_awaiting_approval(*, limit: int = 10) -> list[ChangeRequest]:
    return list(changes_awaiting_approval_queryset(limit=limit))


def orders_promised_within_queryset(
    *, days: int = 7, today: datetime.date | None = None, limit: int = 10
) -> QuerySet[SalesOrder]:
    """Open orders promised on or before `days` from today (late ones included), soonest first."""
    today = today or timezone.localdate()
    return (
        SalesOrder.objects.filter(status__in=OPEN_STATUSES, promised_date__lte=today + datetime.timedelta(days=days))
        .select_related("customer")
        .order_by("promised_date", "id")[:limit]
    )


def orders_promised_within(*, days: int = 7, today: datetime.date | None = None, limit: int = 10) -> list[SalesOrder]:
    return list(orders_promised_within_queryset(days=days, today=today, limit=limit))


def _open_lines() -> QuerySet[SalesOrderLine]:
    return SalesOrderLine.objects.filter(order__status__in=OPEN_STATUSES, is_cancelled=False)


def _value_to_ship():
    """(ordered - shipped) x unit price of a line."""
    return ExpressionWrapper(
        (F("quantity") - F("quantity_shipped")) * F("unit_price"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def open_order_book_read() -> reads.Aggregate:
    """Value still to ship on open orders ({"v": ... or None}), as a read."""
    return reads.aggregate(_open_lines(), v=Sum(_value_to_ship()))


def open_order_book_value() -> Decimal:
    """Value still to ship on open orders: (ordered - shipped) x unit price over their lines."""
    return reads.fetch(book=open_order_book_read())["book"]["v"] or Decimal("0.00")


def order_book(*, group: str) -> list[list]:
    """Open order book: value still to ship and pieces still to ship, by customer or by month promised."""
    key = {"customer": "order__customer__name", "month": "order__promised_date__month"}[group]
    rows = (
        _open_lines()
        .values(key)
        .annotate(
            value=Sum(_value_to_ship()),
            pieces=Sum(F("quantity") - F("quantity_shipped")),
            orders=Count("order", distinct=True),
        )
        .order_by("-value")
    )
    cents = Decimal("0.01")
    return [[row[key], Decimal(row["value"] or 0).quantize(cents), row["pieces"], row["orders"]] for row in rows]
