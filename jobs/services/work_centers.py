"""Work centers and who leads them (managers)."""

from mto.audit import audit_changes
from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import WorkCenter
from .common import _require


@atomic_with_retry
def work_center_save(*, by: User, work_center: WorkCenter | None = None, leads=None, **fields) -> WorkCenter:
    """Create or edit a work center and who leads it; a changed hourly rate goes into the audit trail."""
    _require(by, "manage_jobs")
    center = WorkCenter.objects.select_for_update().get(pk=work_center.pk) if work_center else WorkCenter()
    before = {"hourly_rate": center.hourly_rate}
    for name in ("code", "name", "hourly_rate", "is_active", "is_outside"):
        if name in fields:
            setattr(center, name, fields[name])
    center.full_clean()
    center.save()
    if leads is not None:
        center.leads.set(leads)
    if work_center:
        audit_changes(
            instance=center, before=before, fields=["hourly_rate"], by=by, label=f"Work center {center.code}"
        )
    return center
