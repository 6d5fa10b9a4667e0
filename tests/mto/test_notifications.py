import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job
from mto.celery import app as celery_app
from mto.models import Notification, NotificationPreference
from mto.tasks import send_notification, sweep_unsent_notifications
from sales import services as sales_services
from tests.factories import CustomerFactory, SalesOrderFactory, UserFactory
from tests.jobs.conftest import approved_order

N = Notification.Status


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


@pytest.fixture
def pending_order(office):
    order = SalesOrderFactory(customer=CustomerFactory(email="buyer@acme.example.com"), created_by=office)
    return sales_services.sales_order_submit(order=order, by=office)


def test_approval_sends_the_acknowledgment_once(pending_order, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.sales_order_approve(order=pending_order, approved_by=manager)
    ack = Notification.objects.get(kind="order_acknowledgment")
    assert ack.status == N.SENT and ack.attempts == 1 and ack.email == "buyer@acme.example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert pending_order.number in message.subject and message.to == ["buyer@acme.example.com"]
    assert pending_order.customer_po in message.body and "&amp;" not in message.body
    assert message.alternatives[0][1] == "text/html"
    assert send_notification.apply(args=[ack.pk]).get() == "skipped"
    assert len(mail.outbox) == 1, "a task run twice sends once"


def test_outbox_row_rolls_back_with_the_change(pending_order, manager, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from sales.signals import order_approved

    def broken(**kwargs):
        raise ValidationError("later receiver failed")

    order_approved.connect(broken, dispatch_uid="t-broken", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            sales_services.sales_order_approve(order=pending_order, approved_by=manager)
    finally:
        order_approved.disconnect(dispatch_uid="t-broken")
    assert not Notification.objects.exists() and mail.outbox == []


def test_failures_are_recorded_and_retried_with_a_bound(pending_order, manager, settings):
    settings.EMAIL_BACKEND = "tests.mto.test_notifications.FailingBackend"
    sales_services.sales_order_approve(order=pending_order, approved_by=manager)
    row = Notification.objects.get(kind="order_acknowledgment")
    send_notification.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.status == N.FAILED and row.attempts == 5
    assert row.last_error == "ConnectionRefusedError: smtp down"


def test_broker_down_at_commit_then_the_sweeper_sends(pending_order, manager, settings,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    """A dead broker must not fail the approval; the row waits and the sweeper sends it once."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.task_publish_retry)
    conf.task_always_eager, conf.broker_url, conf.task_publish_retry = False, "redis://127.0.0.1:6390/0", False
    celery_app._pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order = sales_services.sales_order_approve(order=pending_order, approved_by=manager)
    finally:
        conf.task_always_eager, conf.broker_url, conf.task_publish_retry = saved
        celery_app._pool = None
    order.refresh_from_db()
    assert order.status == "approved"
    row = Notification.objects.get(kind="order_acknowledgment")
    assert row.status == N.PENDING and mail.outbox == []
    settings.NOTIFICATION_GRACE_SECONDS = 0
    assert sweep_unsent_notifications.apply().get() == 1
    row.refresh_from_db()
    assert row.status == N.SENT and len(mail.outbox) == 1
    sweep_unsent_notifications.apply()
    assert len(mail.outbox) == 1


def test_a_send_left_by_a_dead_worker_is_reclaimed_once(pending_order, manager, settings):
    sales_services.sales_order_approve(order=pending_order, approved_by=manager)
    row = Notification.objects.get(kind="order_acknowledgment")
    # A worker claimed the row and died before sending (its lease ran out).
    Notification.objects.filter(pk=row.pk).update(
        status=N.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1), attempts=1
    )
    settings.NOTIFICATION_LEASE_SECONDS = 60
    sweep_unsent_notifications.apply()
    sweep_unsent_notifications.apply()
    row.refresh_from_db()
    assert row.status == N.SENT and row.attempts == 2 and len(mail.outbox) == 1


def test_floor_events_reach_the_right_people(office, manager, lead, clerk, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=office, kind="job_on_hold", email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        order = approved_order(office, manager, quantity=2)
    assert Notification.objects.filter(kind="new_jobs", recipient=lead).count() == 2  # in the app and e-mail
    job = Job.objects.get(sales_order=order)
    ops = list(job.operations.order_by("sequence"))
    with django_capture_on_commit_callbacks(execute=True):
        job_services.operation_act(operation=ops[0], action="start", by=lead)
        job_services.job_act(job=job, action="hold", by=lead, reason="Machine down")
    hold = Notification.objects.filter(kind="job_on_hold", recipient=office)
    assert [n.channel for n in hold] == ["in_app"], "office turned e-mail off for holds"
    assert "Machine down" in hold.get().subject
    job_services.job_act(job=job, action="resume", by=lead)
    Job.objects.filter(pk=job.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    for op in ops:
        op.refresh_from_db()
        if op.status == "pending":
            job_services.operation_act(operation=op, action="start", by=lead)
        job_services.operation_report_pieces(operation=op, good=2, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    assert Notification.objects.filter(kind="ready_to_ship", recipient=clerk, channel="in_app").count() == 1
    assert Notification.objects.filter(kind="job_completed_late", recipient=office).exists()


def test_shipping_notice_has_the_tracking_number(office, manager, lead, clerk, django_capture_on_commit_callbacks):
    from shipping import services as shipping_services
    from tests.shipping.test_shipping import produce

    order = approved_order(office, manager, quantity=2)
    produce(order, lead, 2)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = shipping_services.shipment_create(
            order=order, lines={order.lines.get().pk: 2}, by=clerk, carrier="UPS", tracking_number="1ZTRACK42"
        )
        shipping_services.shipment_transition(shipment=shipment, name="ship", by=clerk)
    notice = [m for m in mail.outbox if "Shipped" in m.subject]
    assert len(notice) == 1 and "1ZTRACK42" in notice[0].body and notice[0].to == [order.customer.email]


def test_late_digest_goes_to_managers(office, manager, lead):
    order = approved_order(office, manager)
    Job.objects.filter(sales_order=order).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    from jobs.tasks import send_late_digest

    assert send_late_digest.apply().get() >= 1
    digest = Notification.objects.get(kind="late_digest", recipient=manager, channel="in_app")
    assert "1 late job" in digest.subject


def test_bell_and_list_show_only_ones_own(client, office, lead):
    other = UserFactory(username="other", roles=["Office"])
    for user, subject in ((office, "for office"), (other, "for other")):
        Notification.objects.create(kind="job_on_hold", channel="in_app", recipient=user, subject=subject,
                                    body_text="x", status=N.SENT)  # fmt: skip
    client.force_login(office)
    page = client.get(reverse("notification-list"))
    assert page.context["unread_notifications"] == 1
    html = page.content.decode()
    assert "for office" in html and "for other" not in html
    theirs = Notification.objects.get(recipient=other)
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notification-read-all"))
    assert client.get(reverse("notification-list")).context["unread_notifications"] == 0


def test_preferences_page_turns_email_off(client, office):
    client.force_login(office)
    client.post(reverse("notification-preferences"), {"new_jobs": "on"})
    prefs = dict(NotificationPreference.objects.filter(user=office).values_list("kind", "email_enabled"))
    assert prefs["new_jobs"] is True and prefs["job_on_hold"] is False


def test_new_jobs_go_to_the_leads_of_their_work_centers(office, manager, lead):
    from jobs.models import WorkCenter
    from tests.jobs.factories import WorkCenterFactory

    other_lead = UserFactory(username="lead-2", roles=["Shop floor"])
    for code in ("SAW", "CNC", "INSP"):
        WorkCenterFactory(code=code)
    for center in WorkCenter.objects.filter(code__in=["SAW", "CNC", "INSP"]):
        center.leads.add(other_lead)
    approved_order(office, manager)
    assert set(Notification.objects.filter(kind="new_jobs").values_list("recipient__username", flat=True)) == {
        "lead-2"
    }
    WorkCenter.objects.get(code="CNC").leads.clear()
    approved_order(office, manager)
    latest = Notification.objects.filter(kind="new_jobs", subject__contains="SO-")
    assert {"lead", "lead-2"} <= set(latest.values_list("recipient__username", flat=True))
