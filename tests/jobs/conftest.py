import pytest

from sales import services as sales_services
from tests.factories import CustomerFactory, CustomLineFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing


def approved_order(office, manager, *, lines=1, custom=False, quantity=10):
    """An approved order whose standard lines have a SAW -> CNC -> INSP routing."""
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for n in range(1, lines + 1):
        SalesOrderLineFactory(order=order, line_no=n, item=item, quantity=quantity)
    if custom:
        CustomLineFactory(order=order, line_no=lines + 1, quantity=quantity)
    sales_services.sales_order_submit(order=order, by=office)
    return sales_services.sales_order_approve(order=order, approved_by=manager)


@pytest.fixture
def make_approved_order(office, manager):
    def make(**kwargs):
        return approved_order(office, manager, **kwargs)

    return make
