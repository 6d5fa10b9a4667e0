"""The estimate-accuracy samples: one per finished operation of a completed job, written as the job completes."""

from .. import selectors
from ..models import AccuracySample

CHUNK = 2000


def accuracy_samples_record(*, job_ids: list[int]) -> int:
    """Store the actual-against-estimated ratios of the finished operations of these jobs (those complete),
    inside the caller's transaction (the completion's). A system write, no capability: it derives figures from
    what the floor recorded. Idempotent: an operation's sample is written once. Returns the rows written."""
    written = 0
    job_ids = list(job_ids)
    for start in range(0, len(job_ids), CHUNK):
        rows = [
            AccuracySample(operation_id=op, work_center_id=wc, completed_at=at, setup_ratio=setup, run_ratio=run)
            for op, wc, at, setup, run in selectors.operation_actuals(job_ids[start : start + CHUNK])
            if setup is not None or run is not None
        ]
        AccuracySample.objects.bulk_create(rows, ignore_conflicts=True)
        written += len(rows)
    return written
