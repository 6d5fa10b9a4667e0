"""Handlers of the sales app's signals: each is one call to a jobs service."""

from django.dispatch import receiver

from sales.models import SalesOrder
from sales.signals import order_approved, order_cancelled, order_changed

from . import services


@receiver(order_approved, sender=SalesOrder, dispatch_uid="jobs.create_jobs_on_approval")
def create_jobs_on_approval(sender, order, lines, by, **kwargs):
    services.jobs_create_for_order(order=order, by=by, lines=lines)


@receiver(order_cancelled, sender=SalesOrder, dispatch_uid="jobs.cancel_jobs_with_order")
def cancel_jobs_with_order(sender, order, cancelled_by, reason, **kwargs):
    services.jobs_cancel_for_order(order=order, by=cancelled_by, reason=reason)


@receiver(order_changed, sender=SalesOrder, dispatch_uid="jobs.follow_order_change")
def follow_order_change(sender, order, change_request, items, by, **kwargs):
    services.jobs_follow_order_change(order=order, items=items, by=by)
