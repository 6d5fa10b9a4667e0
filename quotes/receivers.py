"""Answers to the lower apps' signals: the jobs of an accepted quote's order get the routing, the material
and the outside services it was sold with."""

from decimal import Decimal

from django.dispatch import receiver

from jobs.models import Job
from jobs.services import RoutedStep
from jobs.signals import job_completed, routing_for_lines
from mto import reads
from purchasing.models import MaterialRequirement, OutsideOperation
from purchasing.services import MaterialEstimate, OutsideEstimate
from purchasing.signals import material_for_jobs, outside_for_jobs

from .models import Basis, EstimateMaterial, EstimateOperation, EstimateOutside


def _quoted(model, *order):
    """What the quote lines of these order lines priced (by the order lines' ids), kept compiled (mto.reads): every
    approval asks, of every order whether it came from a quote or not."""
    return reads.CompiledQuery(
        lambda line_ids: (
            model.objects.filter(line__sales_order_line_id__any=line_ids)
            .select_related("line")
            .order_by("line_id", *order)
        ),
        key_type=list[int],
    )


_QUOTED_OPERATIONS = _quoted(EstimateOperation, "sequence")
_QUOTED_MATERIAL = _quoted(EstimateMaterial, "id")
_QUOTED_OUTSIDE = _quoted(EstimateOutside, "id")


@receiver(routing_for_lines, sender=Job, dispatch_uid="quotes.quoted_routing")
def quoted_routing(sender, lines, **kwargs) -> dict[int, list[RoutedStep]]:
    """The quoted operations of the order lines made from quote lines, with the accuracy factor applied
    (what was priced is what the job is estimated at). One query, whatever the number of lines."""
    routings: dict[int, list[RoutedStep]] = {}
    for op in _QUOTED_OPERATIONS.all([line.pk for line in lines]):
        routings.setdefault(op.line.sales_order_line_id, []).append(
            RoutedStep(
                sequence=op.sequence,
                work_center_id=op.work_center_id,
                description=op.description,
                setup_hours=op.adjusted_setup_hours,
                run_hours_per_piece=op.adjusted_run_hours_per_piece,
            )
        )
    return routings


@receiver(material_for_jobs, sender=MaterialRequirement, dispatch_uid="quotes.quoted_material")
def quoted_material(sender, jobs, **kwargs) -> dict[int, list[MaterialEstimate]]:
    """The quoted material of jobs made from quote lines: per piece (with its scrap allowance) for the job's
    quantity, or one lot. One query, whatever the number of jobs."""
    by_line = {job.sales_order_line_id: job for job in jobs if job.sales_order_line_id}
    answer: dict[int, list[MaterialEstimate]] = {}
    if not by_line:
        return answer
    for material in _QUOTED_MATERIAL.all(list(by_line)):
        job = by_line[material.line.sales_order_line_id]
        if material.basis == Basis.LOT:
            quantity, unit, cost = Decimal("1"), "lot", material.cost
        else:
            quantity = (Decimal(job.quantity) * (1 + material.scrap_percent / 100)).quantize(Decimal("0.001"))
            unit, cost = "pcs", material.cost * quantity
        answer.setdefault(job.pk, []).append(
            MaterialEstimate(description=material.description, quantity=quantity, unit=unit, estimated_cost=cost)
        )
    return answer


@receiver(outside_for_jobs, sender=OutsideOperation, dispatch_uid="quotes.quoted_outside")
def quoted_outside(sender, jobs, **kwargs) -> dict[int, list[OutsideEstimate]]:
    """The outside services quoted for the jobs' order lines, in the order they were priced (one query)."""
    jobs_of_line: dict[int, list[int]] = {}
    for job in jobs:
        if job.sales_order_line_id:
            jobs_of_line.setdefault(job.sales_order_line_id, []).append(job.pk)
    if not jobs_of_line:
        return {}
    answer: dict[int, list[OutsideEstimate]] = {}
    for service in _QUOTED_OUTSIDE.all(list(jobs_of_line)):
        estimate = OutsideEstimate(
            vendor_name=service.vendor_name, cost=service.cost, per_piece=service.basis == Basis.PIECE,
            lead_days=service.lead_days, description=service.description,
        )  # fmt: skip
        for job_id in jobs_of_line[service.line.sales_order_line_id]:
            answer.setdefault(job_id, []).append(estimate)
    return answer


@receiver(job_completed, sender=Job, dispatch_uid="quotes.record_accuracy")
def record_accuracy(sender, job, **kwargs) -> None:
    """The completed job's operations become estimate-accuracy samples, in the completion's transaction."""
    from .services import accuracy_samples_record

    accuracy_samples_record(job_ids=[job.pk])
