"""The order line's stored produced pieces (sales' `quantity_produced`): kept here, where good pieces change."""

from django.db.models import Sum

from sales.services import sales_order_line_record_produced

from ..models import Job
from ..workflow import J


def line_produced_refresh(*, line_id: int | None) -> int | None:
    """Store the line's good pieces (the sum over its jobs that are not cancelled, remakes included) on the line.

    Called in the transaction of every change to that sum: a last operation's good pieces (reported, or back
    from a vendor), a job of the line cancelled. The caller holds the order's lock (jobs services lock the order
    before the job). The sum is recounted rather than added to, so a call is idempotent and a figure that
    drifted heals on the next change. Returns the stored figure (None for a job without an order line).
    """
    if line_id is None:
        return None
    produced = (
        Job.objects.filter(sales_order_line_id=line_id)
        .exclude(status=J.CANCELLED)
        .aggregate(total=Sum("quantity_completed"))["total"]
        or 0
    )
    sales_order_line_record_produced(line_id=line_id, produced=produced)
    return produced
