"""Answers to the lower apps' signals: the jobs of an accepted quote's order get the routing it was sold with."""

from django.dispatch import receiver

from jobs.models import Job
from jobs.services import RoutedStep
from jobs.signals import routing_for_lines

from .models import EstimateOperation


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
