"""The one way a document moves through its lifecycle: declared transitions and the function that makes them.

Each app declares its lifecycles in its `workflow.py` as a `Lifecycle`: the transitions (name, label, source
states, target, the capability a person needs or None for a move only services make, whether a reason is
required, the button style) and a small adapter: how to lock the row in the house order (order, lines,
jobs, operations), how to write the app's history row, which signal to send. `transition()` is the only code
that assigns `status`; `available_transitions()` is what forms, buttons, floor templates and the API offer.
New rows take their first status from `initial_status()` and its history row from `record_first_status()`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

# A signed-in person (services are called with request.user); None only for system moves.
User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    # None: the caller names the target (a job's resume goes back to where the hold found it).
    target: str | None
    # The capability a person needs (any of several); None for a move only services make.
    capability: str | tuple[str, ...] | None
    needs_reason: bool = False
    button: str = "primary"
    reason_prompt: str = "Please give a reason."
    icon: str = ""  # a Bootstrap icon name for the big floor buttons
    # The placeholder of an optional note the page offers beside the button (a manager's approval note).
    note: str = ""
    # What was done, as people say it, with {what} for the row ("Put {what} on hold"); pages say it after the
    # move (none given: "<row> is now <status>.").
    done: str = ""

    @property
    def capabilities(self) -> tuple[str, ...]:
        if self.capability is None:
            return ()
        return (self.capability,) if isinstance(self.capability, str) else self.capability

    @property
    def is_system(self) -> bool:
        return self.capability is None

    def allowed_for(self, user) -> bool:
        return user is not None and any(user.has_perm(f"mto.{c}") for c in self.capabilities)


@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle and its adapter. `lock(obj)` returns the row locked in the house order; `record(obj,
    from_status, to_status, by, reason)` writes the app's history row (None: the row's own fields are its
    history); `notify(obj, transition, from_status, by, reason, **extra)` sends the app's signal, if any;
    `touch(obj, by)` sets bookkeeping fields (version, updated_by) and returns their names."""

    model: type[models.Model]
    transitions: tuple[Transition, ...]
    lock: Callable[[Any], Any]
    initial: dict[str, str] = field(default_factory=dict)
    record: Callable[..., None] | None = None
    notify: Callable[..., None] | None = None
    touch: Callable[[Any, Any], Iterable[str]] = lambda obj, by: ("updated_at",)
    describe: Callable[[Any], str] = str
    refusal: Callable[[Any, Transition], str] | None = None
    # Refuse a repeated move with "… is already <target>" (an order approved twice) instead of "Cannot …".
    says_already: bool = False

    def __getitem__(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(name)

    def get(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def system_move_to(self, status: str, target: str) -> Transition | None:
        """The system move from `status` to `target`, if the lifecycle declares one."""
        return next((t for t in self.transitions if t.is_system and t.target == target and status in t.source), None)


def initial_status(lifecycle: Lifecycle, how: str = "") -> str:
    """The status a new row starts in, as declared (e.g. jobs made on approval start released)."""
    return lifecycle.initial[how]


def record_first_status(lifecycle: Lifecycle, obj, *, by: User | None, reason: str = "") -> None:
    """The history row of a new (saved) row's first status, written by the lifecycle's own adapter like every
    later move (none where the row's own fields are its history)."""
    if lifecycle.record is not None:
        lifecycle.record(obj, from_status="", to_status=obj.status, by=by, reason=reason)


def available_transitions(lifecycle: Lifecycle, obj, user) -> list[Transition]:
    """The moves `user` may make on `obj` now: what pages show as buttons and the API offers."""
    return [t for t in lifecycle.transitions if obj.status in t.source and not t.is_system and t.allowed_for(user)]


def _status_label(obj) -> str:
    return obj.get_status_display().lower()


def _refuse(lifecycle: Lifecycle, obj, t: Transition):
    if lifecycle.refusal is not None:
        message = lifecycle.refusal(obj, t)
    elif lifecycle.says_already and obj.status == t.target:
        message = f"{lifecycle.describe(obj)} is already {_status_label(obj)}."
    else:
        message = f"Cannot {t.label.lower()}: {lifecycle.describe(obj)} is {_status_label(obj)}."
    raise ValidationError(message, code="conflict")


def transition(
    lifecycle: Lifecycle,
    obj,
    name: str,
    *,
    by: User | None,
    reason: str = "",
    target: str | Callable[[Any], str] | None = None,
    fields: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None,
    prepare: Callable[[Any], None] | None = None,
    after: Callable[[Any], None] | None = None,
    signal_kwargs: dict[str, Any] | None = None,
    locked: bool = False,
):
    """Make transition `name` on `obj` and return the (locked, saved) row. Run inside the caller's transaction.

    Checks the capability, locks the row (unless the caller `locked` it already, in the house order), checks
    the source state and the reason, runs `prepare(obj)` (the caller's own checks and the writes that go
    with the move), assigns the status and `fields`, saves with update_fields, writes the history row, runs
    `after(obj)` and sends the app's signal. `target` (a status, or a function of the locked row) is for
    moves whose target the caller decides. Raises PermissionDenied or ValidationError (code "conflict" for
    a move the current state does not allow) before anything is written.
    """
    t = lifecycle.get(name)
    if t is None:
        raise ValidationError(f"Unknown action {name!r}.")
    if not t.is_system and not t.allowed_for(by):
        raise PermissionDenied(f"Your role does not allow this ({t.label.lower()}).")
    if not locked:
        obj = lifecycle.lock(obj)
    if obj.status not in t.source:
        _refuse(lifecycle, obj, t)
    reason = (reason or "").strip()
    if t.needs_reason and not reason:
        raise ValidationError({"reason": t.reason_prompt})
    if prepare is not None:
        prepare(obj)
    to = (target(obj) if callable(target) else target) or t.target
    if to is None:
        raise ValueError(f"{name} needs a target")
    from_status = obj.status
    values = fields(obj) if callable(fields) else dict(fields or {})
    obj.status = to
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save(update_fields=list(dict.fromkeys(["status", *lifecycle.touch(obj, by), *values])))
    if lifecycle.record is not None:
        lifecycle.record(obj, from_status=from_status, to_status=to, by=by, reason=reason)
    if after is not None:
        after(obj)
    if lifecycle.notify is not None:
        lifecycle.notify(obj, t, from_status=from_status, by=by, reason=reason, **(signal_kwargs or {}))
    return obj
