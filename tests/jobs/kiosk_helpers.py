"""Shared set-up of the kiosk and labor tests: operators with rates, an enrolled tablet, a job at its work center."""

from decimal import Decimal

from django.test import Client

from jobs import kiosk, services
from jobs.models import Job, LaborClass
from mto.roles import OPERATOR
from tests.factories import UserFactory


def make_operator(manager, first, last="", *, rate=None, labor_class=None, pin=""):
    profile = services.operator_create(first_name=first, last_name=last, by=manager, hourly_rate=rate,
                                       labor_class=labor_class, pin=pin)  # fmt: skip
    return profile


def machinist(manager) -> LaborClass:
    return services.labor_class_save(by=manager, name="Machinist", hourly_rate=Decimal("30.00"))


def first_job(order) -> Job:
    return Job.objects.filter(sales_order=order).order_by("pk").first()


def kiosk_client(manager, work_center, name="tablet"):
    """A test client that is a tablet enrolled as the kiosk of `work_center` (the device cookie set)."""
    device, secret = services.kiosk_enroll(work_center=work_center, name=name, by=manager)
    client = Client()
    client.cookies[kiosk.COOKIE] = kiosk.device_cookie_value(device, secret)
    return client, device


def badge_in(client, profile):
    response = client.post("/kiosk/badge/", {"badge": profile.badge_key})
    assert response.status_code == 303, response.content[:300]
    return response


def ensure_operator_group():
    UserFactory(username="group-maker", roles=[OPERATOR])
