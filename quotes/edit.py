"""The quote edit page: create or edit a draft (header and lines with their estimate), re-priced as you type,
routings copied from an item, a completed job or another quote's line, drawings attached.

GET asks the selectors, POST goes forms -> quote_create / quote_update (one transaction); the preview and the
row and routing fragments (htmx) save nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from jobs.models import Job
from mto.forms import apply_service_errors, refuse_unless_editable
from mto.idempotency import already_sent, new_token, submit_once
from mto.roles import CapabilityRequiredMixin
from sales.models import Item

from . import selectors, services
from .forms import KINDS, TOKEN, QuoteEditForms, active_work_centers, row_form
from .models import Quote, QuoteLine, QuoteLineDrawing


def _priced(forms: QuoteEditForms, quote: Quote | None):
    """(each line with its LinePrice or None, the QuotePrice) of what the forms hold: the saved quote's
    pricing for a page just opened, else the unsaved input's, through the same quotes.selectors pricing."""
    if forms.data is None:
        if quote is None or not quote.pk:
            return [(lf, None) for lf in forms.lines], None
        pricing = selectors.quote_pricing(quote=quote)
        return list(zip(forms.lines, pricing.lines, strict=True)), pricing
    markup = settings.QUOTE_DEFAULT_MARKUP_PERCENT
    if forms.header.is_valid() and forms.header.cleaned_data.get("markup_percent") is not None:
        markup = forms.header.cleaned_data["markup_percent"]
    estimates = forms.estimates()
    pricing = selectors.quote_pricing(quote=Quote(markup_percent=markup),
                                      estimates=[e for _lf, e in estimates if e is not None])  # fmt: skip
    prices = iter(pricing.lines)
    return [(lf, next(prices) if e is not None else None) for lf, e in estimates], pricing


class QuoteFormView(CapabilityRequiredMixin, TemplateView):
    """Create a draft quote, or edit one: the header and every line's breaks and estimate, saved by one
    service call; a sent (or later) quote cannot be edited."""

    capability = "edit_quotes"
    template_name = "quotes/quote_form.html"
    quote = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            try:
                self.quote = selectors.quote_detail(pk=kwargs["pk"])
            except Quote.DoesNotExist:
                raise Http404("No such quote") from None
            refused = refuse_unless_editable(
                request, self.quote, capability="edit_quotes", editable=self.quote.is_editable,
                message=f"{self.quote.label} is {self.quote.get_status_display().lower()}; it cannot be edited "
                        "(only drafts can). Make a new revision to change it.",
            )  # fmt: skip
            if refused:
                return refused
        return super().dispatch(request, *args, **kwargs)

    def new_quote(self) -> Quote:
        return Quote(markup_percent=settings.QUOTE_DEFAULT_MARKUP_PERCENT,
                     valid_until=timezone.localdate() + timedelta(days=settings.QUOTE_VALID_DAYS))  # fmt: skip

    def get_context_data(self, **kwargs):
        forms = kwargs.pop("forms", None) or QuoteEditForms(quote=self.quote or self.new_quote())
        lines, pricing = _priced(forms, self.quote)
        kwargs.setdefault("submit_token", new_token())
        # Beside each operation, how far its work center's estimates ran over (one aggregate query).
        accuracy = selectors.estimate_accuracy(work_centers=list(forms.centers.values())) if forms.centers else {}
        accuracy.update({str(pk): figures for pk, figures in accuracy.items()})  # by id or by the form's value
        return super().get_context_data(quote=self.quote, forms=forms, lines=lines, pricing=pricing, kinds=KINDS,
                                        accuracy=accuracy, **kwargs)  # fmt: skip

    def post(self, request, *args, **kwargs):
        if not self.quote and (url := already_sent(request)):
            messages.info(request, "This quote was already sent; here it is.")
            return redirect(url)
        forms = QuoteEditForms(data=request.POST, files=request.FILES, quote=self.quote or self.new_quote())
        if forms.is_valid():
            header, lines = forms.header_fields(), forms.line_dicts()
            try:
                if self.quote:
                    quote = services.quote_update(quote=self.quote, by=request.user, lines=lines, **header)
                    messages.success(request, f"{quote.label} saved.")
                    return redirect(quote)
                url, created = submit_once(
                    request, lambda: services.quote_create(by=request.user, lines=lines, **header)
                )
                if created:
                    messages.success(request, "The quote was saved as a draft.")
                else:
                    messages.info(request, "This quote was already sent; here it is.")
                return redirect(url)
            except ValidationError as exc:
                apply_service_errors(forms.header, exc)
        return self.render_to_response(self.get_context_data(forms=forms), status=400)


