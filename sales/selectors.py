"""Reads of the sales app, each with the joins and prefetches its page needs (a fixed number of queries)."""

from django.db.models import (
    Count,
    DecimalField,
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

from .models import Customer, Item, LineDrawing, SalesOrder, SalesOrderLine, SalesOrderStatusChange


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
    lines = SalesOrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
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


def order_detail(*, pk: int) -> SalesOrder:
    lines = SalesOrderLine.objects.select_related("item").order_by("line_no")
    return (
        SalesOrder.objects.select_related("customer", "ship_to", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("lines__drawings", queryset=LineDrawing.objects.order_by("uploaded_at")),
            Prefetch(
                "status_changes", queryset=SalesOrderStatusChange.objects.select_related("changed_by").order_by("id")
            ),
        )
        .get(pk=pk)
    )


def order_for_edit(*, pk: int) -> SalesOrder:
    return SalesOrder.objects.select_related("customer").get(pk=pk)
