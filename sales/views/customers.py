"""Customer pages and their ship-to addresses."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from mto.forms import ServiceFormView
from mto.lists import SearchListView
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..forms import (
    CustomerForm,
    ShipToForm,
)
from ..models import Customer, ShipToAddress


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
    template_name = "form.html"
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
    template_name = "form.html"
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
    template_name = "form.html"
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
    template_name = "form.html"
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
