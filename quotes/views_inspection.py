"""The inspection plan of a draft quote's line: add and remove characteristics (quotes.services.inspection)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from mto.forms import apply_service_errors, run_for_button
from mto.roles import CapabilityRequiredMixin
from quality.forms import CharacteristicForm

from . import services
from .models import QuoteLine, QuoteLineCharacteristic
from .views import QuoteDetailView


class QuoteLineCharacteristicAddView(CapabilityRequiredMixin, View):
    capability = "edit_quotes"

    def get(self, request, pk):
        """The form alone (htmx, when the quote page's section opens), or on a page of its own."""
        line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=pk)
        template = "quotes/partials/characteristic_add_form.html" if request.htmx else "quotes/characteristic_add.html"
        return render(request, template, {"line": line, "form": CharacteristicForm(prefix=f"char{line.pk}")})

    def post(self, request, pk):
        line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=pk)
        form = CharacteristicForm(request.POST, prefix=f"char{line.pk}")
        if form.is_valid():
            try:
                services.quote_line_characteristic_add(line=line, by=request.user, **form.cleaned_data)
                messages.success(request, f"Characteristic added to line {line.line_no}.")
                return redirect(line.quote.get_absolute_url())
            except ValidationError as exc:
                apply_service_errors(form, exc)
        # The quote again with what was typed kept and the refusal on its fields.
        view = QuoteDetailView(request=request, kwargs={"pk": line.quote_id})
        context = view.get_context_data(refused_characteristic=(line.pk, form))
        return view.render_to_response(context, status=400)


class QuoteLineCharacteristicRemoveView(CapabilityRequiredMixin, View):
    capability = "edit_quotes"

    def post(self, request, pk):
        char = get_object_or_404(QuoteLineCharacteristic.objects.select_related("line__quote"), pk=pk)
        remove = services.quote_line_characteristic_remove
        run_for_button(request, lambda: remove(characteristic=char, by=request.user),
                       success=f"{char.name} taken off line {char.line.line_no}.")  # fmt: skip
        return redirect(char.line.quote.get_absolute_url())
