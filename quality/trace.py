"""Traceability: from a shipment back to every heat or lot, outside-process certificate, inspection result, operator
and work center behind it; and from a heat or lot forward to every job and shipment holding it (a recall).

Each direction is a fixed number of queries whatever the number of lines, jobs, operations, time entries,
results or receipts (tests/quality/test_trace.py counts them at two sizes); the lot search is an index scan
(purchasing's receipt_lot_upper, vendorreturn_lot_upper).

Pieces carry no serial numbers, so a shipment of an order line holds pieces of any of the line's jobs that had
started before it left and have made good pieces (shipping.selectors.jobs_in_shipment): remakes included, and
a remake started after a partial shipment left is not in it.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from jobs.models import Job, Operation, TimeEntry
from purchasing.models import Receipt, VendorReturn
from purchasing.selectors import (
    JobMaterial,
    material_for_jobs,
    normalized_lot,
    outside_returns_for_jobs,
    receipts_of_lot,
    returns_of_lot,
)
from shipping.models import Shipment, ShipmentLine
from shipping.selectors import jobs_in_shipment, shipments_holding_jobs

from .models import InspectionResult, JobCharacteristic, NonConformance


def person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


@dataclass
class OperationRecord:
    operation: Operation
    entries: list[TimeEntry] = field(default_factory=list)

    @property
    def operators(self) -> list[str]:
        return list(dict.fromkeys(person(e.by) for e in self.entries))


@dataclass
class CharacteristicRecord:
    characteristic: JobCharacteristic
    required: int
    results: list[InspectionResult] = field(default_factory=list)

    @property
    def failed(self) -> list[InspectionResult]:
        return [r for r in self.results if not r.passed]


@dataclass
class JobTrace:
    job: Job
    operations: list[OperationRecord] = field(default_factory=list)
    characteristics: list[CharacteristicRecord] = field(default_factory=list)
    ncrs: list[NonConformance] = field(default_factory=list)
    material: list[JobMaterial] = field(default_factory=list)
    returns: list[VendorReturn] = field(default_factory=list)
    remake_of: NonConformance | None = None

    @property
    def results_count(self) -> int:
        return sum(len(c.results) for c in self.characteristics)

    @property
    def inspected(self) -> bool:
        return self.results_count > 0

    @property
    def failed(self) -> list[InspectionResult]:
        return [r for c in self.characteristics for r in c.failed]

    @property
    def unsettled(self) -> list[InspectionResult]:
        """Failed results with no NCR, or on an NCR still open."""
        open_ids = {n.pk for n in self.ncrs if n.status == NonConformance.Status.OPEN}
        return [r for r in self.failed if r.ncr_id is None or r.ncr_id in open_ids]

    @property
    def open_ncrs(self) -> list[NonConformance]:
        return [n for n in self.ncrs if n.status == NonConformance.Status.OPEN]

    @property
    def short_samples(self) -> list[CharacteristicRecord]:
        return [c for c in self.characteristics if len(c.results) < c.required]


@dataclass
class LineTrace:
    line: ShipmentLine
    jobs: list[JobTrace]


@dataclass
class Heat:
    """One heat or lot number of material, with the receipts that brought it (and their certificates)."""

    lot: str
    receipts: list[Receipt]
    jobs: list[Job]

    @property
    def certificates(self) -> list[Receipt]:
        return [r for r in self.receipts if r.certificate]


@dataclass
class ShipmentTrace:
    shipment: Shipment
    lines: list[LineTrace]
    jobs: list[JobTrace]

    @property
    def heats(self) -> list[Heat]:
        heats: dict[str, Heat] = {}
        for jt in self.jobs:
            for need in jt.material:
                for receipt in need.receipts:
                    if not receipt.lot_number:
                        continue
                    heat = heats.setdefault(receipt.lot_number, Heat(receipt.lot_number, [], []))
                    if receipt not in heat.receipts:
                        heat.receipts.append(receipt)
                    if jt.job not in heat.jobs:
                        heat.jobs.append(jt.job)
        return list(heats.values())

    @property
    def outside_returns(self) -> list[VendorReturn]:
        return [r for jt in self.jobs for r in jt.returns]

    @property
    def inspected(self) -> bool:
        return bool(self.jobs) and all(jt.inspected for jt in self.jobs)

    @property
    def conforms_on_record(self) -> bool:
        """Every job inspected, every failure settled by a dispositioned NCR, no NCR open, no sample short."""
        return self.inspected and not any(jt.unsettled or jt.open_ncrs or jt.short_samples for jt in self.jobs)


def _shipment(pk: int) -> Shipment:
    lines = ShipmentLine.objects.select_related("order_line__item").order_by("order_line__line_no")
    shipment = (
        Shipment.objects.select_related("order__customer", "shipped_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=pk)
    )
    shipment.line_list = list(shipment.lines.all())
    return shipment


def job_traces(jobs: list[Job]) -> list[JobTrace]:
    """Everything behind the jobs: operations with their time entries (operator, work center), characteristics
    with their results, NCRs (on the job, or that made it as a remake), material receipts, outside returns.
    Eight queries whatever the number of jobs."""
    ids = [job.pk for job in jobs]
    traces = {job.pk: JobTrace(job) for job in jobs}
    if not ids:
        return []
    ops: dict[int, OperationRecord] = {}
    for op in Operation.objects.filter(job_id__in=ids).select_related("work_center").order_by("job_id", "sequence"):
        ops[op.pk] = OperationRecord(op)
        traces[op.job_id].operations.append(ops[op.pk])
    for entry in TimeEntry.objects.filter(operation__job_id__in=ids).select_related("by").order_by("started_at", "id"):
        ops[entry.operation_id].entries.append(entry)
    chars: dict[int, CharacteristicRecord] = {}
    for char in JobCharacteristic.objects.filter(job_id__in=ids).order_by("job_id", "operation_sequence", "position",
                                                                          "id"):  # fmt: skip
        job = traces[char.job_id].job
        chars[char.pk] = CharacteristicRecord(char, char.samples_for(job.quantity))
        traces[char.job_id].characteristics.append(chars[char.pk])
    for result in (
        InspectionResult.objects.filter(characteristic__job_id__in=ids)
        .select_related("by")
        .order_by("characteristic_id", "sample_no")
    ):
        chars[result.characteristic_id].results.append(result)
    for ncr in (
        NonConformance.objects.filter(Q(job_id__in=ids) | Q(remake_job_id__in=ids))
        .select_related("job", "operation", "work_center", "remake_job", "opened_by", "dispositioned_by")
        .order_by("opened_at", "id")
    ):
        if ncr.job_id in traces:
            traces[ncr.job_id].ncrs.append(ncr)
        if ncr.remake_job_id in traces:
            traces[ncr.remake_job_id].remake_of = ncr
    for job_id, material in material_for_jobs(ids).items():
        traces[job_id].material = material
    for job_id, returns in outside_returns_for_jobs(ids).items():
        traces[job_id].returns = returns
    return [traces[i] for i in ids]


def shipment_trace(*, pk: int) -> ShipmentTrace:
    """A shipment back to what made it (twelve queries). Raises Shipment.DoesNotExist."""
    shipment = _shipment(pk)
    by_line = jobs_in_shipment(shipment=shipment, line_ids=[sl.order_line_id for sl in shipment.line_list])
    jobs = list({job.pk: job for each in by_line.values() for job in each}.values())
    traces = {jt.job.pk: jt for jt in job_traces(jobs)}
    lines = [LineTrace(sl, [traces[j.pk] for j in by_line[sl.order_line_id]]) for sl in shipment.line_list]
    return ShipmentTrace(shipment, lines, list(traces.values()))


# --- forward: a heat or lot to every job and shipment -------------------------------------------------------


@dataclass
class JobHolding:
    job: Job
    via: list[str]  # how the lot came in: "material 4140 bar (PO-000012/1)", "Zinc plate at Bright Plating"
    shipment_lines: list[ShipmentLine] = field(default_factory=list)


@dataclass
class LotTrace:
    lot: str
    receipts: list[Receipt]
    returns: list[VendorReturn]
    jobs: list[JobHolding]

    @property
    def found(self) -> bool:
        return bool(self.receipts or self.returns)

    @property
    def shipments(self) -> list[Shipment]:
        seen: dict[int, Shipment] = {}
        for holding in self.jobs:
            for row in holding.shipment_lines:
                seen.setdefault(row.shipment_id, row.shipment)
        return sorted(seen.values(), key=lambda s: s.pk)


def lot_trace(*, lot: str) -> LotTrace:
    """Every receipt and outside return of a heat or lot number (case-insensitive), the jobs they went to and the
    shipments that may hold those jobs' pieces: three queries."""
    text = normalized_lot(lot)
    if not text:
        return LotTrace("", [], [], [])
    receipts = list(receipts_of_lot(text))
    returns = list(returns_of_lot(text))
    holdings: dict[int, JobHolding] = {}
    for receipt in receipts:
        requirement = receipt.po_line.requirement
        if requirement is None:  # shop stock bought on no job: nothing to follow
            continue
        holding = holdings.setdefault(requirement.job_id, JobHolding(requirement.job, []))
        holding.via.append(f"material {requirement.description} ({receipt.po_line})")
    for row in returns:
        op = row.outside_operation.operation
        vendor = row.outside_operation.vendor
        holding = holdings.setdefault(op.job_id, JobHolding(op.job, []))
        holding.via.append(f"{op.description} (operation {op.sequence}) at {vendor.name if vendor else 'a vendor'}")
    jobs = sorted(holdings.values(), key=lambda h: h.job.number)
    holding_lines = shipments_holding_jobs([h.job for h in jobs])
    for holding in jobs:
        holding.via = list(dict.fromkeys(holding.via))
        holding.shipment_lines = holding_lines.get(holding.job.pk, [])
    return LotTrace(text, receipts, returns, jobs)
