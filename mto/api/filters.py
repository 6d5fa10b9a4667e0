"""Filters: what the schema says, nothing silently ignored."""

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

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
