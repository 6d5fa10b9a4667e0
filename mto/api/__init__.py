"""Shared pieces of the REST API (one module per concern); settings and apps import them from `mto.api`."""

from .actions import service_action
from .core import (
    ACTION_ERROR_RESPONSES,
    ERROR,
    ERROR_RESPONSES,
    Conflict,
    EtagMixin,
    HasCapability,
    IdCursorPagination,
    IdempotentCreateMixin,
    PreconditionFailed,
    check_if_match,
    etag_for,
    exception_handler,
    idempotent,
    login_not_required_patterns,
)
from .filters import EMPTY_FILTER_MESSAGE, BooleanFilter, FilterBackend, FilterSet, IdFilter, StrictBooleanField
from .inputs import (
    MAX_JSON_DEPTH,
    NUL_MESSAGE,
    ActionsField,
    JSONParser,
    ModelSerializer,
    ReasonSerializer,
    Serializer,
    StrictTypesMixin,
)
from .middleware import ApiErrorsMiddleware

__all__ = [
    "ACTION_ERROR_RESPONSES",
    "ActionsField",
    "ApiErrorsMiddleware",
    "BooleanFilter",
    "Conflict",
    "EMPTY_FILTER_MESSAGE",
    "ERROR",
    "ERROR_RESPONSES",
    "FilterBackend",
    "FilterSet",
    "HasCapability",
    "IdCursorPagination",
    "IdFilter",
    "JSONParser",
    "MAX_JSON_DEPTH",
    "ModelSerializer",
    "NUL_MESSAGE",
    "PreconditionFailed",
    "ReasonSerializer",
    "Serializer",
    "StrictBooleanField",
    "StrictTypesMixin",
    "EtagMixin",
    "IdempotentCreateMixin",
    "check_if_match",
    "etag_for",
    "exception_handler",
    "idempotent",
    "login_not_required_patterns",
    "service_action",
]
