"""REST API of the sales app: customers, items, sales orders with nested lines and their transitions, and
change requests on approved orders.

Every write goes through sales.services, so the API obeys exactly the rules of the pages.
"""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from mto import reads
from mto.api import (
    ACTION_ERROR_RESPONSES,
    ERROR_RESPONSES,
    ActionsField,
    EtagMixin,
    FilterSet,
    IdempotentCreateMixin,
    IdFilter,
    ModelSerializer,
    PrimaryKeyRelatedField,
    ReasonSerializer,
    Serializer,
    idempotent,
    service_action,
)

from . import selectors, services
from .models import MAX_PIECES, ChangeItem, ChangeRequest, Customer, Item, SalesOrder, SalesOrderLine, ShipToAddress
from .workflow import CHANGE_TRANSITIONS, TRANSITIONS, available_change_transitions, available_transitions

# --- serializers -----------------------------------------------------------------------------------


class ShipToSerializer(ModelSerializer):
    class Meta:
        model = ShipToAddress
        fields = ["id", "label", "address", "is_default"]
        read_only_fields = ["id", "is_default"]


class CustomerSerializer(ModelSerializer):
    ship_tos = ShipToSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "email", "phone", "billing_address", "is_active", "ship_tos", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def create(self, validated_data):
        return services.customer_create(**validated_data)

    def update(self, instance, validated_data):
        if "ship_tos" in validated_data:
            raise serializers.ValidationError({"ship_tos": "Ship-to addresses are added on their own, not by update."})
        return services.customer_update(customer=instance, **validated_data)


class ItemSerializer(ModelSerializer):
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = Item
        fields = ["id", "part_number", "revision", "description", "unit_price", "is_active", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def create(self, validated_data):
        return services.item_create(**validated_data)

    def update(self, instance, validated_data):
        return services.item_update(item=instance, by=self.context["request"].user, **validated_data)


class SalesOrderLineSerializer(ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give the id to keep a line on update; omit for new.")
    item = PrimaryKeyRelatedField(queryset=Item.objects.all(), allow_null=True, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_PIECES)
    unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Omit for a standard item to take the catalogue price.",
    )

    class Meta:
        model = SalesOrderLine
        fields = [
            "id", "line_no", "item", "description", "drawing_number", "drawing_revision",
            "quantity", "unit_price", "due_date", "quantity_shipped", "is_cancelled",
        ]  # fmt: skip
        read_only_fields = ["line_no", "quantity_shipped", "is_cancelled"]
        # A custom part's description and drawing number, an inactive item, the due date: the service checks.


class SalesOrderSerializer(ModelSerializer):
    customer = PrimaryKeyRelatedField(queryset=Customer.objects.all())
    ship_to = PrimaryKeyRelatedField(queryset=ShipToAddress.objects.all(), allow_null=True, required=False)
    lines = SalesOrderLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, source="lines_total")
    customer_po = serializers.CharField(max_length=60, required=False, allow_blank=True)
    order_date = serializers.DateField(required=False)
    actions = ActionsField(available_transitions, TRANSITIONS)

    class Meta:
        model = SalesOrder
        fields = [
            "id", "number", "status", "actions", "revision", "customer", "customer_po", "ship_to", "order_date",
            "requested_date", "promised_date", "notes", "lines", "total", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "number", "status", "revision", "created_at", "updated_at"]

    def validate_lines(self, lines):
        if not lines:
            raise serializers.ValidationError("An order needs at least one line.")
        return lines

    def create(self, validated_data):
        lines = validated_data.pop("lines")
        return services.sales_order_create(by=self.context["request"].user, lines=lines, **validated_data)

    def update(self, instance, validated_data):
        lines = validated_data.pop("lines", None)
        if lines is None:
            lines = [{"id": line.pk} for line in instance.lines.all()]
        return services.sales_order_update(
            order=instance, by=self.context["request"].user, lines=lines, **validated_data
        )


# --- filters ---------------------------------------------------------------------------------------


class SalesOrderApiFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SalesOrder.Status.choices)
    customer = IdFilter(field_name="customer_id")
    customer_po = django_filters.CharFilter()
    number = django_filters.CharFilter()
    order_date_from = django_filters.DateFilter(field_name="order_date", lookup_expr="gte")
    order_date_to = django_filters.DateFilter(field_name="order_date", lookup_expr="lte")

    class Meta:
        model = SalesOrder
        fields = ["status", "customer", "customer_po", "number"]


# --- views -----------------------------------------------------------------------------------------


READ = {"list": "view_orders", "retrieve": "view_orders"}


