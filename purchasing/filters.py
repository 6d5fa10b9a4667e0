import django_filters
from django import forms
from django.db.models import Q

from .models import PurchaseOrder, Vendor


class PurchaseOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "PO number or vendor", "class": "form-control"}
    ))  # fmt: skip
    status = django_filters.ChoiceFilter(
        choices=PurchaseOrder.Status.choices, empty_label="Any status",
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    vendor = django_filters.ModelChoiceFilter(
        queryset=Vendor.objects.order_by("code"), empty_label="Any vendor",
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip

    class Meta:
        model = PurchaseOrder
        fields = ["q", "status", "vendor"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value) | Q(vendor__code__iexact=value) | Q(vendor__name__icontains=value)
        )
