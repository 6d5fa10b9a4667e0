"""The lifecycles of a first-article inspection and of a remake proposal, declared for mto.transitions.

FAI: required -> recorded -> accepted | rejected; required -> rejected (the first article was lost before it
could be inspected); required | recorded -> superseded (a change order brought a new drawing revision). A
rejection opens the next attempt. Remake proposal: proposed -> accepted (the remake job made) | dismissed.
The rows' own fields (who recorded, who decided, why) are their history.
"""

from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from .models_fai import FirstArticle, RemakeProposal

F = FirstArticle.Status
R = RemakeProposal.Status

FAI = Lifecycle(
    model=FirstArticle,
    transitions=(
        Transition("record", "Record", (F.REQUIRED,), F.RECORDED, "record_inspections"),
        Transition("accept", "Accept", (F.RECORDED,), F.ACCEPTED, "accept_first_articles", button="success",
                   done="Accepted {what}: the job's pieces pass on."),
        Transition("reject", "Reject", (F.REQUIRED, F.RECORDED), F.REJECTED, "accept_first_articles",
                   needs_reason=True, button="outline-danger", reason_prompt="Say why the first article is rejected."),
        Transition("supersede", "Supersede", (F.REQUIRED, F.RECORDED), F.SUPERSEDED, None),
    ),
    initial={"": F.REQUIRED},
    lock=lambda fai: FirstArticle.objects.select_for_update().get(pk=fai.pk),
    describe=lambda fai: f"the first article of {fai.job.number}",
)  # fmt: skip

REMAKE = Lifecycle(
    model=RemakeProposal,
    transitions=(
        Transition("accept", "Make the remake", (R.PROPOSED,), R.ACCEPTED, ("disposition_ncrs", "manage_jobs")),
        Transition("dismiss", "Dismiss", (R.PROPOSED,), R.DISMISSED, ("disposition_ncrs", "manage_jobs"),
                   needs_reason=True, button="outline-secondary", reason_prompt="Say why no remake is made."),
    ),
    initial={"": R.PROPOSED},
    lock=lambda p: RemakeProposal.objects.select_for_update().get(pk=p.pk),
    touch=lambda p, by: (),
    describe=lambda p: f"the remake proposal of {p.job.number}",
    says_already=True,
)  # fmt: skip


def available_fai_transitions(fai: FirstArticle, user) -> list[Transition]:
    return _available(FAI, fai, user)


def available_remake_transitions(proposal: RemakeProposal, user) -> list[Transition]:
    return _available(REMAKE, proposal, user)
