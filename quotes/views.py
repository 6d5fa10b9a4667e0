"""Quote pages: list, detail with the pricing table per break, and the lifecycle buttons."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from mto.lists import FilteredListView, csv_text
from mto.roles import CapabilityRequiredMixin

from . import selectors, services
from .filters import QuoteFilter
from .models import EstimateOperation, Quote, QuoteLine
from .workflow import available_transitions


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


class ActionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)
    note = forms.CharField(required=False, max_length=500)
    statistic = forms.ChoiceField(required=False, choices=[("median", "median"), ("p80", "p80")])
    line = forms.IntegerField(required=False)
    operation = forms.IntegerField(required=False)
    submit = forms.BooleanField(required=False)


# name -> (capability, label)
ACTIONS = {
    "send": ("edit_quotes", "sent"),
    "decline": ("edit_quotes", "declined"),
    "revise": ("edit_quotes", "revised"),
    "approve-margin": ("approve_quotes", "margin approved"),
    "apply-accuracy": ("edit_quotes", "accuracy applied"),
    "accept": ("edit_quotes", "accepted"),
}


class QuoteActionView(CapabilityRequiredMixin, View):
    """POST one step: send, decline (with a reason), revise, approve the margin, apply the accuracy, accept."""

    capability = "view_quotes"

    def post(self, request, pk, name):
        if name not in ACTIONS:
            raise Http404("No such action")
        capability, done = ACTIONS[name]
        quote = get_object_or_404(Quote, pk=pk)
        if not request.user.has_perm(f"mto.{capability}"):
            return render(request, "403.html", {"message": "Your role does not allow this action."}, status=403)
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect(quote.get_absolute_url())
        data = form.cleaned_data
        target = quote
        try:
            if name == "send":
                services.quote_send(quote=quote, by=request.user)
            elif name == "decline":
                services.quote_decline(quote=quote, by=request.user, reason=data["reason"], note=data["note"])
            elif name == "revise":
                target = services.quote_revise(quote=quote, by=request.user)
            elif name == "approve-margin":
                services.quote_approve_margin(quote=quote, by=request.user)
            elif name == "apply-accuracy":
                line = get_object_or_404(QuoteLine, pk=data["line"], quote=quote) if data["line"] else None
                operation = (get_object_or_404(EstimateOperation, pk=data["operation"], line__quote=quote)
                             if data["operation"] else None)  # fmt: skip
                services.quote_apply_accuracy(quote=quote, by=request.user, line=line, operation=operation,
                                              statistic=data["statistic"] or "median")  # fmt: skip
            else:
                breaks = {}
                for line in quote.lines.all():
                    raw = request.POST.get(f"break-{line.pk}", "")
                    if not raw.isdigit():
                        raise ValidationError(f"Pick a break for line {line.line_no}.")
                    breaks[line.pk] = int(raw)
                order = services.quote_accept(quote=quote, by=request.user, breaks=breaks, submit=data["submit"])
                messages.success(request, f"{quote.label} accepted: order {order.number}.")
                return redirect(order.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{quote.label}: {done}.")
        return redirect(target.get_absolute_url())
