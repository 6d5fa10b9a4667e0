"""Pages of the quality app: item plans, inspection at an operation, NCRs (list, detail, open, disposition)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView, TemplateView

from jobs.models import Operation, ScrapRecord
from mto.forms import apply_service_errors, run_for_button
from mto.idempotency import new_token, submit_once
from mto.pages import selected_or_404
from mto.roles import CapabilityRequiredMixin
from sales.models import Item

from . import selectors, services
from .forms import CharacteristicForm, DispositionForm, NcrOpenForm
from .models import NonConformance, PlanCharacteristic
from .workflow import available_transitions


class PlanView(CapabilityRequiredMixin, TemplateView):
    """An item's inspection plan; Quality and Managers add and remove its lines here."""

    capability = "view_quality"
    template_name = "quality/plan.html"

    def get_context_data(self, **kwargs):
        item = get_object_or_404(Item, pk=self.kwargs["pk"])
        return super().get_context_data(
            item=item, plan=selectors.item_plan(item=item),
            can_edit=self.request.user.has_perm("mto.edit_quality_plans"),
            form=kwargs.pop("form", None) or CharacteristicForm(), submit_token=new_token(), **kwargs,
        )  # fmt: skip


class PlanAddView(CapabilityRequiredMixin, View):
    capability = "edit_quality_plans"

    def post(self, request, pk):
        item = get_object_or_404(Item, pk=pk)
        form = CharacteristicForm(request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                submit_once(
                    request,
                    lambda: services.plan_characteristic_add(item=item, by=request.user, **data) and request.path,
                )
                messages.success(request, "Characteristic added to the plan.")
                return redirect("quality:plan", pk=pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        view = PlanView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(form=form), status=400)


class PlanRemoveView(CapabilityRequiredMixin, View):
    capability = "edit_quality_plans"

    def post(self, request, pk):
        char = get_object_or_404(PlanCharacteristic, pk=pk)
        run_for_button(request, lambda: services.plan_characteristic_remove(characteristic=char, by=request.user),
                       success=f"{char.name} taken off the plan; jobs already made keep their copy.")  # fmt: skip
        return redirect("quality:plan", pk=char.item_id)


class InspectView(CapabilityRequiredMixin, TemplateView):
    """The tablet's inspection at an operation: one sample at a time, every characteristic of the operation."""

    capability = "record_inspections"
    template_name = "quality/inspect.html"

    def get_context_data(self, **kwargs):
        op, chars, rows, next_sample, failed = selected_or_404(selectors.inspection_sheet, what="operation",
                                                               pk=self.kwargs["pk"])  # fmt: skip
        for char in chars:
            char.sampled_now = next_sample is not None and next_sample <= char.samples_for(op.job.quantity)
        return super().get_context_data(
            op=op, job=op.job, chars=chars, rows=rows, next_sample=kwargs.pop("sample_no", None) or next_sample,
            failed=failed, can_open=self.request.user.has_perm("mto.open_ncrs"), submit_token=new_token(), **kwargs,
        )  # fmt: skip

    def post(self, request, pk):
        op = get_object_or_404(Operation, pk=pk)
        raw = request.POST.get("sample_no", "")
        values = {int(k[1:]): v for k, v in request.POST.items() if k[:1] == "c" and k[1:].isdigit()}
        try:
            sample_no = int(raw)
        except ValueError:
            errors = {"sample_no": ["Enter the sample number."]}
        else:
            try:
                _url, created = submit_once(request, lambda: services.inspection_record(
                    operation=op, sample_no=sample_no, values=values, by=request.user) and request.path)  # fmt: skip
                failed = not created or services.unsettled_failures(op.pk).exists()
                if failed:
                    messages.warning(request, f"Sample {sample_no} recorded. Out of tolerance: open an NCR.")
                else:
                    messages.success(request, f"Sample {sample_no} recorded.")
                return redirect("quality:inspect", pk=pk)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        context = self.get_context_data(errors=errors, entered=request.POST)
        return self.render_to_response(context, status=400)


class NcrListView(CapabilityRequiredMixin, ListView):
    capability = "view_quality"
    template_name = "quality/ncr_list.html"
    context_object_name = "ncrs"
    paginate_by = 50

    def get_queryset(self):
        qs = selectors.ncr_list_queryset()
        status = self.request.GET.get("status")
        if status in NonConformance.Status.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=NonConformance.Status.choices,
                                        status=self.request.GET.get("status", ""), **kwargs)  # fmt: skip


class NcrDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_quality"
    template_name = "quality/ncr_detail.html"

    def get_context_data(self, **kwargs):
        ncr = selected_or_404(selectors.ncr_detail, what="NCR", pk=self.kwargs["pk"])
        user = self.request.user
        return super().get_context_data(
            ncr=ncr, transitions=available_transitions(ncr, user), form=kwargs.pop("form", None) or DispositionForm(),
            dispositions=NonConformance.Disposition.choices, **kwargs,
        )  # fmt: skip


class _NcrOpenView(CapabilityRequiredMixin, TemplateView):
    """Tap one: a scrap report's or a failed inspection's pieces and reason, filled in; tap two: open it."""

    capability = "open_ncrs"
    template_name = "quality/ncr_open.html"

    def source(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        src = self.source()
        form = kwargs.pop("form", None) or NcrOpenForm(initial={"quantity": src["quantity"], "reason": src["reason"]})
        return super().get_context_data(src=src, form=form, submit_token=new_token(), **kwargs)

    def post(self, request, pk):
        src = self.source()
        form = NcrOpenForm(request.POST)
        if form.is_valid():
            try:
                url, _created = submit_once(request, lambda: services.ncr_open(by=request.user, **src["open"],
                                                                              **form.cleaned_data))  # fmt: skip
                messages.success(request, "NCR opened.")
                return redirect(url)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except IntegrityError:
                form.add_error(None, "Someone opened an NCR for this at the same moment; reload.")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class NcrFromScrapView(_NcrOpenView):
    def source(self):
        record = get_object_or_404(ScrapRecord.objects.select_related("operation__job", "operation__work_center"),
                                   pk=self.kwargs["pk"])  # fmt: skip
        op = record.operation
        return {"job": op.job, "operation": op, "quantity": record.quantity, "reason": record.reason,
                "what": f"scrap reported by {record.by.get_full_name() or record.by.username}",
                "open": {"scrap_record": record}}  # fmt: skip


class NcrFromInspectionView(_NcrOpenView):
    def source(self):
        op = get_object_or_404(Operation.objects.select_related("job", "work_center"), pk=self.kwargs["pk"])
        results = list(
            services.unsettled_failures(op.pk)
            .filter(ncr__isnull=True)
            .select_related("characteristic")
            .order_by("sample_no")
        )
        names = ", ".join(dict.fromkeys(r.characteristic.name for r in results))
        return {"job": op.job, "operation": op, "quantity": len({r.sample_no for r in results}) or 1,
                "reason": f"Failed inspection: {names}" if names else "", "results": results,
                "what": "failed inspection", "open": {"results": results}}  # fmt: skip


class NcrDispositionView(CapabilityRequiredMixin, View):
    capability = "disposition_ncrs"

    def post(self, request, pk):
        ncr = get_object_or_404(NonConformance, pk=pk)
        form = DispositionForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            for name in ("rework_setup_hours", "rework_run_hours_per_piece"):
                data.setdefault(name, Decimal("0"))
            try:
                services.ncr_disposition(ncr=ncr, by=request.user, **data)
                messages.success(request, f"{ncr.number} dispositioned.")
                return redirect(ncr.get_absolute_url())
            except ValidationError as exc:
                apply_service_errors(form, exc)
        view = NcrDetailView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(form=form), status=400)


class NcrCloseView(CapabilityRequiredMixin, View):
    capability = "disposition_ncrs"

    def post(self, request, pk):
        ncr = get_object_or_404(NonConformance, pk=pk)
        run_for_button(request, lambda: services.ncr_close(ncr=ncr, by=request.user), success=f"{ncr.number} closed.")
        return redirect(ncr.get_absolute_url())
