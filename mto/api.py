"""Shared pieces of the REST API: capability permission, errors, pagination, concurrency tokens."""

import functools
import hashlib
import json
import math

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, JsonResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from .models import IdempotencyKey
from .roles import perm


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


# --- input: JSON only, refused with a reason when it cannot be stored or would crash a lookup --------------

MAX_JSON_DEPTH = 32
NUL_MESSAGE = "Text must not contain NUL (\\x00) characters."


class _JsonRefused(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonRefused(f"The number {text[:40]} is too large.")
    return value


def _refuse_constant(name: str):
    raise _JsonRefused(f"{name} is not a number JSON allows.")


def _check_tree(data) -> None:
    """Depth and NUL in one walk, without recursion (a hostile body cannot exhaust the stack)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(NUL_MESSAGE)
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise exceptions.ParseError(NUL_MESSAGE)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 what would otherwise end in a 500 further on: nesting that exhausts
    the stack, numbers too large for a float (infinity reaches int() in a lookup), NaN, NUL in text."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            data = json.loads(
                stream.read().decode(encoding), parse_float=_finite_float, parse_constant=_refuse_constant
            )
        except RecursionError:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except _JsonRefused as exc:
            raise exceptions.ParseError(str(exc)) from None
        except ValueError as exc:  # includes UnicodeDecodeError and integers of more than 4,300 digits
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        _check_tree(data)
        return data


def _json_type_error(field, value) -> str | None:
    """The JSON type the schema declares for `field`, enforced: DRF alone takes 0 for a string and "5" for a
    number, which the schema says are invalid."""
    if value is None or field.read_only:
        return None  # null is the field's own business (allow_null)
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        ok, kind = isinstance(value, list), "a list"
    elif isinstance(field, serializers.BaseSerializer | serializers.DictField):
        ok, kind = isinstance(value, dict), "an object"
    elif isinstance(field, serializers.BooleanField):
        ok, kind = isinstance(value, bool), "true or false"
    elif isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        ok, kind = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DecimalField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.SlugRelatedField,
    ):
        ok, kind = isinstance(value, str), "a string"
    else:
        return None
    return None if ok else f"Must be {kind}."


class StrictTypesMixin:
    """Serializer mixin: each writable field gets the JSON type the schema declares, or a 400 naming it."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for field in self._writable_fields:
                if field.field_name in data and (message := _json_type_error(field, data[field.field_name])):
                    errors[field.field_name] = [message]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictTypesMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictTypesMixin, serializers.ModelSerializer):
    pass


class ActionsField(serializers.ListField):
    """Read-only: the transitions the caller may make on the object now, as `available(obj, user)` says (the
    names of its action endpoints). Permissions are cached on the request's user, so a list costs no query
    per row."""

    def __init__(self, available, names, **kwargs):
        self.available = available
        kwargs.setdefault(
            "help_text",
            "What you may do with it now: the names of its action endpoints, from " + ", ".join(names) + ".",
        )
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def get_attribute(self, instance):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [t.name for t in self.available(instance, user)] if user is not None else []


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- filters: what the schema says, nothing silently ignored ------------------------------------------------


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Enter true or false.", code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: any whole number, an unknown one matches nothing (not "Select a valid choice")."""

    field_class = forms.IntegerField


EMPTY_FILTER_MESSAGE = "Give a value or leave the parameter out."


class FilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }

    def is_valid(self):
        """django-filter drops an empty value silently (`?due_date__lte=` filters nothing); the schema declares
        a date, a number, a choice or a boolean there, so an empty one is refused. Text filters may be empty."""
        valid = super().is_valid()
        if self.is_bound:
            for name, filter_ in self.filters.items():
                if issubclass(filter_.field_class, forms.CharField) or name not in self.data:
                    continue
                if "" in self.data.getlist(name) and name not in self.form.errors:
                    self.form.add_error(name, forms.ValidationError(EMPTY_FILTER_MESSAGE, code="empty"))
                    valid = False
        return valid


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet


# --- one action endpoint for a service call ------------------------------------------------------------------


def service_action(
    name: str, run, *, request=None, response=None, summary: str | None = None, idempotency: bool = True
):
    """A detail POST action `name` that calls a service: `run(obj, user, data)` with the validated body.

    The answer is the object as `response` serializes it (with its ETag), or an error the exception handler
    maps: bad input 400, illegal transition or lost race 409, If-Match naming an older version 412; with an
    Idempotency-Key a retried request gets the first answer.
    """

    def handler(self, http_request, pk=None):
        obj = self.get_object()
        if getattr(obj, "updated_at", None):
            check_if_match(http_request, obj)
        data = {}
        if request is not None:
            body = request(data=http_request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            data = body.validated_data
        run(obj, http_request.user, data)
        obj = self.get_queryset().get(pk=obj.pk)
        serializer = (response or self.get_serializer_class())(obj, context=self.get_serializer_context())
        answer = Response(serializer.data)
        if getattr(obj, "updated_at", None):
            answer["ETag"] = etag_for(obj)
        return answer

    from rest_framework.decorators import action  # imports DRF's views, which import this module's settings

    # The router maps the URL to the attribute named like the function: name it before decorating.
    handler.__name__ = name.replace("-", "_")
    if idempotency:
        handler = idempotent(handler)
    handler = action(detail=True, methods=["post"], url_path=name)(handler)
    return extend_schema(
        request=request,
        responses={200: response, **ACTION_ERROR_RESPONSES} if response else {**ACTION_ERROR_RESPONSES},
        summary=summary,
    )(handler)


# --- errors: JSON everywhere under /api/ ---------------------------------------------------------------------


class ApiErrorsMiddleware:
    """Under /api/ every answer is JSON, errors included: Django's own 404 (HTML under DEBUG), 405, 403, 413 and
    500 pages are replaced by {"detail": ...}. (mto.middleware.RefuseNulMiddleware refuses a NUL in the query.)"""

    KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type:
            replaced = JsonResponse({"detail": response.reason_phrase}, status=response.status_code)
            for header in self.KEPT_HEADERS:
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
