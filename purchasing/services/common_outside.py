"""The capability check of the outside-operation services (the buy side keeps its own in common.py)."""

from django.core.exceptions import PermissionDenied

from mto.transitions import User


def require(user: User, *capabilities: str) -> None:
    if user is None or not any(user.has_perm(f"mto.{c}") for c in capabilities):
        raise PermissionDenied("Your role does not allow this.")
