"""The customer's shipping notice: an outbox row written in the shipping transaction."""

from django.dispatch import receiver

from mto.notifications import notify

from .models import Shipment
from .signals import shipment_shipped


@receiver(shipment_shipped, sender=Shipment, dispatch_uid="shipping.notify_shipping_notice")
def shipping_notice(sender, shipment, by, **kwargs):
    customer = shipment.order.customer
    if customer.email:
        lines = list(shipment.lines.select_related("order_line__item").order_by("order_line__line_no"))
        notify(kind="shipping_notice", emails=[customer.email], context={"shipment": shipment, "lines": lines})
