"""Show shipping's part of orders and jobs on their pages, without those apps importing shipping."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from jobs.models import Job
from jobs.signals import job_detail_panels
from sales.models import SalesOrder
from sales.signals import order_changed, order_detail_panels
from sales.workflow import OPEN_STATUSES

from . import selectors, services


@receiver(order_changed, sender=SalesOrder, dispatch_uid="shipping.follow_order_change")
def follow_order_change(sender, order, change_request, items, by, **kwargs):
    services.shipments_follow_order_change(order=order, items=items, by=by)


@receiver(order_detail_panels, sender=SalesOrder, dispatch_uid="shipping.order_panel")
def order_panel(sender, order, request, **kwargs):
    # The panel links to shipments: only for those who may open them (a lead sees orders, not shipments).
    if not request.user.has_perm("mto.view_shipments"):
        return None
    shipments = selectors.shipments_for_order(order=order)
    can_ship = request.user.has_perm("mto.ship") and order.status in OPEN_STATUSES
    if not shipments and not can_ship:
        return None
    context = {"shipments": shipments, "order": order, "can_ship": can_ship}
    return render_to_string("shipping/partials/order_panel.html", context, request=request)


@receiver(job_detail_panels, sender=Job, dispatch_uid="shipping.job_panel")
def job_panel(sender, job, request, **kwargs):
    shipped, shipments = selectors.shipped_for_job(job=job)
    if not job.sales_order_line_id:
        return None
    context = {"job": job, "shipped": shipped, "shipments": shipments}
    return render_to_string("shipping/partials/job_panel.html", context, request=request)
