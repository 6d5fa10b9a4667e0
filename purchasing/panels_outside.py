"""The job page's outside operations and cost panel; registered from PurchasingConfig.ready() (mto/panels.py)."""

from mto import panels
from mto.panels import can

from . import selectors_outside


def job_outside(request, *, job) -> dict | None:
    """The job's outside operations (vendor, pieces out and back, due, certificates) and its cost besides labor
    (the job page already carries it as job.cost_summary). No outside operation: no panel."""
    rows = selectors_outside.job_outside(job=job)
    if not rows:
        return None
    return {"job": job, "rows": rows, "summary": getattr(job, "cost_summary", None)}


def register_panels() -> None:
    panels.register(page="job-detail", order=45, name="purchasing.job-outside",
                    template="purchasing/partials/job_outside_panel.html", context=job_outside,
                    visible=can("view_purchasing"))  # fmt: skip
