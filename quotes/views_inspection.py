"""The inspection plan of a draft quote's line: add and remove characteristics (quotes.services.inspection)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from mto.forms import run_for_button
from mto.roles import CapabilityRequiredMixin
from quality.forms import BootstrapFields
from quality.models import Kind, Sampling

from . import services
from .models import QuoteLine, QuoteLineCharacteristic
from .services.inspection import FIELDS


class QuoteLineCharacteristicForm(BootstrapFields, forms.Form):
    """The fields of a characteristic; its rules are the service's (the messages of an item's plan)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices
        self.fields["sampling"].choices = Sampling.choices
        for name in ("nominal", "tolerance_plus", "tolerance_minus"):
            self.fields[name].widget.attrs.update(inputmode="decimal")


QuoteLineCharacteristicForm.base_fields = forms.fields_for_model(
    QuoteLineCharacteristic, fields=list(FIELDS),
    labels={"operation_sequence": "Operation (routing step)", "tolerance_plus": "Tolerance +",
            "tolerance_minus": "Tolerance −", "sample_n": "N"},
)  # fmt: skip


class QuoteLineCharacteristicAddView(CapabilityRequiredMixin, View):
    capability = "edit_quotes"

    def post(self, request, pk):
        line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=pk)
        form = QuoteLineCharacteristicForm(request.POST, prefix=f"char{line.pk}")
        if form.is_valid():
            try:
                services.quote_line_characteristic_add(line=line, by=request.user, **form.cleaned_data)
                messages.success(request, f"Characteristic added to line {line.line_no}.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            errors = [f"{form.fields[k].label or k}: {' '.join(v)}" if k in form.fields else " ".join(v)
                      for k, v in form.errors.items()]  # fmt: skip
            messages.error(request, "; ".join(errors))
        return redirect(line.quote.get_absolute_url())


class QuoteLineCharacteristicRemoveView(CapabilityRequiredMixin, View):
    capability = "edit_quotes"

    def post(self, request, pk):
        char = get_object_or_404(QuoteLineCharacteristic.objects.select_related("line__quote"), pk=pk)
        remove = services.quote_line_characteristic_remove
        run_for_button(request, lambda: remove(characteristic=char, by=request.user),
                       success=f"{char.name} taken off line {char.line.line_no}.")  # fmt: skip
        return redirect(char.line.quote.get_absolute_url())
