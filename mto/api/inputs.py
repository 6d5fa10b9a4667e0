"""Input: JSON only, refused with a reason when it cannot be stored or would crash a lookup."""

import json
import math

from rest_framework import exceptions, parsers, serializers

from mto import reads

from .reads import FastReadMixin

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


class Serializer(FastReadMixin, StrictTypesMixin, serializers.Serializer):
    pass


class ModelSerializer(FastReadMixin, StrictTypesMixin, serializers.ModelSerializer):
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
        if user is None:
            return []
        memo = getattr(request, "_mto_permission_memo", None)
        if memo is None or memo.user is not user:
            memo = request._mto_permission_memo = PermissionMemo(user)
        return [t.name for t in self.available(instance, memo)]


class PermissionMemo:
    """The request's user, with each capability asked once: a list asks the same few for every row, and
    Django's has_perm walks the authentication backends on every call. Anything else is the user's own."""

    def __init__(self, user):
        self.user = user
        self._answers: dict[str, bool] = {}

    def has_perm(self, perm, obj=None) -> bool:
        if obj is not None:
            return self.user.has_perm(perm, obj)
        if perm not in self._answers:
            self._answers[perm] = self.user.has_perm(perm)
        return self._answers[perm]

    def __getattr__(self, name):
        return getattr(self.user, name)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's field for a row given by its id, the row read through a query compiled once (mto.reads.CompiledQuery)
    where DRF has the ORM compile `queryset.get(pk=...)` for every value: an order of twenty lines looked its items
    up twenty times. For a queryset of all the model's rows (`Item.objects.all()`); a filtered one reads as DRF's."""

    _by_pk: dict = {}  # a compiled read per model, shared by every field and request

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        if type(data) is not int or self.pk_field is not None or queryset.query.where.children:
            return super().to_internal_value(data)
        model = queryset.model
        read = self._by_pk.get(model)
        if read is None:
            read = self._by_pk.setdefault(model, reads.CompiledQuery(lambda pk: model._default_manager.filter(pk=pk)))
        try:
            return read.get(data)
        except model.DoesNotExist:
            self.fail("does_not_exist", pk_value=data)
