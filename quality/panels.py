"""What the quality app shows on other pages; registered from QualityConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can

from . import selectors


def job_quality_reads(request, *, job) -> dict:
    return selectors.job_quality_reads(job=job)


def job_quality(request, *, job, rows) -> dict | None:
    """The job's characteristics per operation (measured / required, failed) and its NCRs. Nothing: no panel."""
    summary = selectors.job_quality_from(rows, job=job)
    if not summary.characteristics and not summary.ncrs:
        return None
    return {"job": job, "summary": summary}


def floor_quality(request, *, job) -> dict | None:
    """On the floor job screen: the inspections to record per operation, unsettled failures and scrap reports
    that have no NCR yet (each opens one in two taps)."""
    summary = selectors.job_quality(job=job)
    if not summary.characteristics and not summary.scrap_without_ncr and not summary.ncrs:
        return None
    user = request.user
    return {
        "job": job, "summary": summary,
        "can_inspect": user.has_perm("mto.record_inspections"), "can_open": user.has_perm("mto.open_ncrs"),
    }  # fmt: skip


def kiosk_quality(request, *, job, kiosk) -> dict | None:
    """On a kiosk tablet: the inspections to record at its work center's operations, their failed results and
    the scrap reported there without an NCR yet (the operator inspects, or opens an NCR)."""
    summary = selectors.job_quality(job=job)
    here = kiosk.work_center_id
    user = request.user
    inspect = list({c.operation.pk: c.operation for c in summary.characteristics
                    if c.operation is not None and c.operation.work_center_id == here}.values())  # fmt: skip
    failed = {op.pk: len(summary.failed_without_ncr.get(op.pk, [])) for op in inspect}
    scrap = [s for s in summary.scrap_without_ncr if s.operation.work_center_id == here]
    can_inspect, can_open = user.has_perm("mto.record_inspections"), user.has_perm("mto.open_ncrs")
    if not ((inspect and can_inspect) or ((scrap or any(failed.values())) and can_open)):
        return None
    return {"inspect": inspect if can_inspect else [], "failed": failed, "scrap": scrap if can_open else [],
            "can_open": can_open}  # fmt: skip


def register_panels() -> None:
    from .panels_fai import register_panels as register_first_article_panels

    register_first_article_panels()  # first articles and remake proposals
    panels.register(page="kiosk-job", order=10, name="quality.kiosk-quality",
                    template="quality/partials/kiosk_quality_panel.html", context=kiosk_quality,
                    visible=can("record_inspections", "open_ncrs"))  # fmt: skip
    panels.register(page="job-detail", order=50, name="quality.job-quality",
                    template="quality/partials/job_quality_panel.html", context=job_quality,
                    reads=job_quality_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_quality"))  # fmt: skip
    panels.register(page="floor-job", order=10, name="quality.floor-quality",
                    template="quality/partials/floor_quality_panel.html", context=floor_quality,
                    visible=can("record_inspections", "open_ncrs"))  # fmt: skip
