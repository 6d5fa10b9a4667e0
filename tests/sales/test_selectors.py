"""The order an API action answers with (selectors.order_with_lines), the lines an approval gives its receivers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales import selectors, signals
from sales.models import SalesOrder, SalesOrderLine
from sales.services import sales_order_approve, sales_order_submit
from tests.factories import SalesOrderFactory


def test_an_order_with_its_lines_in_line_order(office):
    order = SalesOrderFactory(created_by=office, lines=4)
    SalesOrderLine.objects.filter(order=order, line_no=1).update(line_no=9)  # ids no longer in line order
    with CaptureQueriesContext(connection) as ctx:
        read = selectors.order_with_lines(pk=order.pk)
        lines = list(read.lines.all())
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert read == order and [line.line_no for line in lines] == [2, 3, 4, 9]
    assert lines == list(SalesOrderLine.objects.filter(order=order).order_by("line_no"))
    assert all(line.order is read for line in lines)
    with pytest.raises(SalesOrder.DoesNotExist):
        selectors.order_with_lines(pk=order.pk + 1000)


def test_an_approval_gives_its_receivers_the_lines_with_their_items_and_order(office, manager):
    order = sales_order_submit(order=SalesOrderFactory(created_by=office, lines=3), by=office)
    heard = {}

    def listen(sender, order, lines, by, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            heard["lines"] = [(line.line_no, line.item.part_number, line.order is order) for line in lines]
        heard["queries"] = len(ctx.captured_queries)

    signals.order_approved.connect(listen, dispatch_uid="test.listen")
    try:
        sales_order_approve(order=order, by=manager)
    finally:
        signals.order_approved.disconnect(dispatch_uid="test.listen")
    expected = [(line.line_no, line.item.part_number, True) for line in order.lines.select_related("item")
                .order_by("line_no")]  # fmt: skip
    assert heard == {"lines": expected, "queries": 0}
