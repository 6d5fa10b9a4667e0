"""Pages of first-article inspection (the tablet's sheet, accept, reject) and of remake proposals (make, dismiss)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from mto.forms import run_for_button
from mto.idempotency import new_token, submit_once
from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin

from . import selectors_fai, services
from .models_fai import FirstArticle, RemakeProposal
from .workflow_fai import available_fai_transitions


class FirstArticleView(CapabilityRequiredMixin, TemplateView):
    """The first article on the tablet: every characteristic of the job on one screen (the tolerance shown, an
    out-of-tolerance value marked as it is typed), then Quality's accept or reject."""

    capability = "view_quality"
    template_name = "quality/fai.html"

    def get_context_data(self, **kwargs):
        fai, chars = selected_or_404(selectors_fai.first_article_sheet, what="first article", pk=self.kwargs["pk"])
        user = self.request.user
        moves = {t.name for t in available_fai_transitions(fai, user)}
        return super().get_context_data(
            fai=fai, job=fai.job, chars=chars, can_record="record" in moves and fai.job.is_open,
            can_accept="accept" in moves, can_reject="reject" in moves, submit_token=new_token(), **kwargs,
        )  # fmt: skip

    def post(self, request, pk):
        fai = get_object_or_404(FirstArticle, pk=pk)
        values = {int(k[1:]): v for k, v in request.POST.items() if k[:1] == "c" and k[1:].isdigit()}
        note = request.POST.get("note", "")[:500]
        try:
            submit_once(request, lambda: services.first_article_record(
                first_article=fai, values=values, by=request.user, note=note) and request.path)  # fmt: skip
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            context = self.get_context_data(errors=errors, entered=request.POST)
            return self.render_to_response(context, status=400)
        fai.refresh_from_db()
        if fai.all_passed:
            messages.success(request, "First article recorded; Quality accepts it to let the pieces pass on.")
        else:
            messages.warning(request, "First article recorded with a characteristic out of tolerance: Quality rejects "
                                      "it and the next piece is the new first article.")  # fmt: skip
        return redirect("quality:fai", pk=pk)


class FirstArticleAcceptView(CapabilityRequiredMixin, View):
    capability = "accept_first_articles"

    def post(self, request, pk):
        fai = get_object_or_404(FirstArticle.objects.select_related("job"), pk=pk)
        run_for_button(request, lambda: services.first_article_accept(first_article=fai, by=request.user),
                       success=f"First article of {fai.job.number} accepted: its pieces pass on.")  # fmt: skip
        return redirect(_back(request, fai.job))


class FirstArticleRejectView(CapabilityRequiredMixin, View):
    capability = "accept_first_articles"

    def post(self, request, pk):
        fai = get_object_or_404(FirstArticle.objects.select_related("job"), pk=pk)
        reason = request.POST.get("reason", "")[:500]
        run_for_button(request, lambda: services.first_article_reject(first_article=fai, by=request.user,
                                                                      reason=reason),
                       success=f"First article of {fai.job.number} rejected; the next piece is the new first "
                               "article.")  # fmt: skip
        return redirect(_back(request, fai.job))


def _back(request, job) -> str:
    """Where a button goes back to: the home page or the job page it was pressed on (nothing else)."""
    return "/" if request.POST.get("back") == "home" else job.get_absolute_url()


class _MayDecideRemakes(CapabilityRequiredMixin):
    """Quality or a Manager decides a remake (both hold disposition_ncrs; the services take manage_jobs too)."""

    capability = "disposition_ncrs"


class RemakeAcceptView(_MayDecideRemakes, View):
    """One click: the remake job of a job completed short (jobs' job_create_remake, through quality's service)."""

    def post(self, request, pk):
        proposal = get_object_or_404(RemakeProposal.objects.select_related("job"), pk=pk)
        done = {}

        def accept():
            done["p"] = services.remake_proposal_accept(proposal=proposal, by=request.user)

        run_for_button(request, accept, success="Remake made.")
        if done:
            messages.info(request, f"{done['p'].remake_job.number} made for {done['p'].quantity} piece(s).")
        return redirect(_back(request, proposal.job))


class RemakeDismissView(_MayDecideRemakes, View):
    def post(self, request, pk):
        proposal = get_object_or_404(RemakeProposal.objects.select_related("job"), pk=pk)
        reason = request.POST.get("reason", "")[:300]
        run_for_button(request, lambda: services.remake_proposal_dismiss(proposal=proposal, by=request.user,
                                                                         reason=reason),
                       success=f"Remake proposal of {proposal.job.number} dismissed.")  # fmt: skip
        return redirect(_back(request, proposal.job))
