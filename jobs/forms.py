from django import forms
from django.contrib.auth import get_user_model

from mto.roles import SHOP_FLOOR

from .models import Operation, WorkCenter
from .workflow import HOLD_REASONS, SCRAP_REASONS

BIG = {"class": "form-control form-control-lg"}


class ReportPiecesForm(forms.Form):
    good = forms.IntegerField(
        label="Good pieces", min_value=0, max_value=1_000_000, initial=0,
        widget=forms.NumberInput(attrs={**BIG, "inputmode": "numeric"}),
    )  # fmt: skip
    scrap = forms.IntegerField(
        label="Scrap pieces", min_value=0, max_value=1_000_000, initial=0,
        widget=forms.NumberInput(attrs={**BIG, "inputmode": "numeric"}),
    )  # fmt: skip
    scrap_reason = forms.ChoiceField(
        label="Scrap reason", required=False, choices=[("", "—")] + [(r, r) for r in SCRAP_REASONS],
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("scrap") or 0) > 0 and not cleaned.get("scrap_reason"):
            self.add_error("scrap_reason", "Pick the reason for the scrap.")
        if cleaned.get("good") == 0 and cleaned.get("scrap") == 0:
            self.add_error("good", "Report at least one piece.")
        return cleaned


class HoldForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason", choices=[("", "Pick a reason")] + [(r, r) for r in HOLD_REASONS],
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )  # fmt: skip
    detail = forms.CharField(label="Details", required=False, max_length=150, widget=forms.TextInput(attrs=BIG))

    def reason_text(self) -> str:
        detail = self.cleaned_data.get("detail", "").strip()
        return f"{self.cleaned_data['reason']}: {detail}" if detail else self.cleaned_data["reason"]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, **BIG}))


class JobActionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=200)
    version = forms.IntegerField(required=False)


class OperationForm(forms.ModelForm):
    class Meta:
        model = Operation
        fields = ["work_center", "description", "setup_hours", "run_hours_per_piece"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_center"].queryset = WorkCenter.objects.filter(is_active=True)
        for name in ("setup_hours", "run_hours_per_piece"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update(min="0", step="0.001")


class ManualJobForm(forms.Form):
    origin = forms.ChoiceField(
        label="Kind", choices=[("rework", "Rework"), ("stock", "Stock"), ("sample", "Sample")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    part_number = forms.CharField(max_length=60)
    part_revision = forms.CharField(max_length=10, required=False)
    description = forms.CharField(max_length=255)
    quantity = forms.IntegerField(min_value=1, max_value=10_000_000)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.IntegerField(min_value=1, max_value=5, initial=3)


class WorkCenterForm(forms.ModelForm):
    hourly_rate = forms.DecimalField(
        label="Hourly rate", max_digits=9, decimal_places=2, min_value=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    leads = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They hear about new and changed work here. None: every shop floor lead does.",
    )

    class Meta:
        model = WorkCenter
        fields = ["code", "name", "hourly_rate", "is_active", "is_outside", "leads"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = (
            get_user_model().objects.filter(groups__name=SHOP_FLOOR, is_active=True).order_by("username").distinct()
        )
        self.fields["leads"].label_from_instance = lambda user: user.get_full_name() or user.username
