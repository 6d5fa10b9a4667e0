"""The NCR lifecycle, declared for mto.transitions: open -> dispositioned -> closed.

The disposition is one move with its choice (scrap, rework, use as is, return to vendor, remake) made by the
disposition service, which does what the choice asks of jobs first; closing says the dispositioned work is done.
"""

from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from .models import NonConformance, NonConformanceStatusChange

S = NonConformance.Status
D = NonConformance.Disposition

TRANSITIONS = {
    t.name: t
    for t in [
        Transition("disposition", "Disposition", (S.OPEN,), S.DISPOSITIONED, "disposition_ncrs"),
        Transition("close", "Close", (S.DISPOSITIONED,), S.CLOSED, "disposition_ncrs", button="outline-secondary"),
    ]
}


def _record(ncr, *, from_status, to_status, by, reason):
    NonConformanceStatusChange.objects.create(
        ncr=ncr, from_status=from_status, to_status=to_status, changed_by=by, reason=reason[:500]
    )


def _touch(ncr, by):
    ncr.version += 1
    return ("version", "updated_at")


NCR = Lifecycle(
    model=NonConformance,
    transitions=tuple(TRANSITIONS.values()),
    initial={"": S.OPEN},
    lock=lambda ncr: NonConformance.objects.select_for_update().get(pk=ncr.pk),
    record=_record,
    touch=_touch,
    describe=lambda ncr: ncr.number,
)


def available_transitions(ncr: NonConformance, user) -> list[Transition]:
    return _available(NCR, ncr, user)
