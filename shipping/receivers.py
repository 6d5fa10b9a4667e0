"""Handlers of the sales app's signals: each is one call to a shipping service."""

from django.dispatch import receiver

from sales.models import SalesOrder
from sales.signals import order_changed

from . import services


@receiver(order_changed, sender=SalesOrder, dispatch_uid="shipping.follow_order_change")
def follow_order_change(sender, order, change_request, items, by, **kwargs):
    services.shipments_follow_order_change(order=order, items=items, by=by)
