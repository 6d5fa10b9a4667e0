from decimal import Decimal

import factory

from jobs.models import RoutingStep, WorkCenter


class WorkCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCenter
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WC{n}")
    name = factory.LazyAttribute(lambda w: f"Center {w.code}")
    hourly_rate = Decimal("60.00")


def give_routing(item, *codes):
    """Give an item a routing through the named work centers (sequence 10, 20, ...)."""
    for index, code in enumerate(codes, start=1):
        RoutingStep.objects.create(
            item=item,
            sequence=index * 10,
            work_center=WorkCenterFactory(code=code),
            description=f"Step {index} at {code}",
            setup_hours=Decimal("1.0"),
            run_hours_per_piece=Decimal("0.1"),
        )
