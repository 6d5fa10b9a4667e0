"""Forms of the kiosk tablets and of the managers' operator and kiosk pages."""

from django import forms

from .forms import BIG
from .models import IndirectTime, LaborClass, WorkCenter


class OperatorForm(forms.Form):
    first_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"class": "form-control"}))
    last_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    labor_class = forms.ModelChoiceField(
        LaborClass.objects.all(), required=False, empty_label="(none)",
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    hourly_rate = forms.DecimalField(
        label="Own labor rate (per hour)", required=False, min_value=0, max_digits=9, decimal_places=2,
        help_text="Leave empty to use the labor class's rate.",
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip


class OperatorEditForm(OperatorForm):
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class PinForm(forms.Form):
    pin = forms.CharField(
        label="New PIN (4 to 6 digits, empty to remove)", required=False, max_length=6,
        widget=forms.PasswordInput(attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off",
                                          "pattern": r"\d{4,6}"}),
    )  # fmt: skip


class LaborClassForm(forms.Form):
    name = forms.CharField(max_length=60, widget=forms.TextInput(attrs={"class": "form-control"}))
    hourly_rate = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=2, widget=forms.NumberInput(attrs={"class": "form-control"})
    )


class KioskEnrollForm(forms.Form):
    work_center = forms.ModelChoiceField(
        WorkCenter.objects.filter(is_active=True, is_outside=False),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        label="Tablet name", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class KioskPinForm(forms.Form):
    # "password": django-axes masks a field of that name in what it logs about a failed attempt.
    password = forms.CharField(
        label="PIN", max_length=6,
        widget=forms.PasswordInput(attrs={**BIG, "inputmode": "numeric", "autocomplete": "off", "pattern": r"\d*",
                                          "autofocus": True}),
    )  # fmt: skip


class IndirectForm(forms.Form):
    kind = forms.ChoiceField(choices=IndirectTime.Kind.choices)
