"""REST API of the quotes app: the same services and rules as the pages.

Create with lines, breaks and the estimate; read the pricing per break; send, approve a low margin, apply the
estimate accuracy, revise, decline with a reason, accept with the chosen break per line.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jobs.models import WorkCenter
from mto.api import (
    ERROR_RESPONSES,
    ActionsField,
    ModelSerializer,
    PrimaryKeyRelatedField,
    Serializer,
    etag_for,
    idempotent,
    service_action,
)
from sales.models import MAX_PIECES, Customer, Item

from . import selectors, services
from .models import (
    Basis,
    EstimateMaterial,
    EstimateOperation,
    EstimateOutside,
    Quote,
    QuoteLine,
)
from .workflow import TRANSITIONS, available_transitions

HOURS = {"max_digits": 9, "decimal_places": 3, "min_value": 0}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
PERCENT = {"max_digits": 6, "decimal_places": 2, "min_value": 0}


class EstimateOperationSerializer(ModelSerializer):
    work_center = serializers.SlugRelatedField(slug_field="code", queryset=WorkCenter.objects.all())
    sequence = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    setup_hours = serializers.DecimalField(**HOURS)
    run_hours_per_piece = serializers.DecimalField(**HOURS)
    adjusted_setup_hours = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)
    adjusted_run_hours_per_piece = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)

    class Meta:
        model = EstimateOperation
        fields = ["id", "sequence", "work_center", "description", "setup_hours", "run_hours_per_piece",
                  "setup_factor", "run_factor", "factor_source", "adjusted_setup_hours",
                  "adjusted_run_hours_per_piece"]  # fmt: skip
        read_only_fields = ["id", "setup_factor", "run_factor", "factor_source"]


class EstimateMaterialSerializer(ModelSerializer):
    cost = serializers.DecimalField(**MONEY)
    basis = serializers.ChoiceField(choices=Basis.choices, default=Basis.PIECE)

    class Meta:
        model = EstimateMaterial
        fields = ["id", "description", "cost", "basis", "scrap_percent"]
        read_only_fields = ["id"]


class EstimateOutsideSerializer(ModelSerializer):
    cost = serializers.DecimalField(**MONEY)
    basis = serializers.ChoiceField(choices=Basis.choices, default=Basis.LOT)

    class Meta:
        model = EstimateOutside
        fields = ["id", "vendor_name", "description", "cost", "basis", "lead_days"]
        read_only_fields = ["id"]


class QuoteLineSerializer(ModelSerializer):
    item = PrimaryKeyRelatedField(queryset=Item.objects.all(), allow_null=True, required=False)
    breaks = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_PIECES),
                                   min_length=1, max_length=20, source="break_quantities")  # fmt: skip
    markup_percent = serializers.DecimalField(**PERCENT, allow_null=True, required=False)
    operations = EstimateOperationSerializer(many=True, required=False)
    materials = EstimateMaterialSerializer(many=True, required=False)
    outside = EstimateOutsideSerializer(many=True, required=False, source="outside_services")
    chosen_break = serializers.SlugRelatedField(slug_field="quantity", read_only=True)

    class Meta:
        model = QuoteLine
        fields = ["id", "line_no", "item", "description", "drawing_number", "drawing_revision", "markup_percent",
                  "breaks", "operations", "materials", "outside", "chosen_break", "sales_order_line"]  # fmt: skip
        read_only_fields = ["id", "line_no", "sales_order_line"]


class QuoteSerializer(ModelSerializer):
    customer = PrimaryKeyRelatedField(queryset=Customer.objects.all(), allow_null=True, required=False)
    lines = QuoteLineSerializer(many=True)
    markup_percent = serializers.DecimalField(**PERCENT, required=False)
    valid_until = serializers.DateField(required=False)
    sales_order = serializers.SerializerMethodField()
    next_revision = PrimaryKeyRelatedField(read_only=True)
    # The lifecycle's moves (send, accept, decline, revise); approve-margin and apply-accuracy are not moves.
    actions = ActionsField(available_transitions, TRANSITIONS)

    class Meta:
        model = Quote
        fields = ["id", "number", "revision", "status", "actions", "customer", "prospect_name", "prospect_email",
                  "contact_name", "contact_email", "rfq_reference", "valid_until", "lead_time_days", "notes",
                  "markup_percent", "decline_reason", "decline_note", "margin_approved_percent", "sales_order",
                  "previous", "next_revision", "lines", "sent_at", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "number", "revision", "status", "decline_reason", "decline_note",
                            "margin_approved_percent", "previous", "sent_at", "created_at", "updated_at"]  # fmt: skip

    def get_sales_order(self, quote) -> str | None:
        order = quote.sales_order
        return order.number if order else None

    def validate_lines(self, lines):
        if not lines:
            raise serializers.ValidationError("A quote needs at least one line.")
        return lines

    def create(self, validated_data):
        lines = [
            {**{k: v for k, v in line.items() if k not in ("break_quantities", "outside_services")},
             "breaks": line["break_quantities"], "outside": line.get("outside_services", [])}
            for line in validated_data.pop("lines")
        ]  # fmt: skip
        quote = services.quote_create(by=self.context["request"].user, lines=lines, **validated_data)
        return selectors.quote_detail(pk=quote.pk)


class QuoteBreakPriceSerializer(Serializer):
    quantity = serializers.IntegerField()
    labor = serializers.DecimalField(max_digits=14, decimal_places=2)
    material = serializers.DecimalField(max_digits=14, decimal_places=2)
    outside = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    margin_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class QuoteLinePriceSerializer(Serializer):
    line = serializers.IntegerField(source="line.pk")
    line_no = serializers.IntegerField(source="line.line_no")
    markup_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    lead_days = serializers.IntegerField()
    breaks = QuoteBreakPriceSerializer(many=True)


class PricingSerializer(Serializer):
    lowest_margin = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    needs_margin_approval = serializers.BooleanField()
    lines = QuoteLinePriceSerializer(many=True)


class ChosenBreakSerializer(Serializer):
    line = serializers.IntegerField(help_text="The quote line's id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_PIECES, help_text="The break chosen.")


class AcceptSerializer(Serializer):
    breaks = ChosenBreakSerializer(many=True)
    submit = serializers.BooleanField(default=False, help_text="Submit the order for approval at once.")


class DeclineSerializer(Serializer):
    reason = serializers.ChoiceField(choices=Quote.DeclineReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AccuracySerializer(Serializer):
    line = serializers.IntegerField(required=False, help_text="Only this line (its id); default every line.")
    operation = serializers.IntegerField(required=False, help_text="Only this operation (its id).")
    statistic = serializers.ChoiceField(choices=list(services.STATISTICS), default="median")


def _accept(quote, user, data):
    breaks = {}
    for chosen in data["breaks"]:
        breaks[chosen["line"]] = chosen["quantity"]
    services.quote_accept(quote=quote, by=user, breaks=breaks, submit=data["submit"])


def _apply_accuracy(quote, user, data):
    line = operation = None
    if data.get("line"):
        line = QuoteLine.objects.filter(quote=quote, pk=data["line"]).first()
        if line is None:
            raise serializers.ValidationError({"line": ["No such line on this quote."]})
    if data.get("operation"):
        operation = EstimateOperation.objects.filter(line__quote=quote, pk=data["operation"]).first()
        if operation is None:
            raise serializers.ValidationError({"operation": ["No such operation on this quote."]})
    services.quote_apply_accuracy(quote=quote, by=user, line=line, operation=operation, statistic=data["statistic"])


@extend_schema_view(
    list=extend_schema(responses={200: QuoteSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: QuoteSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: QuoteSerializer, **ERROR_RESPONSES}),
)
class QuoteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = QuoteSerializer
    filterset_fields = ["status", "customer", "number"]
    capabilities = {
        "list": "view_quotes", "retrieve": "view_quotes", "price": "view_quotes", "create": "edit_quotes",
        "send": "edit_quotes", "accept": "edit_quotes", "decline": "edit_quotes", "revise": "edit_quotes",
        "apply_accuracy": "edit_quotes", "approve_margin": "approve_quotes",
    }  # fmt: skip

    def get_queryset(self):
        return Quote.objects.select_related("acceptance__sales_order", "customer", "next_revision").prefetch_related(
            Prefetch("lines", queryset=selectors.quote_lines_queryset())
        )

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        quote = self.get_object()
        response = Response(self.get_serializer(quote).data)
        response["ETag"] = etag_for(quote)
        return response

    @extend_schema(responses={200: PricingSerializer, **ERROR_RESPONSES}, summary="The price of every break")
    @action(detail=True, methods=["get"])
    def price(self, request, pk=None):
        return Response(PricingSerializer(selectors.quote_pricing(quote=self.get_object())).data)

    send = service_action(
        "send", lambda q, user, data: services.quote_send(quote=q, by=user), response=QuoteSerializer
    )
    approve_margin = service_action(
        "approve-margin", lambda q, user, data: services.quote_approve_margin(quote=q, by=user),
        response=QuoteSerializer, summary="A Manager approves a margin below the shop's threshold",
    )  # fmt: skip
    apply_accuracy = service_action("apply-accuracy", _apply_accuracy, request=AccuracySerializer,
                                    response=QuoteSerializer)  # fmt: skip
    decline = service_action(
        "decline", lambda q, user, data: services.quote_decline(quote=q, by=user, reason=data["reason"],
                                                                note=data["note"]),
        request=DeclineSerializer, response=QuoteSerializer,
    )  # fmt: skip
    revise = service_action(
        "revise", lambda q, user, data: services.quote_revise(quote=q, by=user), response=QuoteSerializer,
        summary="Make the next revision (a draft); this one is kept as it was",
    )  # fmt: skip
    accept = service_action("accept", _accept, request=AcceptSerializer, response=QuoteSerializer,
                            summary="Accept with a break per line: makes the sales order")  # fmt: skip
