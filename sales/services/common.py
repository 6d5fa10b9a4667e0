"""Helpers every sales service uses."""

from typing import Any

from django.core.exceptions import PermissionDenied


def _save(instance, fields: dict[str, Any] | None = None):
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _check_capability(user, capability: str):
    if not user.has_perm(f"mto.{capability}"):
        raise PermissionDenied(f"You may not do this ({capability.replace('_', ' ')}).")
