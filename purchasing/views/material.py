"""A job's material from its page: add, edit and remove a requirement, issue one from stock (form -> service)."""

from django.shortcuts import get_object_or_404, redirect
from django.views import View

from jobs.models import Job
from mto.forms import ServiceEditView, ServiceFormView, run_for_button
from mto.roles import CapabilityRequiredMixin

from .. import services
from ..forms import IssueFromStockForm, RequirementForm
from ..models import MaterialRequirement

# Buyers keep a job's material, and Managers (who also plan jobs; the services take either capability).
MATERIAL_CAPABILITIES = "buy"


def _material_url(job) -> str:
    return f"{job.get_absolute_url()}#material-h"


class RequirementCreateView(ServiceFormView):
    capability = MATERIAL_CAPABILITIES
    form_class = RequirementForm
    success_message = "Material added."

    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(Job, pk=kwargs["job"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "job": self.job}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"Material for {self.job.number}")
        kwargs.setdefault("cancel_url", _material_url(self.job))
        return super().get_context_data(**kwargs)

    def run_service(self, form):
        return services.requirement_add(job=self.job, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return _material_url(self.job)


class RequirementEditView(ServiceEditView):
    capability = MATERIAL_CAPABILITIES
    form_class = RequirementForm
    queryset = MaterialRequirement.objects.select_related("job")
    success_message = "Material saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "job": self.edited.job}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"Edit material of {self.edited.job.number}")
        kwargs.setdefault("cancel_url", _material_url(self.edited.job))
        return super().get_context_data(**kwargs)

    def run_service(self, form):
        return services.requirement_update(requirement=self.edited, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return _material_url(self.edited.job)


class RequirementIssueView(ServiceFormView):
    capability = MATERIAL_CAPABILITIES
    form_class = IssueFromStockForm
    success_message = "Material issued from stock."

    def dispatch(self, request, *args, **kwargs):
        self.requirement = get_object_or_404(MaterialRequirement.objects.select_related("job"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"cost": self.requirement.estimated_cost}

    def get_context_data(self, **kwargs):
        r = self.requirement
        kwargs.setdefault(
            "title", f"Issue from stock: {r.description} ({r.quantity.normalize():f} {r.get_unit_display()})"
        )
        kwargs.setdefault("cancel_url", _material_url(r.job))
        return super().get_context_data(**kwargs)

    def run_service(self, form):
        return services.requirement_issue_from_stock(requirement=self.requirement, cost=form.cleaned_data["cost"],
                                                     by=self.request.user)  # fmt: skip

    def get_success_url(self):
        return _material_url(self.requirement.job)


class RequirementRemoveView(CapabilityRequiredMixin, View):
    """POST from the panel's Remove button; a refusal (on an order, issued) comes back as a message."""

    capability = MATERIAL_CAPABILITIES
    http_method_names = ["post"]

    def post(self, request, pk):
        requirement = get_object_or_404(MaterialRequirement.objects.select_related("job"), pk=pk)
        job = requirement.job
        run_for_button(request, lambda: services.requirement_remove(requirement=requirement, by=request.user),
                       success=f"Material removed: {requirement.description}.")  # fmt: skip
        return redirect(_material_url(job))
