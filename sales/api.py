"""REST API of the sales app: customers, items, sales orders with nested lines and their transitions, and
change requests on approved orders.

Every write goes through sales.services, so the API obeys exactly the rules of the pages.
"""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mto.api import ACTION_ERROR_RESPONSES, ERROR_RESPONSES, check_if_match, etag_for, idempotent

from . import services
from .models import MAX_PIECES, ChangeItem, ChangeRequest, Customer, Item, SalesOrder, SalesOrderLine, ShipToAddress

# --- serializers -----------------------------------------------------------------------------------


class ShipToSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipToAddress
        fields = ["id", "label", "address", "is_default"]
        read_only_fields = ["id", "is_default"]


class CustomerSerializer(serializers.ModelSerializer):
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


class ItemSerializer(serializers.ModelSerializer):
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = Item
        fields = ["id", "part_number", "revision", "description", "unit_price", "is_active", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def create(self, validated_data):
        return services.item_create(**validated_data)

    def update(self, instance, validated_data):
        return services.item_update(item=instance, by=self.context["request"].user, **validated_data)


class SalesOrderLineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give the id to keep a line on update; omit for new.")
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all(), allow_null=True, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
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

    def validate(self, attrs):
        if attrs.get("item") is None and not (attrs.get("description") and attrs.get("drawing_number")):
            raise serializers.ValidationError("A custom part needs a description and the customer's drawing number.")
        return attrs


class SalesOrderSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    ship_to = serializers.PrimaryKeyRelatedField(queryset=ShipToAddress.objects.all(), allow_null=True, required=False)
    lines = SalesOrderLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, source="lines_total")
    customer_po = serializers.CharField(max_length=60, required=False, allow_blank=True)
    order_date = serializers.DateField(required=False)

    class Meta:
        model = SalesOrder
        fields = [
            "id", "number", "status", "revision", "customer", "customer_po", "ship_to", "order_date",
            "requested_date", "promised_date", "notes", "lines", "total", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "number", "status", "revision", "created_at", "updated_at"]

    def validate_lines(self, lines):
        if not lines:
            raise serializers.ValidationError("An order needs at least one line.")
        return lines

    def create(self, validated_data):
        lines = validated_data.pop("lines")
        return services.sales_order_create(created_by=self.context["request"].user, lines=lines, **validated_data)

    def update(self, instance, validated_data):
        lines = validated_data.pop("lines", None)
        if lines is None:
            lines = [{"id": line.pk} for line in instance.lines.all()]
        return services.sales_order_update(
            order=instance, updated_by=self.context["request"].user, lines=lines, **validated_data
        )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- filters ---------------------------------------------------------------------------------------


class SalesOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SalesOrder.Status.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")
    customer_po = django_filters.CharFilter()
    number = django_filters.CharFilter()
    order_date_from = django_filters.DateFilter(field_name="order_date", lookup_expr="gte")
    order_date_to = django_filters.DateFilter(field_name="order_date", lookup_expr="lte")

    class Meta:
        model = SalesOrder
        fields = ["status", "customer", "customer_po", "number"]


# --- views -----------------------------------------------------------------------------------------


class EtagMixin:
    """Send an ETag with each object; honour If-Match on writes and actions; Idempotency-Key on create."""

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def perform_update(self, serializer):
        check_if_match(self.request, serializer.instance)
        serializer.save()


READ = {"list": "view_orders", "retrieve": "view_orders"}


