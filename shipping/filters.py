import django_filters
from django import forms
from django.db.models import Q

from .models import Shipment

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


class ShipmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Shipment, order, customer or tracking", "class": "form-control"}
    ))  # fmt: skip
    status = django_filters.ChoiceFilter(
        choices=Shipment.Status.choices, empty_label="Any status", widget=forms.Select(attrs={"class": "form-select"})
    )
    shipped_from = django_filters.DateFilter(
        field_name="shipped_at", lookup_expr="date__gte", label="Shipped from", widget=DATE
    )
    shipped_to = django_filters.DateFilter(
        field_name="shipped_at", lookup_expr="date__lte", label="Shipped to", widget=DATE
    )

    class Meta:
        model = Shipment
        fields = ["q", "status", "shipped_from", "shipped_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value)
            | Q(order__number__iexact=value)
            | Q(order__customer__name__icontains=value)
            | Q(order__customer__code__iexact=value)
            | Q(tracking_number__icontains=value)
        )
