"""Planned start and finish of operations: the schedule's only way onto jobs' rows (DESIGN: planning writes
planned start and finish onto jobs' operations through a jobs service; the floor queue sorts by them)."""

from datetime import datetime

from django.core.exceptions import ValidationError

from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import Operation
from ..workflow import J, O
from .common import _require

BATCH = 1000


@atomic_with_retry
def operations_set_planned(*, planned: dict[int, tuple[datetime, datetime]], by: User | None) -> int:
    """Make `planned` (operation id -> (start, finish)) the planned times of the open operations: those in
    it get their times, every other open operation loses its own (its job is on hold, or it was not in the
    schedule). `by` None is the scheduler itself (a task); a person needs plan_jobs. Returns the number of
    operations whose times changed.

    The times are not the floor's state: versions stay (tablets do not reload for a new plan) and rows are
    updated in id order without taking the jobs' locks, so the floor never waits on a plan for long.
    """
    if by is not None:
        _require(by, "plan_jobs")
    for op_id, (start, finish) in planned.items():
        if start is None or finish is None or finish < start:
            raise ValidationError(f"Operation {op_id}: a planned finish must not be before its start.")
    stale = Operation.objects.filter(planned_start__isnull=False).exclude(pk__in=list(planned))
    changed = stale.update(planned_start=None, planned_finish=None)
    rows = list(
        Operation.objects.filter(pk__in=list(planned))
        .exclude(status=O.DONE)
        .exclude(job__status__in=[J.COMPLETE, J.CANCELLED])
        .only("id", "planned_start", "planned_finish")
        .order_by("id")
    )
    todo = []
    for op in rows:
        start, finish = planned[op.pk]
        if (op.planned_start, op.planned_finish) != (start, finish):
            op.planned_start, op.planned_finish = start, finish
            todo.append(op)
    Operation.objects.bulk_update(todo, ["planned_start", "planned_finish"], batch_size=BATCH)
    return changed + len(todo)
