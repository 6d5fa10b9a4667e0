"""Remake proposals: a job completed with fewer good pieces than its quantity proposes a remake of the pieces its
order line still misses; accepted in one click (jobs' job_create_remake) or dismissed with a reason."""

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone

from jobs.models import Job
from jobs.services import job_create_remake
from mto.db import atomic_with_retry
from mto.transitions import User, transition
from sales.models import SalesOrderLine

from ..models_fai import RemakeProposal
from ..workflow_fai import REMAKE
from .common import _require, lock_job


def line_missing(*, line_id: int) -> int:
    """Pieces the order line misses with what its jobs will still make: the line's quantity less the good pieces
    of its finished jobs and the quantities of its open ones (cancelled jobs count for nothing). Two queries."""
    line = SalesOrderLine.objects.filter(pk=line_id).values("quantity", "is_cancelled").first()
    if line is None or line["is_cancelled"]:
        return 0
    open_statuses = [Job.Status.PLANNED, Job.Status.RELEASED, Job.Status.IN_PROGRESS, Job.Status.ON_HOLD]
    totals = Job.objects.filter(sales_order_line_id=line_id).aggregate(
        open=Sum("quantity", filter=Q(status__in=open_statuses)),
        done=Sum("quantity_completed", filter=Q(status=Job.Status.COMPLETE)),
    )
    return max(line["quantity"] - (totals["open"] or 0) - (totals["done"] or 0), 0)


def remake_propose(*, job: Job) -> RemakeProposal | None:
    """The receiver of job_completed (in the completing transaction): a job that completed short, for an order
    line still missing pieces, gets a proposal to remake the missing ones (no more than the job's shortfall).
    Idempotent (one proposal per job, a unique constraint backs it)."""
    if not job.is_short or job.sales_order_line_id is None:
        return None
    quantity = min(job.shortfall, line_missing(line_id=job.sales_order_line_id))
    if quantity < 1:
        return None
    proposal, _created = RemakeProposal.objects.get_or_create(job=job, defaults={"quantity": quantity})
    return proposal


def _locked(proposal: RemakeProposal) -> tuple[Job, RemakeProposal]:
    job_id = RemakeProposal.objects.values_list("job_id", flat=True).get(pk=proposal.pk)
    job = lock_job(job_id)  # house order: the order, the job, then quality's row
    locked = RemakeProposal.objects.select_for_update().get(pk=proposal.pk)
    locked.job = job
    return job, locked


@atomic_with_retry
def remake_proposal_accept(*, proposal: RemakeProposal, by: User) -> RemakeProposal:
    """One click: the remake job for the pieces the line still misses (J-…-R1, jobs' job_create_remake). A line
    that got its pieces meanwhile (another remake, a lowered quantity) refuses it: dismiss the proposal instead."""
    _require(by, "disposition_ncrs", "manage_jobs")
    job, proposal = _locked(proposal)
    made = {}

    def prepare(p):
        quantity = min(p.quantity, line_missing(line_id=job.sales_order_line_id))
        if quantity < 1:
            raise ValidationError(f"The order line of {job.number} misses no pieces any more; dismiss the proposal.",
                                  code="conflict")  # fmt: skip
        why = f"Remake of {quantity} piece(s): {job.number} completed short"
        made["job"] = job_create_remake(job=job, quantity=quantity, by=by, reason=why)
        p.quantity = quantity

    fields = lambda p: {"remake_job": made["job"], "decided_by": by, "decided_at": timezone.now(),  # noqa: E731
                        "quantity": p.quantity}  # fmt: skip
    return transition(REMAKE, proposal, "accept", by=by, prepare=prepare, fields=fields, locked=True)


@atomic_with_retry
def remake_proposal_dismiss(*, proposal: RemakeProposal, by: User, reason: str) -> RemakeProposal:
    _require(by, "disposition_ncrs", "manage_jobs")
    _job, proposal = _locked(proposal)
    reason = (reason or "").strip()
    fields = {"decided_by": by, "decided_at": timezone.now(), "dismiss_reason": reason[:300]}
    return transition(REMAKE, proposal, "dismiss", by=by, reason=reason, fields=fields, locked=True)


__all__ = ["line_missing", "remake_propose", "remake_proposal_accept", "remake_proposal_dismiss"]
