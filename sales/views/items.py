"""Catalogue item pages."""

from django.views.generic import DetailView

from mto.forms import ServiceEditView, ServiceFormView
from mto.lists import SearchListView
from mto.roles import CapabilityRequiredMixin

from .. import selectors, services
from ..forms import (
    ItemForm,
)
from ..models import Item


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
    template_name = "form.html"
    form_class = ItemForm
    success_message = "Item {obj.part_number} created."
    extra_context = {"title": "New item"}

    def run_service(self, form):
        return services.item_create(**form.cleaned_data)


class ItemUpdateView(ServiceEditView):
    capability = "manage_customers"
    form_class = ItemForm
    queryset = Item.objects.all()
    success_message = "Item {obj.part_number} saved."

    def get_context_data(self, **kwargs):
        item = self.edited
        return super().get_context_data(title=f"Edit item {item.part_number} rev {item.revision}", **kwargs)

    def run_service(self, form):
        return services.item_update(item=self.edited, by=self.request.user, **form.cleaned_data)
