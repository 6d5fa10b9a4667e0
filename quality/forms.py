from django import forms

from jobs.models import WorkCenter

from .models import Kind, NonConformance, PlanCharacteristic, Sampling


class BootstrapFields:
    """Bootstrap's classes on every visible widget (the house's 44 px controls, full width in their column)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not field.widget.is_hidden:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)


class CharacteristicForm(BootstrapFields, forms.Form):
    """The fields of a characteristic, for an item's plan and a quote line's alike. A plain form, not a ModelForm:
    the rules are the service's (`plans._check`), whose messages land on the fields they name; a ModelForm would
    check the database's constraints first and answer with their names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices
        self.fields["sampling"].choices = Sampling.choices
        for name in ("nominal", "tolerance_plus", "tolerance_minus"):
            self.fields[name].widget.attrs.update(inputmode="decimal")


CharacteristicForm.base_fields = forms.fields_for_model(
    PlanCharacteristic,
    fields=["operation_sequence", "name", "kind", "nominal", "tolerance_plus", "tolerance_minus", "unit", "sampling",
            "sample_n"],
    labels={"operation_sequence": "Operation (routing step)", "tolerance_plus": "Tolerance +",
            "tolerance_minus": "Tolerance −", "sample_n": "N"},
)  # fmt: skip


class NcrOpenForm(BootstrapFields, forms.Form):
    quantity = forms.IntegerField(min_value=1, label="Pieces")
    reason = forms.CharField(max_length=200)


class DispositionForm(BootstrapFields, forms.Form):
    disposition = forms.ChoiceField(choices=NonConformance.Disposition.choices, widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False)
    concession_reference = forms.CharField(max_length=60, required=False, label="Customer's concession reference")
    rework_work_center = forms.ModelChoiceField(
        WorkCenter.objects.filter(is_active=True), required=False, label="Rework at"
    )
    rework_description = forms.CharField(max_length=200, required=False, label="Rework operation")
    rework_setup_hours = forms.DecimalField(min_value=0, max_digits=9, decimal_places=3, required=False, initial=0)
    rework_run_hours_per_piece = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=3, required=False, initial=0
    )
    remake_quantity = forms.IntegerField(min_value=1, required=False, label="Pieces to remake")
