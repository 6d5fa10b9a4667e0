"""Quote pages: list, detail with the pricing table per break, and the lifecycle buttons."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from mto.forms import TransitionView, run_for_button
from mto.lists import FilteredListView, csv_text
from mto.roles import CapabilityRequiredMixin

from . import selectors, services
from .filters import QuoteFilter
from .models import EstimateOperation, Quote, QuoteLine
from .workflow import QUOTE, available_transitions


class QuoteListView(FilteredListView):
    capability = "view_quotes"
    template_name = "quotes/quote_list.html"
    context_object_name = "quotes"
    filterset_class = QuoteFilter
    base_queryset = selectors.quote_list_queryset
    csv_filename = "quotes.csv"
    csv_header = ["number", "revision", "status", "customer_or_prospect", "rfq_reference", "valid_until"]

    def csv_row(self, quote):
        return [quote.number, quote.revision, quote.get_status_display(), csv_text(quote.party_name),
                csv_text(quote.rfq_reference), quote.valid_until.isoformat()]  # fmt: skip


class QuoteDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_quotes"
    template_name = "quotes/quote_detail.html"

    def get_context_data(self, **kwargs):
        try:
            quote = selectors.quote_detail(pk=self.kwargs["pk"])
        except Quote.DoesNotExist:
            raise Http404("No such quote") from None
        pricing = selectors.quote_pricing(quote=quote)
        centers = {op.work_center_id: op.work_center for p in pricing.lines for op in p.line.operations.all()}
        user = self.request.user
        # A line's inspection-plan form comes when its section opens (QuoteLineCharacteristicAddView.get); only a
        # refused one is on the page, open, with what was typed and its errors.
        refused = kwargs.pop("refused_characteristic", None)  # (line pk, the bound form that was refused)
        if refused:
            for priced in pricing.lines:
                if priced.line.pk == refused[0]:
                    priced.line.characteristic_form = refused[1]
        return super().get_context_data(
            quote=quote,
            pricing=pricing,
            accuracy=selectors.estimate_accuracy(work_centers=list(centers.values())) if centers else {},
            transitions=[t for t in available_transitions(quote, user) if t.name != "accept"],
            can_accept=any(t.name == "accept" for t in available_transitions(quote, user))
            and user.has_perm("mto.edit_orders"),
            can_edit=quote.is_editable and user.has_perm("mto.edit_quotes"),
            can_approve=quote.is_editable and pricing.needs_margin_approval and user.has_perm("mto.approve_quotes"),
            decline_reasons=Quote.DeclineReason.choices,
            **kwargs,
        )


class QuoteActionForm(forms.Form):
    """What a quote's buttons send: a decline's reason and note, whether an accepted order goes for approval."""

    reason = forms.CharField(required=False, max_length=500)
    note = forms.CharField(required=False, max_length=500)
    submit = forms.BooleanField(required=False)


class QuoteActionView(TransitionView):
    """POST one lifecycle step: send, decline (with a reason), revise, or accept (a break per line)."""

    capability = "view_quotes"
    lifecycle = QUOTE
    model = Quote
    form_class = QuoteActionForm

    def run(self, quote, transition, *, by, form):
        data = form.cleaned_data
        self.target = quote
        if transition.name == "send":
            services.quote_send(quote=quote, by=by)
        elif transition.name == "decline":
            services.quote_decline(quote=quote, by=by, reason=data["reason"], note=data["note"])
        elif transition.name == "revise":
            self.target = services.quote_revise(quote=quote, by=by)
        else:  # accept: the break the customer chose on each line
            breaks = {}
            for line in quote.lines.all():
                raw = self.request.POST.get(f"break-{line.pk}", "")
                if not raw.isdigit():
                    raise ValidationError(f"Pick a break for line {line.line_no}.")
                breaks[line.pk] = int(raw)
            self.target = services.quote_accept(quote=quote, by=by, breaks=breaks, submit=data["submit"])

    def done_message(self, quote, transition):
        if transition.name == "accept":
            return f"{quote.label} accepted: order {self.target.number}."
        return super().done_message(quote, transition)

    def success_url(self, quote, transition):
        return self.target.get_absolute_url()


class QuoteApproveMarginView(CapabilityRequiredMixin, View):
    """A Manager accepts the quote's margin below the shop's threshold, so it may be sent."""

    capability = "approve_quotes"

    def post(self, request, pk):
        quote = get_object_or_404(Quote, pk=pk)
        run_for_button(request, lambda: services.quote_approve_margin(quote=quote, by=request.user),
                       success=f"{quote.label}: margin approved.")  # fmt: skip
        return redirect(quote)


class QuoteApplyAccuracyView(CapabilityRequiredMixin, View):
    """Apply the work centers' estimate accuracy to one operation, one line, or (neither given) the quote."""

    capability = "edit_quotes"

    class Form(forms.Form):
        statistic = forms.ChoiceField(required=False, choices=[("median", "median"), ("p80", "p80")])
        line = forms.IntegerField(required=False)
        operation = forms.IntegerField(required=False)

    def post(self, request, pk):
        quote = get_object_or_404(Quote, pk=pk)
        form = self.Form(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect(quote)
        data = form.cleaned_data
        line = get_object_or_404(QuoteLine, pk=data["line"], quote=quote) if data["line"] else None
        operation = (get_object_or_404(EstimateOperation, pk=data["operation"], line__quote=quote)
                     if data["operation"] else None)  # fmt: skip
        run_for_button(
            request,
            lambda: services.quote_apply_accuracy(quote=quote, by=request.user, line=line, operation=operation,
                                                  statistic=data["statistic"] or "median"),
            success=f"{quote.label}: accuracy applied.",
        )  # fmt: skip
        return redirect(quote)
