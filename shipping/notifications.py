"""Shipping's notices: outbox rows written in the transaction of the event."""

from django.dispatch import receiver

from mto.notifications import notify
from mto.roles import SHIPPING
from sales.models import SalesOrder
from sales.signals import order_changed

from . import selectors
from .models import Shipment
from .signals import shipment_shipped


@receiver(shipment_shipped, sender=Shipment, dispatch_uid="shipping.notify_shipping_notice")
def shipping_notice(sender, shipment, by, **kwargs):
    customer = shipment.order.customer
    if customer.email:
        lines = selectors.shipment_lines(shipment=shipment)
        notify(kind="shipping_notice", emails=[customer.email], context={"shipment": shipment, "lines": lines})


@receiver(order_changed, sender=SalesOrder, dispatch_uid="shipping.notify_order_changed")
def order_changed_notice(sender, order, change_request, items, by, **kwargs):
    """Shipping clerks hear of every approved change: quantities, lines, dates and addresses they ship by."""
    link = order.get_absolute_url()
    context = {"order": order, "change": change_request, "items": items, "link": link}
    notify(kind="order_changed", roles=[SHIPPING], context=context, link=link)
