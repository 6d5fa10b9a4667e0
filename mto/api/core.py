"""The REST API's frame: the capability permission, errors, pagination, concurrency tokens, idempotency."""

import functools
import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ..models import IdempotencyKey
from ..roles import perm


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource changed or is in a state that does not allow this."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource was changed by someone else; fetch it again."
    default_code = "precondition_failed"


class HasCapability(BasePermission):
    """Views name the capability each action needs: `capabilities = {"list": "view_orders", ...}`.

    Deny by default: an action the view does not list is refused.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        capabilities = getattr(view, "capabilities", {})
        action_map = getattr(view, "action_map", None)
        if action_map is not None and request.method.lower() not in action_map:
            return True  # a method this URL does not have: the view answers 405 with Allow, not a 403
        action = getattr(view, "action", None) or request.method.lower()
        capability = capabilities.get(action)
        if capability is None:
            return False
        if capability == "*":  # any signed-in user (their own data; the view filters it)
            return True
        alternatives = (capability,) if isinstance(capability, str) else capability
        return any(request.user.has_perm(perm(c)) for c in alternatives)


class IdCursorPagination(CursorPagination):
    """Stable cursor paging on the primary key: no COUNT(*) over big tables, no skipped or repeated rows."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and raw.strip("0")):
            # DRF ignores a bad page_size silently; the schema says a positive whole number.
            raise exceptions.ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


def _validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    """Our services raise Django's errors; give them their HTTP meaning (never a 500)."""
    from rest_framework.views import exception_handler as drf_exception_handler  # DRF settings import us

    if isinstance(exc, DjangoValidationError):
        codes = {getattr(e, "code", None) for e in exc.error_list} if hasattr(exc, "error_list") else set()
        if codes & {"conflict", "stale"}:
            exc = Conflict(detail=" ".join(exc.messages))
        else:
            exc = exceptions.ValidationError(detail=_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


def etag_for(instance) -> str:
    stamp = f"{instance._meta.label}:{instance.pk}:{instance.updated_at.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def check_if_match(request, instance):
    """Refuse a write whose If-Match names an older version: no overwriting someone else's change unknowingly."""
    expected = request.headers.get("If-Match")
    if expected and expected.strip() != "*" and etag_for(instance) not in [e.strip() for e in expected.split(",")]:
        raise PreconditionFailed()


def idempotent(view_method):
    """Honour an Idempotency-Key header: the same request sent again gets the first response, not a second
    order or shipment. The key row is written in the same transaction as the change it guards.
    """

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 255 or not key.isprintable():
            raise exceptions.ValidationError({"Idempotency-Key": "At most 255 printable characters."})
        body = json.dumps(request.data, sort_keys=True, default=str)
        fingerprint = hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user=request.user, key=key, method=request.method, path=request.path[:500],
                        request_hash=fingerprint,
                    )  # fmt: skip
            except IntegrityError:
                # A concurrent twin waited here on the unique key until the first request committed.
                row = IdempotencyKey.objects.get(user=request.user, key=key)
                if row.request_hash != fingerprint:
                    raise exceptions.ValidationError(
                        {"Idempotency-Key": "This key was already used for a different request."}
                    ) from None
                return Response(row.response_body, status=row.status_code, headers={"Idempotent-Replay": "true"})
            response = view_method(self, request, *args, **kwargs)
            row.status_code = response.status_code
            row.response_body = response.data
            row.save(update_fields=["status_code", "response_body"])
            return response

    return wrapper


class IdempotentCreateMixin:
    """For a viewset with CreateModelMixin: an Idempotency-Key replays the first create's answer."""

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class EtagMixin:
    """For a viewset: an ETag with each object it retrieves, and If-Match honoured on updates."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def perform_update(self, serializer):
        check_if_match(self.request, serializer.instance)
        serializer.save()


def login_not_required_patterns(patterns):
    """API views authenticate themselves (token or session) and answer 401/403, never a login redirect."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            login_not_required_patterns(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})
ERROR_RESPONSES = {
    400: OpenApiResponse(description="Bad input: field errors or a reason"),
    401: OpenApiResponse(ERROR, description="Not authenticated"),
    403: OpenApiResponse(ERROR, description="Your role does not allow this"),
    404: OpenApiResponse(ERROR, description="Not found"),
}
ACTION_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(ERROR, description="Illegal transition or a lost race"),
    412: OpenApiResponse(ERROR, description="If-Match names an older version"),
}
