"""REST API of traceability: GET /trace/?lot=... (a heat or lot forward to every job and shipment holding it) and
GET /trace/shipments/{id}/ (a shipment back to its heats, certificates, inspections, operators, work centers).
The same selectors as the pages (quality.trace), in the same fixed number of queries."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mto.api import ERROR_RESPONSES
from shipping.models import Shipment

from . import pack, trace
from .trace_views import LOT_MAX

READ = "trace_shipments"
S = serializers


class ShipmentRefSerializer(S.Serializer):
    id = S.IntegerField()
    number = S.CharField()
    status = S.CharField()
    shipped_at = S.DateTimeField(allow_null=True)
    order = S.IntegerField()
    order_number = S.CharField()
    customer = S.CharField()


class TimeEntryOutSerializer(S.Serializer):
    operator = S.IntegerField(help_text="User id of the lead who ran it.")
    operator_name = S.CharField()
    started_at = S.DateTimeField()
    stopped_at = S.DateTimeField(allow_null=True)
    good = S.IntegerField()
    scrap = S.IntegerField()


class OperationOutSerializer(S.Serializer):
    id = S.IntegerField()
    sequence = S.IntegerField()
    work_center = S.CharField()
    description = S.CharField()
    good = S.IntegerField()
    scrap = S.IntegerField()
    time_entries = TimeEntryOutSerializer(many=True)


class ResultOutSerializer(S.Serializer):
    id = S.IntegerField()
    sample_no = S.IntegerField()
    value = S.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    passed = S.BooleanField()
    by = S.IntegerField()
    at = S.DateTimeField()
    ncr = S.CharField(allow_null=True, help_text="The NCR number a failed result is on.")


class CharacteristicOutSerializer(S.Serializer):
    id = S.IntegerField()
    name = S.CharField()
    operation_sequence = S.IntegerField()
    tolerance = S.CharField()
    samples_required = S.IntegerField()
    results = ResultOutSerializer(many=True)


class NcrOutSerializer(S.Serializer):
    id = S.IntegerField()
    number = S.CharField()
    quantity = S.IntegerField()
    reason = S.CharField()
    status = S.CharField()
    disposition = S.CharField()
    concession_reference = S.CharField()
    remake_job = S.CharField(allow_null=True)


class ReceiptOutSerializer(S.Serializer):
    id = S.IntegerField()
    lot_number = S.CharField()
    quantity = S.DecimalField(max_digits=12, decimal_places=3)
    vendor = S.CharField()
    po_line = S.CharField()
    received_at = S.DateTimeField()
    has_certificate = S.BooleanField()


class MaterialOutSerializer(S.Serializer):
    requirement = S.IntegerField()
    description = S.CharField()
    source = S.CharField(help_text="buy or stock (from stock: no heat recorded).")
    receipts = ReceiptOutSerializer(many=True)


class OutsideOutSerializer(S.Serializer):
    id = S.IntegerField()
    operation_sequence = S.IntegerField()
    description = S.CharField()
    vendor = S.CharField(allow_null=True)
    good = S.IntegerField()
    rejected = S.IntegerField()
    lot_number = S.CharField()
    received_at = S.DateTimeField()
    has_certificate = S.BooleanField()


class JobTraceSerializer(S.Serializer):
    id = S.IntegerField()
    number = S.CharField()
    part = S.CharField()
    quantity = S.IntegerField()
    quantity_completed = S.IntegerField()
    remake_of = S.CharField(allow_null=True, help_text="The NCR this job remakes pieces for.")
    inspected = S.BooleanField(help_text="Whether any inspection result was recorded.")
    operations = OperationOutSerializer(many=True)
    characteristics = CharacteristicOutSerializer(many=True)
    ncrs = NcrOutSerializer(many=True)
    material = MaterialOutSerializer(many=True)
    outside = OutsideOutSerializer(many=True)


class TraceLineSerializer(S.Serializer):
    order_line = S.IntegerField()
    line_no = S.IntegerField()
    part = S.CharField()
    quantity = S.IntegerField()
    jobs = S.ListField(child=S.CharField(), help_text="Job numbers whose pieces the line may hold.")


class HeatSerializer(S.Serializer):
    lot = S.CharField()
    receipts = S.ListField(child=S.IntegerField())
    jobs = S.ListField(child=S.CharField())


class ShipmentTraceSerializer(S.Serializer):
    shipment = ShipmentRefSerializer()
    statements = S.ListField(child=S.CharField(), help_text="What the certificate of conformance states.")
    conforms_on_record = S.BooleanField()
    lines = TraceLineSerializer(many=True)
    heats = HeatSerializer(many=True)
    jobs = JobTraceSerializer(many=True)


class HoldingShipmentSerializer(ShipmentRefSerializer):
    quantity = S.IntegerField(help_text="Pieces of the job's order line on the shipment.")


class LotJobSerializer(S.Serializer):
    id = S.IntegerField()
    number = S.CharField()
    status = S.CharField()
    order_number = S.CharField(allow_null=True)
    via = S.ListField(child=S.CharField(), help_text="How the lot came into the job.")
    shipments = HoldingShipmentSerializer(many=True)


class LotReceiptSerializer(ReceiptOutSerializer):
    job = S.CharField(allow_null=True)


@extend_schema_serializer(many=False)  # one object at the list URL, not a list
class LotTraceSerializer(S.Serializer):
    lot = S.CharField(help_text="The heat or lot asked for (case folded); blank when none was given.")
    found = S.BooleanField()
    receipts = LotReceiptSerializer(many=True)
    outside_returns = OutsideOutSerializer(many=True)
    jobs = LotJobSerializer(many=True)
    shipments = ShipmentRefSerializer(many=True)

    class Meta:
        ref_name = "LotTrace"


def _shipment_ref(s: Shipment) -> dict:
    return {"id": s.pk, "number": s.number, "status": s.status, "shipped_at": s.shipped_at, "order": s.order_id,
            "order_number": s.order.number, "customer": s.order.customer.name}  # fmt: skip


def _receipt(r) -> dict:
    vendor = r.po_line.purchase_order.vendor.name
    return {"id": r.pk, "lot_number": r.lot_number, "quantity": r.quantity, "vendor": vendor,
            "po_line": str(r.po_line), "received_at": r.received_at,
            "has_certificate": bool(r.certificate)}  # fmt: skip


def _outside(b) -> dict:
    op, vendor = b.outside_operation.operation, b.outside_operation.vendor
    return {"id": b.pk, "operation_sequence": op.sequence, "description": op.description,
            "vendor": vendor.name if vendor else None, "good": b.good, "rejected": b.rejected,
            "lot_number": b.lot_number, "received_at": b.received_at,
            "has_certificate": bool(b.certificate)}  # fmt: skip


def _job(jt: trace.JobTrace) -> dict:
    job = jt.job
    return {
        "id": job.pk, "number": job.number, "part": job.part_label, "quantity": job.quantity,
        "quantity_completed": job.quantity_completed, "remake_of": jt.remake_of.number if jt.remake_of else None,
        "inspected": jt.inspected,
        "operations": [{
            "id": o.operation.pk, "sequence": o.operation.sequence, "work_center": o.operation.work_center.code,
            "description": o.operation.description, "good": o.operation.good_qty, "scrap": o.operation.scrap_qty,
            "time_entries": [{"operator": e.by_id, "operator_name": trace.person(e.by), "started_at": e.started_at,
                              "stopped_at": e.stopped_at, "good": e.good_qty, "scrap": e.scrap_qty}
                             for e in o.entries],
        } for o in jt.operations],
        "characteristics": [{
            "id": c.characteristic.pk, "name": c.characteristic.name,
            "operation_sequence": c.characteristic.operation_sequence, "tolerance": c.characteristic.tolerance_label,
            "samples_required": c.required,
            "results": [{"id": r.pk, "sample_no": r.sample_no, "value": r.value, "passed": r.passed, "by": r.by_id,
                         "at": r.at, "ncr": _ncr_number(jt, r.ncr_id)} for r in c.results],
        } for c in jt.characteristics],
        "ncrs": [{"id": n.pk, "number": n.number, "quantity": n.quantity, "reason": n.reason, "status": n.status,
                  "disposition": n.disposition, "concession_reference": n.concession_reference,
                  "remake_job": n.remake_job.number if n.remake_job else None} for n in jt.ncrs],
        "material": [{"requirement": m.requirement.pk, "description": m.requirement.description,
                      "source": m.requirement.source, "receipts": [_receipt(r) for r in m.receipts]}
                     for m in jt.material],
        "outside": [_outside(b) for b in jt.returns],
    }  # fmt: skip


def _ncr_number(jt: trace.JobTrace, ncr_id: int | None) -> str | None:
    if ncr_id is None:
        return None
    return next((n.number for n in jt.ncrs if n.pk == ncr_id), None)


def shipment_trace_data(found: trace.ShipmentTrace) -> dict:
    return {
        "shipment": _shipment_ref(found.shipment), "statements": pack.coc_statements(found),
        "conforms_on_record": found.conforms_on_record,
        "lines": [{"order_line": lt.line.order_line_id, "line_no": lt.line.order_line.line_no,
                   "part": lt.line.order_line.part_label, "quantity": lt.line.quantity,
                   "jobs": [jt.job.number for jt in lt.jobs]} for lt in found.lines],
        "heats": [{"lot": h.lot, "receipts": [r.pk for r in h.receipts], "jobs": [j.number for j in h.jobs]}
                  for h in found.heats],
        "jobs": [_job(jt) for jt in found.jobs],
    }  # fmt: skip


def lot_trace_data(found: trace.LotTrace) -> dict:
    return {
        "lot": found.lot, "found": found.found,
        "receipts": [{**_receipt(r), "job": r.po_line.requirement.job.number if r.po_line.requirement else None}
                     for r in found.receipts],
        "outside_returns": [_outside(b) for b in found.returns],
        "jobs": [{"id": h.job.pk, "number": h.job.number, "status": h.job.status,
                  "order_number": h.job.sales_order.number if h.job.sales_order else None, "via": h.via,
                  "shipments": [{**_shipment_ref(row.shipment), "quantity": row.quantity}
                                for row in h.shipment_lines]} for h in found.jobs],
        "shipments": [_shipment_ref(s) for s in found.shipments],
    }  # fmt: skip


class TraceViewSet(viewsets.ViewSet):
    """Traceability: a heat or lot forward to jobs and shipments (GET with ?lot=), a shipment back to everything
    behind it (GET shipments/{id}/). Quality and Managers."""

    capabilities = {"list": READ, "shipment": READ}
    serializer_class = LotTraceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lot",
                OpenApiTypes.STR,
                description="Heat or lot number (case-insensitive); without it the answer is empty.",
                required=False,
            )
        ],  # fmt: skip
        responses={200: LotTraceSerializer, **ERROR_RESPONSES},
        summary="Recall: every job and shipment holding a heat or lot",
    )
    def list(self, request):
        lot = request.query_params.get("lot", "").strip()
        if len(lot) > LOT_MAX:
            raise ValidationError({"lot": [f"At most {LOT_MAX} characters."]})
        return Response(LotTraceSerializer(lot_trace_data(trace.lot_trace(lot=lot))).data)

    @extend_schema(
        responses={200: ShipmentTraceSerializer, **ERROR_RESPONSES},
        summary="A shipment back to its heats, certificates, inspections, operators and work centers",
    )
    @action(detail=False, methods=["get"], url_path=r"shipments/(?P<shipment_pk>[0-9]{1,18})")
    def shipment(self, request, shipment_pk=None):
        try:
            found = trace.shipment_trace(pk=int(shipment_pk))
        except Shipment.DoesNotExist:
            raise Http404("No such shipment") from None
        return Response(ShipmentTraceSerializer(shipment_trace_data(found)).data)