@extend_schema_view(
    list=extend_schema(responses={200: CustomerSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: CustomerSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: CustomerSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: CustomerSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: CustomerSerializer, **ACTION_ERROR_RESPONSES}),
)
class CustomerViewSet(
    IdempotentCreateMixin, EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = CustomerSerializer
    queryset = Customer.objects.prefetch_related("ship_tos")
    filterset_fields = ["code", "is_active"]
    capabilities = {
        **READ,
        "create": "manage_customers",
        "update": "manage_customers",
        "partial_update": "manage_customers",
    }


@extend_schema_view(
    list=extend_schema(responses={200: ItemSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ItemSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ItemSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: ItemSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: ItemSerializer, **ACTION_ERROR_RESPONSES}),
)
class ItemViewSet(
    IdempotentCreateMixin, EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = ItemSerializer
    queryset = Item.objects.all()
    filterset_fields = ["part_number", "revision", "is_active"]
    capabilities = {
        **READ,
        "create": "manage_customers",
        "update": "manage_customers",
        "partial_update": "manage_customers",
    }


def _order_action(name: str, *, needs_reason: bool = False):
    def run(order, user, data):
        services.sales_order_transition(order=order, name=name, by=user, reason=data.get("reason", ""))

    return service_action(
        name, run, request=ReasonSerializer if needs_reason else None, response=SalesOrderSerializer,
        summary=f"{name.capitalize()} the order",
    )  # fmt: skip


@extend_schema_view(
    list=extend_schema(responses={200: SalesOrderSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: SalesOrderSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: SalesOrderSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: SalesOrderSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: SalesOrderSerializer, **ACTION_ERROR_RESPONSES}),
)
class SalesOrderViewSet(
    IdempotentCreateMixin, EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = SalesOrderSerializer
    filterset_class = SalesOrderApiFilter
    capabilities = {
        **READ,
        "create": "edit_orders",
        "update": "edit_orders",
        "partial_update": "edit_orders",
        "submit": "edit_orders",
        "cancel": "edit_orders",
        "approve": "approve_orders",
        "reject": "approve_orders",
        "close": "close_orders",
    }

    def get_queryset(self):
        return SalesOrder.objects.prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.order_by("line_no"))
        )

    # An action's order, before its service (the row alone: the service locks and reads its lines) and after it
    # (with its lines, one statement): compiled once per process (mto.reads), the approvals' hot path.
    target_read = reads.CompiledQuery(lambda pk: SalesOrder.objects.filter(pk=pk))

    @staticmethod
    def answer_read(pk: int) -> SalesOrder:
        return selectors.order_with_lines(pk=pk)

    submit = _order_action("submit")
    approve = _order_action("approve")
    reject = _order_action("reject", needs_reason=True)
    cancel = _order_action("cancel", needs_reason=True)
    close = _order_action("close")


# --- change requests -------------------------------------------------------------------------------


class ChangeItemSerializer(ModelSerializer):
    line = PrimaryKeyRelatedField(queryset=SalesOrderLine.objects.all(), required=False, allow_null=True)
    item = PrimaryKeyRelatedField(queryset=Item.objects.all(), required=False, allow_null=True)
    ship_to = PrimaryKeyRelatedField(queryset=ShipToAddress.objects.all(), required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_PIECES, required=False, allow_null=True)
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=300)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ChangeItem
        fields = [
            "id", "kind", "line", "quantity", "date", "drawing_revision", "item", "description", "drawing_number",
            "unit_price", "ship_to", "reason", "summary", "before",
        ]  # fmt: skip
        read_only_fields = ["id", "summary", "before"]


class ChangeRequestSerializer(ModelSerializer):
    order = PrimaryKeyRelatedField(queryset=SalesOrder.objects.all())
    items = ChangeItemSerializer(many=True, read_only=True)
    actions = ActionsField(
        lambda change, user: available_change_transitions(change, user, items=change.items.all()), CHANGE_TRANSITIONS
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "order", "number", "status", "actions", "revision", "created_by", "created_at", "submitted_at",
            "decided_by", "decided_at", "decision_note", "items",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f != "order"]
        # Opening on an order that has an open request returns that one (the service decides, not a 400).
        validators = []

    def create(self, validated_data):
        return services.change_request_open(order=validated_data["order"], by=self.context["request"].user)


class RemoveItemSerializer(Serializer):
    item = serializers.IntegerField(min_value=1)


def _add_item(change, user, data):
    data = dict(data)
    services.change_item_add(change_request=change, kind=data.pop("kind"), by=user, **data)


def _remove_item(change, user, data):
    item = ChangeItem.objects.filter(pk=data["item"], change_request=change).first()
    if item is None:
        raise serializers.ValidationError({"item": "No such change in this request."})
    services.change_item_remove(item=item, by=user)


@extend_schema_view(
    list=extend_schema(responses={200: ChangeRequestSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ChangeRequestSerializer, **ERROR_RESPONSES}),
    create=extend_schema(
        responses={201: ChangeRequestSerializer, **ERROR_RESPONSES},
        summary="Open a change request on an approved order (or get the one already open)",
    ),
)
class ChangeRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChangeRequestSerializer
    filterset_fields = ["order", "status"]
    capabilities = {
        **READ,
        "create": "edit_orders",
        "add_item": "edit_orders",
        "remove_item": "edit_orders",
        "submit": "edit_orders",
        "withdraw": "edit_orders",
        "approve": "approve_orders",
        "reject": "approve_orders",
    }

    def get_queryset(self):
        items = ChangeItem.objects.select_related("line__item", "item", "ship_to", "change_request__order__ship_to")
        return ChangeRequest.objects.select_related("order").prefetch_related(
            Prefetch("items", queryset=items.order_by("id"))
        )

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    add_item = service_action("add-item", _add_item, request=ChangeItemSerializer, response=ChangeRequestSerializer)
    remove_item = service_action(
        "remove-item", _remove_item, request=RemoveItemSerializer, response=ChangeRequestSerializer
    )
    submit = service_action(
        "submit",
        lambda c, u, d: services.change_request_submit(change_request=c, by=u),
        response=ChangeRequestSerializer,
    )
    withdraw = service_action(
        "withdraw",
        lambda c, u, d: services.change_request_withdraw(change_request=c, by=u),
        response=ChangeRequestSerializer,
    )
    approve = service_action(
        "approve",
        lambda c, u, d: services.change_request_approve(change_request=c, by=u, note=d.get("reason", "")),
        request=ReasonSerializer,
        response=ChangeRequestSerializer,
    )
    reject = service_action(
        "reject",
        lambda c, u, d: services.change_request_reject(change_request=c, by=u, reason=d.get("reason", "")),
        request=ReasonSerializer,
        response=ChangeRequestSerializer,
    )
