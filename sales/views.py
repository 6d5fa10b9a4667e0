from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from mto.idempotency import new_token, submit_once
from mto.lists import FilteredListView
from mto.pagination import CappedPaginator
from mto.roles import CapabilityRequiredMixin

from . import selectors, services, signals
from .filters import SalesOrderFilter
from .forms import (
    ChangeItemForm,
    CustomerForm,
    ItemForm,
    SalesOrderForm,
    SalesOrderLineFormSet,
    ShipToForm,
    TransitionForm,
)
from .models import ChangeItem, ChangeRequest, Customer, Item, LineDrawing, SalesOrder, SalesOrderLine, ShipToAddress
from .workflow import TRANSITIONS, available_transitions


def apply_service_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: on the field it names, else as a form error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                target = field if field in form.fields else None
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def csv_text(value: str) -> str:
    """Text typed by people, made safe for spreadsheets: a leading =, +, -, @ would start a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class SearchListView(CapabilityRequiredMixin, ListView):
    paginate_by = 25
    paginator_class = CappedPaginator

    def search(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    def get_context_data(self, **kwargs):
        q = self.search()
        return super().get_context_data(q=q, query=urlencode({"q": q}) if q else "", **kwargs)


class ServiceFormView(CapabilityRequiredMixin, FormView):
    """A form whose valid data goes to one service; the service's errors land on the form."""

    success_message = ""
    cancel_url = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", self.cancel_url or self.request.path.rsplit("/", 2)[0] + "/")
        return super().get_context_data(**kwargs)

    def run_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            url, created = submit_once(self.request, lambda: self._run(form))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        if not created:
            messages.info(self.request, "This form was already sent; here is what it saved.")
        elif self.success_message:
            messages.success(self.request, self.success_message.format(obj=self.object))
        return HttpResponseRedirect(url)

    def _run(self, form):
        self.object = self.run_service(form)
        return self.object

    def get_success_url(self):
        return self.object.get_absolute_url()


# --- customers --------------------------------------------------------------------------------------


class CustomerListView(SearchListView):
    capability = "view_orders"
    template_name = "sales/customer_list.html"
    context_object_name = "customers"

    def get_queryset(self):
        return selectors.customer_list(search=self.search())


class CustomerDetailView(CapabilityRequiredMixin, DetailView):
    capability = "view_orders"
    template_name = "sales/customer_detail.html"
    context_object_name = "customer"

    def get_object(self, queryset=None):
        try:
            return selectors.customer_detail(pk=self.kwargs["pk"])
        except Customer.DoesNotExist:
            raise Http404("No such customer") from None

    def get_context_data(self, **kwargs):
        return super().get_context_data(orders=selectors.customer_recent_orders(customer=self.object), **kwargs)


class CustomerCreateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = CustomerForm
    success_message = "Customer {obj.code} created. Add its ship-to addresses below."
    extra_context = {"title": "New customer"}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        self.ship_to_form = ShipToForm(self.request.POST or None, prefix="ship_to")
        self.ship_to_form.fields["label"].required = False
        self.ship_to_form.fields["address"].required = False
        self.ship_to_form.fields.pop("is_default")
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "extra_form": self.ship_to_form, "extra_form_title": "First ship-to address"}

    def run_service(self, form):
        ship_tos = []
        if self.ship_to_form.is_valid() and self.ship_to_form.cleaned_data.get("address"):
            data = self.ship_to_form.cleaned_data
            ship_tos.append({"label": data.get("label") or "Main", "address": data["address"]})
        return services.customer_create(ship_tos=ship_tos, **form.cleaned_data)


class CustomerUpdateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = CustomerForm
    success_message = "Customer {obj.code} saved."

    def dispatch(self, request, *args, **kwargs):
        self.customer = get_object_or_404(Customer, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Customer.objects.get(pk=self.customer.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit customer {self.customer.code}", **kwargs)

    def run_service(self, form):
        return services.customer_update(customer=self.customer, **form.cleaned_data)


class ShipToCreateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = ShipToForm
    success_message = "Ship-to address added."

    def dispatch(self, request, *args, **kwargs):
        self.customer = get_object_or_404(Customer, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"New ship-to address for {self.customer.code}",
            cancel_url=self.customer.get_absolute_url(),
            **kwargs,
        )

    def run_service(self, form):
        services.ship_to_create(customer=self.customer, **form.cleaned_data)
        return self.customer


class ShipToUpdateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = ShipToForm
    success_message = "Ship-to address saved."

    def dispatch(self, request, *args, **kwargs):
        self.ship_to = get_object_or_404(ShipToAddress.objects.select_related("customer"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": ShipToAddress.objects.get(pk=self.ship_to.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Edit ship-to address of {self.ship_to.customer.code}",
            cancel_url=self.ship_to.customer.get_absolute_url(),
            **kwargs,
        )

    def run_service(self, form):
        services.ship_to_update(ship_to=self.ship_to, **form.cleaned_data)
        return self.ship_to.customer


# --- items ------------------------------------------------------------------------------------------


class ItemListView(SearchListView):
    capability = "view_orders"
    template_name = "sales/item_list.html"
    context_object_name = "items"

    def get_queryset(self):
        return selectors.item_list(search=self.search())


class ItemDetailView(CapabilityRequiredMixin, DetailView):
    capability = "view_orders"
    template_name = "sales/item_detail.html"
    context_object_name = "item"
    model = Item


class ItemCreateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = ItemForm
    success_message = "Item {obj.part_number} created."
    extra_context = {"title": "New item"}

    def run_service(self, form):
        return services.item_create(**form.cleaned_data)


class ItemUpdateView(ServiceFormView):
    capability = "manage_customers"
    template_name = "sales/form.html"
    form_class = ItemForm
    success_message = "Item {obj.part_number} saved."

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(Item, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Item.objects.get(pk=self.item.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit item {self.item.part_number} rev {self.item.revision}", **kwargs)

    def run_service(self, form):
        return services.item_update(item=self.item, by=self.request.user, **form.cleaned_data)


# --- sales orders -----------------------------------------------------------------------------------


class SalesOrderListView(FilteredListView):
    capability = "view_orders"
    template_name = "sales/order_list.html"
    context_object_name = "orders"
    filterset_class = SalesOrderFilter
    base_queryset = selectors.order_list_queryset
    csv_filename = "sales-orders.csv"
    csv_header = ["number", "status", "customer_code", "customer", "customer_po", "order_date", "promised_date",
                  "lines", "total"]  # fmt: skip

    def csv_row(self, order):
        promised = order.promised_date.isoformat() if order.promised_date else ""
        return [order.number, order.get_status_display(), csv_text(order.customer.code), csv_text(order.customer.name),
                csv_text(order.customer_po), order.order_date.isoformat(), promised, order.line_count,
                order.total]  # fmt: skip


def _order_or_404(pk: int) -> SalesOrder:
    try:
        return selectors.order_detail(pk=pk)
    except SalesOrder.DoesNotExist:
        raise Http404("No such order") from None


class SalesOrderDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_orders"
    template_name = "sales/order_detail.html"

    def get_context_data(self, **kwargs):
        order = _order_or_404(self.kwargs["pk"])
        responses = signals.order_detail_panels.send(sender=SalesOrder, order=order, request=self.request)
        panels = [html for _receiver, html in responses if html]
        changes = selectors.order_changes(order=order)
        open_change = next((c for c in changes if c.is_open), None)
        return super().get_context_data(
            order=order,
            lines=list(order.lines.all()),
            transitions=available_transitions(order, self.request.user),
            can_edit=order.is_editable and self.request.user.has_perm("mto.edit_orders"),
            can_change=order.is_changeable and self.request.user.has_perm("mto.edit_orders") and not open_change,
            changes=changes,
            open_change=open_change,
            panels=panels,
            **kwargs,
        )


class SalesOrderAcknowledgmentView(CapabilityRequiredMixin, TemplateView):
    """The acknowledgment as of the order's current revision, or reprinted for an earlier one (?revision=N)."""

    capability = "view_orders"
    template_name = "sales/order_acknowledgment.html"

    def get_context_data(self, **kwargs):
        order = _order_or_404(self.kwargs["pk"])
        changes = selectors.order_changes(order=order)
        wanted = self.request.GET.get("revision", "")
        revision = int(wanted) if wanted.isdigit() and int(wanted) <= order.revision else order.revision
        current = order.revision
        order, lines = selectors.order_at_revision(
            order=order, lines=list(order.lines.all()), changes=changes, revision=revision
        )
        approved = [c for c in changes if c.status == ChangeRequest.Status.APPROVED]
        return super().get_context_data(
            order=order,
            lines=lines,
            total=sum((line.amount for line in lines if not line.is_cancelled), 0),
            revisions=range(current + 1),
            current_revision=current,
            change=next((c for c in approved if c.revision == revision), None),
            **kwargs,
        )


class SalesOrderFormView(CapabilityRequiredMixin, TemplateView):
    """Create or edit a draft: the header form and the line formset, saved by one service call."""

    capability = "edit_orders"
    template_name = "sales/order_form.html"
    order = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.order = get_object_or_404(SalesOrder, pk=kwargs["pk"])
            if request.user.has_perm("mto.edit_orders") and not self.order.is_editable:
                messages.error(request, f"{self.order.number} is not a draft any more; it cannot be edited.")
                return redirect(self.order)
        return super().dispatch(request, *args, **kwargs)

    def forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        instance = self.order or SalesOrder()
        initial = {} if self.order else {"customer": self.request.GET.get("customer")}
        form = SalesOrderForm(data, instance=instance, initial=initial)
        formset = SalesOrderLineFormSet(data, files, instance=instance, prefix="lines")
        return form, formset

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["formset"] = self.forms()
        prices = {str(pk): str(item.unit_price) for pk, item in kwargs["formset"].items.items()}
        kwargs.setdefault("submit_token", new_token())
        return super().get_context_data(order=self.order, item_prices=prices, **kwargs)

    def post(self, request, *args, **kwargs):
        form, formset = self.forms()
        if form.is_valid() and formset.is_valid():
            lines = []
            for line_form in formset.forms:
                data = line_form.cleaned_data
                if not data or data.get("DELETE"):
                    continue
                line = {k: data.get(k) for k in services.LINE_FIELDS}
                if line_form.instance.pk:
                    line["id"] = line_form.instance.pk
                if data.get("drawing"):
                    line["drawings"] = [data["drawing"]]
                lines.append(line)
            header = {k: form.cleaned_data.get(k) for k in services.ORDER_FIELDS}
            try:
                if self.order:
                    order = services.sales_order_update(
                        order=self.order, updated_by=request.user, lines=lines, **header
                    )
                    messages.success(request, f"{order.number} saved.")
                    return redirect(order)
                url, created = submit_once(
                    request, lambda: services.sales_order_create(created_by=request.user, lines=lines, **header)
                )
                if created:
                    messages.success(request, "The order was created as a draft.")
                else:
                    messages.info(request, "This order was already sent; here it is.")
                return redirect(url)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=400)


class SalesOrderTransitionView(CapabilityRequiredMixin, View):
    """POST one lifecycle step (submit, approve, reject, cancel, close)."""

    capability = "view_orders"

    def post(self, request, pk, name):
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise Http404("No such action")
        order = get_object_or_404(SalesOrder, pk=pk)
        if not request.user.has_perm(f"mto.{transition.capability}"):
            return render(request, "403.html", {"message": "Your role does not allow this action."}, status=403)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(msg for errors in form.errors.values() for msg in errors))
            return redirect(reverse("sales:order-detail", args=[order.pk]))
        try:
            services.sales_order_transition(
                order=order, name=name, by=request.user, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{order.number}: {transition.label.lower()} done.")
        return redirect(reverse("sales:order-detail", args=[order.pk]))


class CustomerShipToOptionsView(CapabilityRequiredMixin, View):
    """The ship-to <option>s of one customer, for the order form when the customer changes (htmx)."""

    capability = "edit_orders"

    def get(self, request):
        customer = request.GET.get("customer", "")
        ship_tos = ShipToAddress.objects.filter(customer_id=customer if customer.isdigit() else None)
        return render(
            request, "sales/partials/ship_to_options.html", {"ship_tos": ship_tos.order_by("-is_default", "label")}
        )


class DrawingDownloadView(CapabilityRequiredMixin, View):
    capability = "view_orders"

    def get(self, request, pk):
        drawing = get_object_or_404(LineDrawing, pk=pk)
        try:
            handle = drawing.file.open("rb")
        except FileNotFoundError:
            raise Http404("The drawing file is missing") from None
        response = FileResponse(
            handle,
            content_type=drawing.content_type,
            as_attachment=True,
            filename=drawing.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- change requests -------------------------------------------------------------------------------


class ChangeRequestCreateView(CapabilityRequiredMixin, View):
    """POST: open a draft change request on an approved order (or go to the one already open)."""

    capability = "edit_orders"

    def post(self, request, pk):
        order = get_object_or_404(SalesOrder, pk=pk)
        try:
            change = services.change_request_open(order=order, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(order)
        return redirect(change)


class ChangeRequestDetailView(CapabilityRequiredMixin, TemplateView):
    capability = "view_orders"
    template_name = "sales/change_detail.html"

    def get_context_data(self, **kwargs):
        try:
            change = selectors.change_detail(pk=self.kwargs["pk"])
        except ChangeRequest.DoesNotExist:
            raise Http404("No such change request") from None
        user = self.request.user
        editing = change.is_editable and user.has_perm("mto.edit_orders")
        header_kinds = {item.kind for item in change.item_list if not item.line_id}
        lines = list(change.order.lines.select_related("item").order_by("line_no"))
        if editing:
            self._offer_changes(change, lines)
        return super().get_context_data(
            change=change,
            order=change.order,
            lines=lines,
            header_kinds=header_kinds,
            editing=editing,
            can_submit=editing and bool(change.item_list),
            can_withdraw=change.is_open and user.has_perm("mto.edit_orders"),
            can_decide=change.status == ChangeRequest.Status.PENDING and user.has_perm("mto.approve_orders"),
            **kwargs,
        )

    @staticmethod
    def _offer_changes(change: ChangeRequest, lines: list[SalesOrderLine]) -> None:
        """Give each line the changes it can still take in this request (one query for catalogue revisions)."""
        taken = {(item.kind, item.line_id) for item in change.item_list}
        revisions = set(
            Item.objects.filter(
                part_number__in={line.item.part_number for line in lines if line.item_id}, is_active=True
            ).values_list("part_number", "pk")
        )
        for line in lines:
            line.cancelled_here = (ChangeItem.Kind.CANCEL_LINE, line.pk) in taken
            line.offers = []
            if line.is_cancelled or line.cancelled_here:
                continue
            for kind in ChangeItem.LINE_KINDS:
                if (kind, line.pk) in taken:
                    continue
                if kind == ChangeItem.Kind.REVISION and line.item_id:
                    if not any(part == line.item.part_number and pk != line.item_id for part, pk in revisions):
                        continue  # no other revision of this item in the catalogue to change to
                line.offers.append((kind, ChangeItem.Kind(kind).label.removeprefix("Line ").capitalize()))


class ChangeItemFormView(ServiceFormView):
    """Add one change to a draft request (kind in the URL, line in ?line=), or edit one."""

    capability = "edit_orders"
    template_name = "sales/form.html"
    form_class = ChangeItemForm
    item = None

    def dispatch(self, request, *args, **kwargs):
        if "item" in kwargs:
            self.item = get_object_or_404(ChangeItem.objects.select_related("line__item"), pk=kwargs["item"])
            self.change, self.kind, self.line = self.item.change_request, self.item.kind, self.item.line
        else:
            self.change = get_object_or_404(ChangeRequest, pk=kwargs["pk"])
            self.kind = kwargs["kind"]
            if self.kind not in ChangeItem.Kind.values:
                raise Http404("No such kind of change")
            self.line = None
            if self.kind in ChangeItem.LINE_KINDS:
                line_id = request.GET.get("line", "")
                self.line = get_object_or_404(
                    SalesOrderLine.objects.select_related("item"),
                    pk=line_id if line_id.isdigit() else 0,
                    order_id=self.change.order_id,
                )
        self.order = self.change.order
        if request.user.has_perm("mto.edit_orders") and not self.change.is_editable:
            messages.error(request, f"Change {self.change.number} is {self.change.get_status_display().lower()}.")
            return redirect(self.change)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.item:
            fields = [name for name in ChangeItemForm.FIELDS[self.kind] if name != "drawing"]
            kwargs["initial"] = {name: getattr(self.item, name) for name in fields}
            kwargs["initial"]["reason"] = self.item.reason
        return {**kwargs, "kind": self.kind, "order": self.order, "line": self.line}

    def get_context_data(self, **kwargs):
        where = f", line {self.line.line_no} ({self.line.part_label})" if self.line else ""
        title = f"{self.order.number} change {self.change.number}: {ChangeItem.Kind(self.kind).label.lower()}{where}"
        return super().get_context_data(title=title, cancel_url=self.change.get_absolute_url(), **kwargs)

    def run_service(self, form):
        fields = dict(form.cleaned_data)
        if self.item:
            services.change_item_update(change_item=self.item, by=self.request.user, **fields)
        else:
            services.change_item_add(
                change_request=self.change, kind=self.kind, by=self.request.user, line=self.line, **fields
            )
        return self.change


class ChangeItemRemoveView(CapabilityRequiredMixin, View):
    capability = "edit_orders"

    def post(self, request, pk):
        item = get_object_or_404(ChangeItem.objects.select_related("change_request"), pk=pk)
        try:
            services.change_item_remove(item=item, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The change was removed from the request.")
        return redirect(item.change_request)


CHANGE_ACTIONS = {
    "submit": ("edit_orders", services.change_request_submit, "submitted for approval"),
    "withdraw": ("edit_orders", services.change_request_withdraw, "withdrawn"),
    "approve": ("approve_orders", services.change_request_approve, "approved; the order and its jobs follow"),
    "reject": ("approve_orders", services.change_request_reject, "rejected"),
}


class ChangeRequestActionView(CapabilityRequiredMixin, View):
    """POST submit, withdraw, approve or reject (with a reason) a change request."""

    capability = "view_orders"

    def post(self, request, pk, action):
        if action not in CHANGE_ACTIONS:
            raise Http404("No such action")
        capability, service, done = CHANGE_ACTIONS[action]
        change = get_object_or_404(ChangeRequest.objects.select_related("order"), pk=pk)
        if not request.user.has_perm(f"mto.{capability}"):
            return render(request, "403.html", {"message": "Your role does not allow this action."}, status=403)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(msg for errors in form.errors.values() for msg in errors))
            return redirect(change)
        extra = {"reason": form.cleaned_data.get("reason", "")} if action == "reject" else {}
        if action == "approve":
            extra = {"note": form.cleaned_data.get("reason", "")}
        try:
            service(change_request=change, by=request.user, **extra)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(change)
        messages.success(request, f"Change {change.number} of {change.order.number} {done}.")
        return redirect(change.order if action == "approve" else change)
