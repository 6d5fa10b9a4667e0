"""Who hears about sales events: rows in the outbox, written in the transaction of the event."""

from django.dispatch import receiver

from mto.notifications import notify

from . import selectors
from .models import SalesOrder
from .signals import order_approved, order_changed


@receiver(order_approved, sender=SalesOrder, dispatch_uid="sales.notify_order_acknowledgment")
def order_acknowledgment(sender, order, lines, by, **kwargs):
    if order.customer.email:
        notify(kind="order_acknowledgment", emails=[order.customer.email], context={"order": order, "lines": lines})


@receiver(order_changed, sender=SalesOrder, dispatch_uid="sales.notify_revised_acknowledgment")
def revised_acknowledgment(sender, order, change_request, items, by, **kwargs):
    """The customer gets the acknowledgment again, marked with the revision, after an approved change."""
    if order.customer.email:
        lines = selectors.order_lines(order=order)
        context = {"order": order, "lines": lines, "items": items}
        notify(kind="order_acknowledgment", emails=[order.customer.email], context=context)
