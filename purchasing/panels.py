"""What the purchasing app shows on other pages; registered from PurchasingConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can

from . import selectors


def job_material(request, *, job) -> dict | None:
    """The job's material: each requirement, its status, the PO line it is on, received quantities and heats."""
    requirements = selectors.job_material(job=job)
    can_edit = request.user.has_perm("mto.buy") or request.user.has_perm("mto.plan_jobs")
    if not requirements and not can_edit:
        return None
    return {"job": job, "requirements": requirements, "can_edit": can_edit}


def job_outside(request, *, job) -> dict | None:
    """The job's outside operations (vendor, pieces out and back, due, certificates) and its cost besides labor
    (the job page already carries it as job.cost_summary). No outside operation: no panel."""
    rows = selectors.job_outside(job=job)
    if not rows:
        return None
    return {"job": job, "rows": rows, "summary": getattr(job, "cost_summary", None)}


def register_panels() -> None:
    panels.register(page="job-detail", order=40, name="purchasing.job-material",
                    template="purchasing/partials/job_material_panel.html", context=job_material,
                    visible=can("view_purchasing"))  # fmt: skip
    panels.register(page="job-detail", order=45, name="purchasing.job-outside",
                    template="purchasing/partials/job_outside_panel.html", context=job_outside,
                    visible=can("view_purchasing"))  # fmt: skip
