"""The admin shows service-owned rows and never writes them: not even a superuser can bypass the services.

An approved order's promised date and ship-to, a job's quantity and due date, an item's price or a work
center's rate changed in the admin would skip the change request, the role check and the audit trail.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job, Operation, TimeEntry, WorkCenter
from mto.models import AuditEntry
from sales import services as sales_services
from sales.models import ChangeRequest, Item, SalesOrder, SalesOrderLine, SalesOrderStatusChange
from shipping.models import Shipment, ShipmentLine
from tests.scenarios import approved_order, produce, ship

# Whose writes belong to a service: each is read-only in the admin, or not in it at all.
SERVICE_OWNED = [SalesOrder, SalesOrderLine, SalesOrderStatusChange, ChangeRequest, Item, Job, Operation,
                 TimeEntry, WorkCenter, Shipment, ShipmentLine, AuditEntry]  # fmt: skip


@pytest.mark.parametrize("model", SERVICE_OWNED, ids=lambda m: m.__name__)
def test_service_owned_models_cannot_be_added_changed_or_deleted(rf, superuser, model):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all (shown, if anywhere, as a read-only inline: checked below)
    request = rf.get("/admin/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert not (inline.has_add_permission(request, None) or inline.has_change_permission(request)
                    or inline.has_delete_permission(request)), inline  # fmt: skip


def test_a_staff_superuser_posting_the_change_forms_changes_nothing(client, superuser, office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=4)
    produce(order, lead, 4)
    shipment = ship(order, clerk, {order.lines.get().pk: 2})
    job = Job.objects.get(sales_order=order)
    item, center = order.lines.get().item, job.operations.first().work_center
    client.force_login(superuser)
    later = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    changes = [
        (order, {"promised_date": later, "customer_po": "HACKED", "notes": "changed in the admin"}),
        (job, {"quantity": "99", "due_date": later}),
        (item, {"unit_price": "0.01"}),
        (center, {"hourly_rate": "1.00"}),
        (shipment, {"tracking_number": "HACKED", "carrier": "HACKED"}),
    ]
    audit = AuditEntry.objects.count()
    for obj, fields in changes:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200, url  # staff may look
        before = {f: getattr(type(obj).objects.get(pk=obj.pk), f) for f in fields}
        response = client.post(url, {"_save": "Save", **fields})
        assert response.status_code == 403, f"{url} -> {response.status_code}"
        after = {f: getattr(type(obj).objects.get(pk=obj.pk), f) for f in fields}
        assert after == before, url
        add = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_add")
        assert client.post(add, {"_save": "Save", **fields}).status_code == 403, add
        delete = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, delete
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert AuditEntry.objects.count() == audit
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED and not order.customer_po == "HACKED"
    assert Item.objects.get(pk=item.pk).unit_price == item.unit_price != Decimal("0.01")


def test_change_requests_and_the_audit_trail_are_read_only_too(client, superuser, office, manager):
    order = approved_order(office, manager)
    change = sales_services.change_request_open(order=order, by=office)
    client.force_login(superuser)
    url = reverse("admin:sales_changerequest_change", args=[change.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "approved"}).status_code == 403
    assert ChangeRequest.objects.get(pk=change.pk).status == change.status
