"""Events that change the plan ask for a new schedule, debounced (planning.services.schedule_request_after_event:
one run per burst). Connected in PlanningConfig.ready(), each through a signal the lower app defines: an
order's approval and a remake (jobs_created), a hold (job_held), a release, a resume or a cancel (job_moved),
scrap (pieces_scrapped), a change order (jobs_changed), operations added (a rework, the planner's), a receipt
(material_received) and a vendor's dates (vendor_dates_changed). A calendar or holiday edit asks in its own
service."""

from django.dispatch import receiver

from jobs.models import Job, Operation
from jobs.signals import job_held, job_moved, jobs_changed, jobs_created, operations_added, pieces_scrapped
from jobs.workflow import J
from purchasing.models import OutsideOperation, PurchaseOrder, Receipt
from purchasing.signals import material_received, vendor_dates_changed

from .services.schedule import schedule_request_after_event

# Moves that change what the schedule holds (a hold has job_held; a start or a completion changes nothing ahead).
MOVES = {J.RELEASED: "released", J.CANCELLED: "cancelled"}


@receiver(jobs_created, sender=Job, dispatch_uid="planning.plan_after_jobs_created")
def plan_after_jobs_created(sender, order, jobs, by, **kwargs):
    if any(job.origin == Job.Origin.REWORK for job in jobs):
        schedule_request_after_event(f"{', '.join(job.number for job in jobs)} made (remake)")
    else:
        schedule_request_after_event(f"{order.number} approved: {len(jobs)} new job(s)")


@receiver(job_held, sender=Job, dispatch_uid="planning.plan_after_job_held")
def plan_after_job_held(sender, job, by, reason, **kwargs):
    schedule_request_after_event(f"{job.number} held")


@receiver(job_moved, sender=Job, dispatch_uid="planning.plan_after_job_moved")
def plan_after_job_moved(sender, job, from_status, to_status, by, **kwargs):
    if from_status == J.ON_HOLD and to_status != J.CANCELLED:
        schedule_request_after_event(f"{job.number} resumed")
    elif to_status in MOVES and from_status != to_status:
        schedule_request_after_event(f"{job.number} {MOVES[to_status]}")


@receiver(pieces_scrapped, sender=Operation, dispatch_uid="planning.plan_after_pieces_scrapped")
def plan_after_pieces_scrapped(sender, operation, job, quantity, reason, by, **kwargs):
    schedule_request_after_event(f"{job.number} op {operation.sequence}: {quantity} scrapped")


@receiver(jobs_changed, sender=Job, dispatch_uid="planning.plan_after_jobs_changed")
def plan_after_jobs_changed(sender, order, items, jobs, by, **kwargs):
    schedule_request_after_event(f"{order.number} changed")


@receiver(operations_added, sender=Operation, dispatch_uid="planning.plan_after_operations_added")
def plan_after_operations_added(sender, operations, by, **kwargs):
    schedule_request_after_event(lambda: f"{', '.join(sorted({op.job.number for op in operations}))}: operation added")


@receiver(material_received, sender=Receipt, dispatch_uid="planning.plan_after_material_received")
def plan_after_material_received(sender, receipt, by, **kwargs):
    schedule_request_after_event(lambda: f"received on {receipt.po_line}")


@receiver(vendor_dates_changed, sender=PurchaseOrder, dispatch_uid="planning.plan_after_po_dates")
def plan_after_po_dates(sender, purchase_order, outside_operation, by, **kwargs):
    schedule_request_after_event(f"{purchase_order.number}: vendor dates")


@receiver(vendor_dates_changed, sender=OutsideOperation, dispatch_uid="planning.plan_after_outside_dates")
def plan_after_outside_dates(sender, purchase_order, outside_operation, by, **kwargs):
    schedule_request_after_event(lambda: f"{outside_operation.operation.job.number}: vendor lead time")
