"""Answers to the lower apps' signals: the jobs of an accepted quote's order get the routing and the material
it was sold with."""

from decimal import Decimal

from django.dispatch import receiver

from jobs.models import Job
from jobs.services import RoutedStep
from jobs.signals import routing_for_lines
from purchasing.models import MaterialRequirement
from purchasing.services import MaterialEstimate
from purchasing.signals import material_for_jobs

from .models import Basis, EstimateMaterial, EstimateOperation


@receiver(routing_for_lines, sender=Job, dispatch_uid="quotes.quoted_routing")
def quoted_routing(sender, lines, **kwargs) -> dict[int, list[RoutedStep]]:
    """The quoted operations of the order lines made from quote lines, with the accuracy factor applied
    (what was priced is what the job is estimated at). One query, whatever the number of lines."""
    routings: dict[int, list[RoutedStep]] = {}
    operations = (
        EstimateOperation.objects.filter(line__sales_order_line__in=[line.pk for line in lines])
        .select_related("line")
        .order_by("line_id", "sequence")
    )
    for op in operations:
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
    materials = (
        EstimateMaterial.objects.filter(line__sales_order_line__in=list(by_line))
        .select_related("line")
        .order_by("line_id", "id")
    )
    for material in materials:
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
