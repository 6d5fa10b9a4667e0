import datetime

from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from mto.models import AuditEntry
from sales import services
from tests.factories import ItemFactory, SalesOrderFactory


def test_price_and_quantity_changes_are_audited(office):
    item = ItemFactory()
    services.item_update(item=item, by=office, unit_price="99.50")
    order = SalesOrderFactory(lines=2, created_by=office)
    first, second = order.lines.order_by("line_no")
    due = timezone.localdate() + datetime.timedelta(days=5)
    services.sales_order_update(
        order=order, by=office,
        lines=[{"id": first.pk, "item": first.item, "quantity": 15, "unit_price": first.unit_price, "due_date": due},
               {"item": item, "quantity": 1, "unit_price": "1.00", "due_date": due}],
    )  # fmt: skip
    rows = {(a.object_label, a.field, a.before, a.after, a.changed_by.username) for a in AuditEntry.objects.all()}
    assert (f"Item {item.part_number}", "unit_price", "12.50", "99.50", "office") in rows
    assert (f"{order.number} line 1", "quantity", "10", "15", "office") in rows
    assert (f"{order.number} line 2", "quantity", "10", "removed", "office") in rows
    assert (f"{order.number} line 2", "quantity", "added", "1", "office") in rows


def test_the_trail_cannot_be_edited_in_the_admin(superuser):
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
