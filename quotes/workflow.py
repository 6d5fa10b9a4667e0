"""The quote lifecycle, declared for mto.transitions: draft -> sent -> accepted | declined | expired.

A sent (declined, expired) quote is changed by a new revision: the old one becomes `revised` and stays
readable as it was; the new revision starts as a draft. Expiry is a system move made by the nightly sweep.
"""

from mto.transitions import Lifecycle, Transition
from mto.transitions import available_transitions as _available

from . import signals
from .models import Quote, QuoteStatusChange

Q = Quote.Status

TRANSITIONS = {
    t.name: t
    for t in [
        Transition("send", "Send quote", (Q.DRAFT,), Q.SENT, "edit_quotes"),
        Transition("accept", "Accept", (Q.SENT,), Q.ACCEPTED, "edit_quotes", button="success"),
        Transition(
            "decline",
            "Decline",
            (Q.SENT,),
            Q.DECLINED,
            "edit_quotes",
            needs_reason=True,
            button="warning",
            reason_prompt="Pick why the customer declined (price, lead time, lost to competitor, no bid).",
        ),  # fmt: skip
        Transition(
            "revise",
            "New revision",
            (Q.SENT, Q.DECLINED, Q.EXPIRED),
            Q.REVISED,
            "edit_quotes",
            button="outline-secondary",
        ),  # fmt: skip
    ]
}
SYSTEM_MOVES = {t.name: t for t in [Transition("expire", "Expire", (Q.SENT,), Q.EXPIRED, None)]}


def _lock_quote(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def _record(quote, *, from_status, to_status, by, reason):
    QuoteStatusChange.objects.create(
        quote=quote, from_status=from_status, to_status=to_status, changed_by=by, reason=reason
    )


def _notify(quote, transition, *, from_status, by, reason, order=None, **extra):
    if transition.name == "accept":
        signals.quote_accepted.send(sender=Quote, quote=quote, order=order, by=by)


QUOTE = Lifecycle(
    model=Quote,
    transitions=(*TRANSITIONS.values(), *SYSTEM_MOVES.values()),
    initial={"": Q.DRAFT},
    lock=_lock_quote,
    record=_record,
    notify=_notify,
    describe=lambda quote: quote.label,
    says_already=True,
)


def available_transitions(quote: Quote, user) -> list[Transition]:
    return _available(QUOTE, quote, user)
