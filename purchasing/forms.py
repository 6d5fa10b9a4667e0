from decimal import Decimal

from django import forms

from .models import MaterialRequirement, OutsideOperation, PurchaseOrder, Unit, Vendor
from .services import outside_vendors

NUMBER = {"class": "form-control text-end", "inputmode": "decimal"}


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["code", "name", "contact_name", "email", "phone", "address", "lead_days", "supplies_material",
                  "processes", "is_approved", "is_active", "notes"]  # fmt: skip
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"processes": "Outside processes it does, comma separated (plating, heat treat…)."}


class PurchaseOrderForm(forms.ModelForm):
    class Meta:
        model = PurchaseOrder
        fields = ["vendor", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("code")


class PurchaseOrderLineForm(forms.Form):
    """One line; blank lines are skipped. The requirement is named by its id (the job page shows it)."""

    description = forms.CharField(max_length=200, required=False)
    quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"), required=False,
                                  widget=forms.NumberInput(attrs={**NUMBER, "step": "0.001"}))  # fmt: skip
    unit = forms.ChoiceField(choices=Unit.choices, initial=Unit.PIECE)
    unit_cost = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                   widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}))  # fmt: skip
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    requirement = forms.ModelChoiceField(
        queryset=MaterialRequirement.objects.all(), required=False, widget=forms.NumberInput,
        label="Material requirement no.",
    )  # fmt: skip

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("description", "quantity", "requirement"))

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank():
            for name in ("description", "quantity", "due_date"):
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, "Required for a line.")
            if cleaned.get("unit_cost") is None and "unit_cost" not in self.errors:
                self.add_error("unit_cost", "Required for a line.")
        return cleaned


LineFormSet = forms.formset_factory(PurchaseOrderLineForm, extra=0, max_num=200, absolute_max=200)


class ReceiptForm(forms.Form):
    quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"),
                                  widget=forms.NumberInput(attrs={**NUMBER, "step": "0.001"}))  # fmt: skip
    lot_number = forms.CharField(label="Lot / heat number", max_length=60, required=False)
    certificate = forms.FileField(
        label="Certificate (PDF)", required=False, widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


# Outside operations: ship out, receive back, the buyer's vendor / lead days / estimate.
PIECES = {"inputmode": "numeric", "min": "0", "class": "form-control form-control-lg"}


class ShipOutForm(forms.Form):
    quantity = forms.IntegerField(label="Pieces to ship", min_value=1, max_value=1_000_000,
                                  widget=forms.NumberInput(attrs={**PIECES, "min": "1"}))  # fmt: skip
    carrier = forms.CharField(max_length=60, required=False)
    notes = forms.CharField(max_length=500, required=False, label="Notes for the vendor")


class ReceiveBackForm(forms.Form):
    good = forms.IntegerField(label="Good pieces back", min_value=0, max_value=1_000_000, initial=0,
                              widget=forms.NumberInput(attrs=PIECES))  # fmt: skip
    rejected = forms.IntegerField(label="Rejected by the vendor or at inspection", min_value=0, max_value=1_000_000,
                                  initial=0, widget=forms.NumberInput(attrs=PIECES))  # fmt: skip
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


# A job's material: the buyer's (or planner's) requirement and its issue from stock.
class RequirementForm(forms.ModelForm):
    """What a job needs; the operation it holds back is one of this job's (none: the job's first)."""

    quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"),
                                  widget=forms.NumberInput(attrs={**NUMBER, "step": "0.001"}))  # fmt: skip
    estimated_cost = forms.DecimalField(label="Estimated cost (whole quantity)", max_digits=12, decimal_places=2,
                                        min_value=0, initial=0,
                                        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}))  # fmt: skip

    class Meta:
        model = MaterialRequirement
        fields = ["description", "quantity", "unit", "estimated_cost", "operation", "vendor"]

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = job.operations.select_related("work_center").order_by("sequence")
        self.fields["operation"].empty_label = "The job's first operation"
        self.fields["operation"].label_from_instance = lambda op: f"{op.sequence} {op.work_center.code} {op}"[:80]
        self.fields["operation"].help_text = "The operation that waits for this material."
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True, supplies_material=True).order_by("code")
        self.fields["vendor"].empty_label = "None (the buyer picks)"


class IssueFromStockForm(forms.Form):
    cost = forms.DecimalField(label="Cost of the material issued", max_digits=12, decimal_places=2, min_value=0,
                              help_text="What the material taken from stock is worth; it goes on the job's cost.",
                              widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}))  # fmt: skip