class QuotePreviewView(CapabilityRequiredMixin, View):
    """The pricing per break of the form as typed (htmx, on every pause in typing). Saves nothing."""

    capability = "edit_quotes"

    def post(self, request):
        forms = QuoteEditForms(data=request.POST)
        lines, pricing = _priced(forms, None)
        return render(request, "quotes/partials/quote_preview.html", {"lines": lines, "pricing": pricing})


def _line_token(request) -> str:
    token = request.GET.get("line", "")
    if not TOKEN.match(token):
        raise Http404("No such line on the page")
    return token


class QuoteFormRowView(CapabilityRequiredMixin, View):
    """An empty line, operation, material or outside service for the edit page's "Add" buttons (htmx)."""

    capability = "edit_quotes"

    def get(self, request):
        kind = request.GET.get("kind", "")
        if kind == "line":
            forms = QuoteEditForms(quote=Quote())
            return render(request, "quotes/partials/quote_form_line.html",
                          {"lf": forms.lines[0], "kinds": KINDS, "priced": None})  # fmt: skip
        if kind not in KINDS:
            raise Http404("No such row")
        token = _line_token(request)
        row = row_form(kind, token, centers=active_work_centers() if kind == "op" else {})
        return render(request, f"quotes/partials/quote_form_{kind}.html", {"f": row})


class QuoteRoutingSourcesView(CapabilityRequiredMixin, View):
    """Where a line's routing may start from, found by part number or description: catalogue items with a
    routing, completed jobs of the same or a similar part, other quotes' lines (htmx)."""

    capability = "edit_quotes"

    def get(self, request):
        token = _line_token(request)
        text = request.GET.get(f"line-{token}-source", request.GET.get("q", ""))[:60]
        exclude = request.GET.get("quote", "")
        items = []
        if len(text.strip()) >= 2:
            items = list(
                Item.objects.filter(is_active=True, routing_steps__isnull=False)
                .filter(part_number__icontains=text.strip())
                .distinct()
                .order_by("part_number", "revision")[:10]
            )
        return render(request, "quotes/partials/routing_sources.html", {
            "token": token, "text": text, "items": items,
            "jobs": selectors.completed_jobs_search(text=text),
            "quote_lines": selectors.quote_lines_search(
                text=text, exclude_quote=Quote(pk=int(exclude)) if exclude.isdigit() else None),
        })  # fmt: skip


class QuoteRoutingCopyView(CapabilityRequiredMixin, View):
    """A line's operation rows filled from a source's routing, to edit before saving (htmx). Saves nothing:
    saving the quote does."""

    capability = "edit_quotes"

    def get(self, request):
        token = _line_token(request)
        source = {}
        for name, model in (("item", Item), ("job", Job), ("quote_line", QuoteLine)):
            raw = request.GET.get(name, "")
            if raw:
                if not raw.isdigit():
                    return HttpResponseBadRequest("Bad source")
                qs = model.objects.select_related("quote") if model is QuoteLine else model.objects
                source[name] = get_object_or_404(qs, pk=int(raw))
        try:
            what, rows = selectors.routing_source(**source)
        except ValidationError as exc:
            response = render(request, "quotes/partials/routing_copied.html", {"error": " ".join(exc.messages)})
            response["HX-Retarget"] = f"#copy-msg-{token}"  # the line's operations stay as they are
            return response
        centers = active_work_centers()
        forms_rows = [
            row_form("op", token, centers=centers, initial={
                "work_center": r.work_center_id, "description": r.description, "setup_hours": r.setup_hours,
                "run_hours_per_piece": r.run_hours_per_piece, "setup_factor": r.setup_factor,
                "run_factor": r.run_factor, "factor_source": r.factor_source})
            for r in rows
        ]  # fmt: skip
        response = render(request, "quotes/partials/routing_copied.html",
                          {"rows": forms_rows, "what": what, "token": token})  # fmt: skip
        response["HX-Trigger"] = "quote-changed"
        return response


class QuoteDrawingDownloadView(CapabilityRequiredMixin, View):
    """A quote line's drawing, as order drawings are served: an attachment, never sniffed, never cached."""

    capability = "view_quotes"

    def get(self, request, pk):
        drawing = get_object_or_404(QuoteLineDrawing, pk=pk)
        try:
            handle = drawing.file.open("rb")
        except FileNotFoundError:
            raise Http404("The drawing file is missing") from None
        response = FileResponse(handle, content_type=drawing.content_type, as_attachment=True,
                                filename=drawing.original_name)  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
