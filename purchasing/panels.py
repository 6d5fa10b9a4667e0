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


def register_panels() -> None:
    panels.register(page="job-detail", order=40, name="purchasing.job-material",
                    template="purchasing/partials/job_material_panel.html", context=job_material,
                    visible=can("view_purchasing"))  # fmt: skip
