import re

import django_filters
from django import forms
from django.db.models import Q

from .models import Customer, SalesOrder

DATE = forms.DateInput(attrs={"type": "date"})
SORTS = {
    "-number": ("-id",),
    "number": ("id",),
    "customer": ("customer__name", "-id"),
    "-order_date": ("-order_date", "-id"),
    "order_date": ("order_date", "id"),
    "promised_date": ("promised_date", "id"),
    "-total": ("-total", "-id"),
}


class SalesOrderListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"placeholder": "Number, customer or PO", "type": "search"}
    ))  # fmt: skip
    status = django_filters.ChoiceFilter(choices=SalesOrder.Status.choices, empty_label="Any status")
    date_from = django_filters.DateFilter(
        field_name="order_date", lookup_expr="gte", label="Ordered from", widget=DATE
    )
    date_to = django_filters.DateFilter(field_name="order_date", lookup_expr="lte", label="Ordered to", widget=DATE)
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        label="Sort",
        empty_label="Newest first",
        choices=[
            ("number", "Oldest first"),
            ("customer", "Customer"),
            ("-order_date", "Order date, newest"),
            ("order_date", "Order date, oldest"),
            ("promised_date", "Promised date"),
            ("-total", "Largest total"),
        ],
    )

    class Meta:
        model = SalesOrder
        fields = ["q", "status", "date_from", "date_to", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = value.upper()
        if number.isdigit():
            number = f"SO-{int(number):06d}"
        if re.fullmatch(r"SO-\d{6,}", number):
            # An order number: the unique index answers at once (an OR with text searches cannot use it).
            return queryset.filter(number=number)
        # A UNION of two indexable sets, not an OR across the join: the OR made PostgreSQL walk every order
        # (and its customer) newest first; each branch here uses an index (the orders' customer_id, and the
        # trigram index on the PO on PostgreSQL, migration sales 0003), and the page sorts the few matches.
        customers = Customer.objects.filter(Q(code__iexact=value) | Q(name__icontains=value)).values("pk")
        by_customer = SalesOrder.objects.filter(customer__in=customers).order_by().values("pk")
        by_po = SalesOrder.objects.filter(customer_po__icontains=value).order_by().values("pk")
        return queryset.filter(pk__in=by_customer.union(by_po, all=True))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, ("-id",)))
