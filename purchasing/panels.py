"""What the purchasing app shows on other pages; registered from PurchasingConfig.ready() (see mto/panels.py)."""

from jobs.workflow import OPEN as JOB_OPEN
from mto import panels
from mto.panels import can

from . import selectors


def job_material_reads(request, *, job) -> dict:
    return selectors.job_material_reads(job=job)


def job_material(request, *, job, rows) -> dict | None:
    """The job's material: each requirement, its status, the PO line it is on, received quantities and heats."""
    requirements = selectors.job_material_from(rows)
    can_edit = request.user.has_perm("mto.buy")  # the material pages' capability (Managers have it)
    if not requirements and not can_edit:
        return None
    can_edit = can_edit and job.status in JOB_OPEN
    for r in requirements:  # from the prefetched lines: what the services would refuse, the panel does not offer
        lines = list(r.po_lines.all())
        r.open_line = next((line for line in lines if not line.is_cancelled), None)
        r.editable = can_edit and r.issued_at is None and r.open_line is None
        r.removable = r.editable and not lines
        r.issuable = r.editable and not r.quantity_received
    return {"job": job, "requirements": requirements, "can_edit": can_edit}


def job_outside_reads(request, *, job) -> dict:
    return selectors.job_outside_reads(job=job)


def job_outside(request, *, job, rows) -> dict | None:
    """The job's outside operations (vendor, pieces out and back, due, certificates) and its cost besides labor
    (the job page already carries it as job.cost_summary). No outside operation: no panel."""
    outside = selectors.job_outside_from(rows)
    if not outside:
        return None
    return {"job": job, "rows": outside, "summary": getattr(job, "cost_summary", None)}


def register_panels() -> None:
    panels.register(page="job-detail", order=40, name="purchasing.job-material",
                    template="purchasing/partials/job_material_panel.html", context=job_material,
                    reads=job_material_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_purchasing"))  # fmt: skip
    panels.register(page="job-detail", order=45, name="purchasing.job-outside",
                    template="purchasing/partials/job_outside_panel.html", context=job_outside,
                    reads=job_outside_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_purchasing"))  # fmt: skip