@extend_schema_view(
    list=extend_schema(responses={200: CustomerSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: CustomerSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: CustomerSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: CustomerSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: CustomerSerializer, **ACTION_ERROR_RESPONSES}),
)
class CustomerViewSet(EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
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
class ItemViewSet(EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer
    queryset = Item.objects.all()
    filterset_fields = ["part_number", "revision", "is_active"]
    capabilities = {
        **READ,
        "create": "manage_customers",
        "update": "manage_customers",
        "partial_update": "manage_customers",
    }


def _order_action(name: str, needs_reason: bool = False):
    def run(self, request, pk=None):
        order = self.get_object()
        check_if_match(request, order)
        reason = ""
        if needs_reason:
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            reason = data.validated_data["reason"]
        services.sales_order_transition(order=order, name=name, by=request.user, reason=reason)
        order = self.get_queryset().get(pk=order.pk)
        response = Response(self.get_serializer(order).data)
        response["ETag"] = etag_for(order)
        return response

    # The router maps the URL to the attribute named like the function: name it before decorating.
    run.__name__ = name
    run = idempotent(run)
    run = action(detail=True, methods=["post"], url_path=name)(run)
    return extend_schema(
        request=ReasonSerializer if needs_reason else None,
        responses={200: SalesOrderSerializer, **ACTION_ERROR_RESPONSES},
        summary=f"{name.capitalize()} the order",
    )(run)


@extend_schema_view(
    list=extend_schema(responses={200: SalesOrderSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: SalesOrderSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: SalesOrderSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: SalesOrderSerializer, **ACTION_ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: SalesOrderSerializer, **ACTION_ERROR_RESPONSES}),
)
class SalesOrderViewSet(EtagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SalesOrderSerializer
    filterset_class = SalesOrderFilter
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

    submit = _order_action("submit")
    approve = _order_action("approve")
    reject = _order_action("reject", needs_reason=True)
    cancel = _order_action("cancel", needs_reason=True)
    close = _order_action("close")


# --- change requests -------------------------------------------------------------------------------


class ChangeItemSerializer(serializers.ModelSerializer):
    line = serializers.PrimaryKeyRelatedField(queryset=SalesOrderLine.objects.all(), required=False, allow_null=True)
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all(), required=False, allow_null=True)
    ship_to = serializers.PrimaryKeyRelatedField(queryset=ShipToAddress.objects.all(), required=False, allow_null=True)
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


class ChangeRequestSerializer(serializers.ModelSerializer):
    order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all())
    items = ChangeItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "order", "number", "status", "revision", "created_by", "created_at", "submitted_at", "decided_by",
            "decided_at", "decision_note", "items",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f != "order"]
        # Opening on an order that has an open request returns that one (the service decides, not a 400).
        validators = []

    def create(self, validated_data):
        return services.change_request_open(order=validated_data["order"], by=self.context["request"].user)


class RemoveItemSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)


def _change_action(name: str, *, request_serializer=None, run=None):
    def handler(self, request, pk=None):
        change = self.get_object()
        data = {}
        if request_serializer is not None:
            body = request_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        run(change, request.user, data)
        change = self.get_queryset().get(pk=change.pk)
        return Response(self.get_serializer(change).data)

    handler.__name__ = name.replace("-", "_")
    handler = idempotent(handler)
    handler = action(detail=True, methods=["post"], url_path=name)(handler)
    return extend_schema(
        request=request_serializer,
        responses={200: ChangeRequestSerializer, **ACTION_ERROR_RESPONSES},
        summary=f"{name.replace('-', ' ').capitalize()} (change request)",
    )(handler)


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

    add_item = _change_action("add-item", request_serializer=ChangeItemSerializer, run=_add_item)
    remove_item = _change_action("remove-item", request_serializer=RemoveItemSerializer, run=_remove_item)
    submit = _change_action("submit", run=lambda c, u, d: services.change_request_submit(change_request=c, by=u))
    withdraw = _change_action("withdraw", run=lambda c, u, d: services.change_request_withdraw(change_request=c, by=u))
    approve = _change_action(
        "approve",
        request_serializer=ReasonSerializer,
        run=lambda c, u, d: services.change_request_approve(change_request=c, by=u, note=d.get("reason", "")),
    )
    reject = _change_action(
        "reject",
        request_serializer=ReasonSerializer,
        run=lambda c, u, d: services.change_request_reject(change_request=c, by=u, reason=d.get("reason", "")),
    )
