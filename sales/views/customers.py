"""Customer pages and their ship-to addresses."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from mto.forms import ServiceEditView, ServiceFormView
from mto.lists import SearchListView
from mto.pages import selected_or_404
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
        return selected_or_404(selectors.customer_detail, what="customer", pk=self.kwargs["pk"])

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


class CustomerUpdateView(ServiceEditView):
    capability = "manage_customers"
    form_class = CustomerForm
    queryset = Customer.objects.all()
    success_message = "Customer {obj.code} saved."

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit customer {self.edited.code}", **kwargs)

    def run_service(self, form):
        return services.customer_update(customer=self.edited, **form.cleaned_data)


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


class ShipToUpdateView(ServiceEditView):
    capability = "manage_customers"
    form_class = ShipToForm
    queryset = ShipToAddress.objects.select_related("customer")
    success_message = "Ship-to address saved."

    def get_context_data(self, **kwargs):
        customer = self.edited.customer
        return super().get_context_data(
            title=f"Edit ship-to address of {customer.code}", cancel_url=customer.get_absolute_url(), **kwargs
        )

    def run_service(self, form):
        services.ship_to_update(ship_to=self.edited, **form.cleaned_data)
        return self.edited.customer
