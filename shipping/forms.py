from django import forms

from .models import Shipment


class ShipmentForm(forms.ModelForm):
    class Meta:
        model = Shipment
        fields = [
            "carrier",
            "service",
            "tracking_number",
            "packages",
            "weight_kg",
            "ship_to",
            "needs_certificate",
            "notes",
        ]
        widgets = {"ship_to": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.fields["packages"].min_value = 1
        self.fields["weight_kg"].min_value = 0
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"Quantity to ship of line {line.line_no}", min_value=0, max_value=10_000_000, required=False,
                initial=getattr(line, "initial_quantity", line.available),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control text-end"}),
            )  # fmt: skip
        for line in self.lines:
            line.field = self[f"line_{line.pk}"]

    def clean(self):
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        for line in self.lines if getlist else ():
            name = self.add_prefix(f"line_{line.pk}")
            if len(getlist(name)) > 1:
                # A browser sends each field once; keeping the last of several would ship a quantity unseen.
                self.add_error(f"line_{line.pk}", "This line is given more than once; give it once.")
        return cleaned

    def line_quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0 for line in self.lines}

    def header(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
