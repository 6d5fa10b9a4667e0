from django import forms

from .models import OutsideOperation
from .services import outside_vendors

NUMBER = {"inputmode": "numeric", "min": "0", "class": "form-control form-control-lg"}


class ShipOutForm(forms.Form):
    quantity = forms.IntegerField(label="Pieces to ship", min_value=1, max_value=1_000_000,
                                  widget=forms.NumberInput(attrs={**NUMBER, "min": "1"}))  # fmt: skip
    carrier = forms.CharField(max_length=60, required=False)
    notes = forms.CharField(max_length=500, required=False, label="Notes for the vendor")


class ReceiveBackForm(forms.Form):
    good = forms.IntegerField(label="Good pieces back", min_value=0, max_value=1_000_000, initial=0,
                              widget=forms.NumberInput(attrs=NUMBER))  # fmt: skip
    rejected = forms.IntegerField(label="Rejected by the vendor or at inspection", min_value=0, max_value=1_000_000,
                                  initial=0, widget=forms.NumberInput(attrs=NUMBER))  # fmt: skip
    lot_number = forms.CharField(label="Vendor lot / batch", max_length=60, required=False)
    certificate = forms.FileField(
        label="Vendor certificate (PDF)", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("good") == 0 and cleaned.get("rejected") == 0:
            self.add_error("good", "Receive at least one piece.")
        return cleaned


class OutsideOperationForm(forms.ModelForm):
    lead_days = forms.IntegerField(label="Lead days", min_value=0, max_value=365)
    estimated_cost = forms.DecimalField(label="Estimated cost (whole job)", min_value=0, max_digits=12,
                                        decimal_places=2)  # fmt: skip

    class Meta:
        model = OutsideOperation
        fields = ["vendor", "lead_days", "estimated_cost"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = outside_vendors().order_by("code")
        self.fields["vendor"].required = False
        self.fields["vendor"].help_text = "Approved vendors that do outside processing."
