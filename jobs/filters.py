import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Job, Operation, WorkCenter
from .workflow import OPEN

SORTS = {
    "due": ("due_date", "priority", "id"),
    "-due": ("-due_date", "-id"),
    "number": ("number",),
    "priority": ("priority", "due_date", "id"),
    "-created": ("-id",),
}


class JobFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Job, order, part or customer"}
    ))  # fmt: skip
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, empty_label="Any status")
    work_center = django_filters.ModelChoiceFilter(
        queryset=WorkCenter.objects.filter(is_active=True),
        method="at_work_center",
        label="Work center",
        empty_label="Any work center",
    )  # a method filter has no model field to take its label from: without one it reads "[invalid name]"
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Due by", widget=forms.DateInput(attrs={"type": "date"})
    )
    late = django_filters.BooleanFilter(method="only_late", label="Late only", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        method="sort_by", label="Sort", empty_label="Due date",
        choices=[("-due", "Due date, latest"), ("priority", "Priority"), ("number", "Number"), ("-created", "Newest")],
    )  # fmt: skip

    class Meta:
        model = Job
        fields = ["q", "status", "work_center", "due_before", "late", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            else:
                f.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
                )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(part_number__icontains=value)
            | Q(sales_order__number__iexact=value.upper())
            | Q(sales_order__customer__name__icontains=value)
            | Q(sales_order__customer__code__iexact=value)
        )

    def at_work_center(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Operation.objects.filter(job=OuterRef("pk"), work_center=value)))

    def only_late(self, queryset, name, value):
        return queryset.filter(status__in=OPEN, due_date__lt=timezone.localdate()) if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["due"]))
