import django_filters
from django import forms
from django.db.models import Q

from .models import Quote


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"class": "form-control", "placeholder": "Number, customer, prospect or RFQ"}))  # fmt: skip
    status = django_filters.ChoiceFilter(choices=Quote.Status.choices, empty_label="Any status",
                                         widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip

    class Meta:
        model = Quote
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(
            Q(number__icontains=value) | Q(customer__name__icontains=value) | Q(prospect_name__icontains=value)
            | Q(rfq_reference__icontains=value)
        )  # fmt: skip
