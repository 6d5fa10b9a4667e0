"""Output: serializers that read a row by a plan made once per serializer, not field by field through DRF's
generic machinery each time (issue #22: the API's cost was serialization, not SQL).

DRF's `Serializer.to_representation` asks every field, for every row, to find its attribute (walking the
source, testing whether the value is a callable) and then to convert it. For a plain column of the serializer's
model (an integer, a string, a date, a choice...) the attribute is simply `getattr(row, name)`, and a foreign
key shown as its id is `getattr(row, "<name>_id")`. The plan reads those directly and still converts each value
with the field's own `to_representation`, except integers, strings and booleans, whose conversion is the
built-in one DRF uses (`int`, `str`, `bool`). Every other field (nested serializers, methods, dotted sources,
`ActionsField`) goes through DRF's own steps unchanged, so the output is the same and the OpenAPI schema,
built from the same fields, stays as it is. `settings.MTO_API_FAST_READS = False` turns the plan off (the
tests compare the two outputs on every list endpoint).
"""

from django.conf import settings
from rest_framework import fields, relations
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

# Fields whose conversion of a non-None value is exactly this built-in (DRF: int(value), str(value); a model's
# boolean is True or False, which BooleanField returns as it is).
_BUILTIN = {fields.IntegerField: int, fields.CharField: str, fields.BooleanField: bool}


def _generic(field):
    """DRF's own steps for one field (rest_framework.serializers.Serializer.to_representation)."""

    def read(instance):
        attribute = field.get_attribute(instance)  # may raise SkipField
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


def _column(field, attname):
    convert = _BUILTIN.get(type(field))
    if convert is None:
        convert = field.to_representation

    def read(instance):
        value = getattr(instance, attname)
        return None if value is None else convert(value)

    return read


def _reader(field, model):
    """The quickest faithful way to read `field` off a row of `model`."""
    if model is None or field.source == "*" or len(field.source_attrs) != 1:
        return _generic(field)
    try:
        model_field = model._meta.get_field(field.source)
    except Exception:  # a property, a method, an annotation: DRF's steps
        return _generic(field)
    if not getattr(model_field, "concrete", False) or model_field.many_to_many:
        return _generic(field)
    if model_field.is_relation:
        if type(field) is relations.PrimaryKeyRelatedField and field.pk_field is None:
            return _column(fields.IntegerField(), model_field.attname)  # the related row's id, as DRF gives it
        return _generic(field)
    return _column(field, model_field.attname)


class FastReadMixin:
    """Serializer mixin: `to_representation` by a plan of readers made once per serializer instance."""

    def to_representation(self, instance):
        model = getattr(getattr(self, "Meta", None), "model", None)
        if not getattr(settings, "MTO_API_FAST_READS", True) or (model is not None and type(instance) is not model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_mto_read_plan")
        if plan is None:
            plan = self._mto_read_plan = [(f.field_name, _reader(f, model)) for f in self._readable_fields]
        ret = {}
        for name, read in plan:
            try:
                ret[name] = read(instance)
            except SkipField:
                continue
        return ret
