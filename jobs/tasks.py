import datetime

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mto.notifications import notify
from mto.roles import MANAGER
from sales.models import SalesOrder

from .models import Job
from .workflow import OPEN, J


@shared_task
def send_late_digest() -> int:
    """Managers' morning digest: late jobs and orders promised within a week with a job late or on hold."""
    today = timezone.localdate()
    late_jobs = list(Job.objects.filter(status__in=OPEN, due_date__lt=today).order_by("due_date", "id")[:100])
    troubled = Job.objects.filter(sales_order=OuterRef("pk")).filter(
        Q(status=J.ON_HOLD) | Q(status__in=OPEN, due_date__lt=today)
    )
    orders_at_risk = list(
        SalesOrder.objects.filter(
            status__in=["approved", "in_production", "partially_shipped"],
            promised_date__lte=today + datetime.timedelta(days=7),
        )
        .filter(Exists(troubled))
        .select_related("customer")
        .order_by("promised_date")[:100]
    )
    with transaction.atomic():
        rows = notify(
            kind="late_digest",
            roles=[MANAGER],
            context={"late_jobs": late_jobs, "orders_at_risk": orders_at_risk},
            link="/jobs/?late=true",
        )
    return len(rows)
