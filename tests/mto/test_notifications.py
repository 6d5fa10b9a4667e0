import datetime
import socket
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jobs import services as job_services
from jobs.models import Job
from mto.celery import app as celery_app
from mto.models import Notification, NotificationPreference
from mto.tasks import send_notification, sweep_unsent_notifications
from sales import services as sales_services
from tests.factories import CustomerFactory, SalesOrderFactory, UserFactory
from tests.scenarios import approved_order

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
        sales_services.sales_order_approve(order=pending_order, by=manager)
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
            sales_services.sales_order_approve(order=pending_order, by=manager)
    finally:
        order_approved.disconnect(dispatch_uid="t-broken")
    assert not Notification.objects.exists() and mail.outbox == []


def test_failures_are_recorded_and_retried_with_a_bound(pending_order, manager, settings):
    settings.EMAIL_BACKEND = "tests.mto.test_notifications.FailingBackend"
    sales_services.sales_order_approve(order=pending_order, by=manager)
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
            order = sales_services.sales_order_approve(order=pending_order, by=manager)
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
    sales_services.sales_order_approve(order=pending_order, by=manager)
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
    from tests.scenarios import produce

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


def _email_row(**fields) -> Notification:
    row = Notification.objects.create(kind="order_acknowledgment", channel="email", email="buyer@acme.example.com",
                                      subject="Ack", body_text="Thank you")  # fmt: skip
    if fields:
        Notification.objects.filter(pk=row.pk).update(**fields)
        row.refresh_from_db()
    return row


def test_every_attempt_of_a_row_carries_the_same_message_id(db, settings):
    """A mark-sent lost after the mail server took the message makes the sweeper send it again: the repeat
    has the first one's Message-ID, so a receiver that keeps them drops it."""
    settings.NOTIFICATION_MESSAGE_ID_DOMAIN = "mto.example.com"
    row, other = _email_row(), _email_row(email="other@acme.example.com")
    assert send_notification.apply(args=[row.pk]).get() == "sent"
    # The worker died after the send and before its mark landed: the row is still claimed, its lease ran out.
    Notification.objects.filter(pk=row.pk).update(
        status=N.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    sweep_unsent_notifications.apply()
    send_notification.apply(args=[other.pk])
    assert [m.to for m in mail.outbox] == [[row.email], [row.email], [other.email]]
    first, again, third = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == again != third
    assert first.startswith(f"<notification.{row.pk}.") and first.endswith("@mto.example.com>")


def _admin_connection():
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True)  # fmt: skip


class DroppingBackend(BaseEmailBackend):
    """The mail server takes the message; then PostgreSQL ends the sender's database connection (as a
    restart or failover would), so the mark-sent update meets a dead connection."""

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        with _admin_connection() as admin:  # waits up to 5 s for the backend to be gone
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [connection.connection.info.backend_pid])
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_mark_sent_survives_a_dropped_database_connection(postgres_only, settings, request):
    settings.EMAIL_BACKEND = "tests.mto.test_notifications.DroppingBackend"
    request.addfinalizer(connection.close)  # where the mark-sent gave up, leave no dead connection behind
    row = _email_row()
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    assert send_notification.apply(args=[row.pk]).get() == "sent"
    row.refresh_from_db()
    assert row.status == N.SENT and row.attempts == 1 and len(mail.outbox) == 1
    assert connection.connection.info.backend_pid != pid, "the connection should have been dropped and renewed"
    sweep_unsent_notifications.apply()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_it_once(postgres_only):
    """Both workers get as far as their claim before either claims: a read-then-claim would send twice."""
    row = _email_row()
    results, errors = [], []

    def worker():
        try:
            results.append(send_notification.apply(args=[row.pk]).get())
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    with _admin_connection() as holder, _admin_connection() as watcher:
        # Another transaction holds the row: both workers' claims queue behind it, having read what they read.
        holder.autocommit = False
        holder.execute("SELECT 1 FROM mto_notification WHERE id = %s FOR UPDATE", [row.pk])
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        deadline, waiting = time.monotonic() + 60, 0
        while waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
        holder.rollback()
    for thread in threads:
        thread.join(60)
    assert waiting == 2, "both workers should have been waiting on the row's lock"
    assert errors == []
    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=row.pk).attempts == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def test_a_dead_broker_adds_almost_nothing_to_a_request(office, manager, django_capture_on_commit_callbacks):
    """Ten e-mail rows from one approval with Redis down: the publish fails at once, the rest is not tried,
    and every row waits for the sweeper."""
    for n in range(9):
        UserFactory(username=f"lead-{n}", roles=["Shop floor"])
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, f"redis://127.0.0.1:{_closed_port()}/0"
    celery_app._pool = None
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            approved_order(office, manager)
        started = time.monotonic()
        for callback in callbacks:  # what the request runs after its commit
            callback()
        elapsed = time.monotonic() - started
    finally:
        conf.task_always_eager, conf.broker_url = saved
        celery_app._pool = None
    rows = Notification.objects.filter(channel="email")
    assert rows.count() >= 10 and set(rows.values_list("status", flat=True)) == {N.PENDING}
    assert elapsed < 0.5, f"publishing to a dead broker took {elapsed:.2f} s"
    # Once past the grace the sweeper sends each of them, once.
    rows.update(created_at=timezone.now() - datetime.timedelta(minutes=1))
    assert sweep_unsent_notifications.apply().get() == rows.count()
    assert set(rows.values_list("status", flat=True)) == {N.SENT} and len(mail.outbox) == rows.count()


def test_the_sweeper_sends_what_waited_past_the_grace_and_leaves_the_rest(db, settings):
    # Redis back at t: a row committed just before it goes out by t + sweep + grace, worker reconnect (at most
    # 5 s) included within 30 s; a send in progress is never reclaimed (lease beyond the task's hard limit).
    sweep = settings.CELERY_BEAT_SCHEDULE["sweep-unsent-notifications"]["schedule"]
    assert sweep + settings.NOTIFICATION_GRACE_SECONDS + 5 <= 30
    assert settings.NOTIFICATION_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT
    now = timezone.now()
    waited = _email_row(created_at=now - datetime.timedelta(seconds=20))
    fresh = _email_row()  # its own task is on its way
    claimed = _email_row(created_at=now - datetime.timedelta(seconds=20), status=N.SENDING, attempts=1,
                         claimed_at=now - datetime.timedelta(seconds=60))  # fmt: skip
    # Failed 20 s ago: its retry (30 s backoff) is still to come, the sweeper must not bring it forward.
    retrying = _email_row(created_at=now - datetime.timedelta(minutes=5), attempts=1,
                          claimed_at=now - datetime.timedelta(seconds=20))  # fmt: skip
    lost_retry = _email_row(created_at=now - datetime.timedelta(minutes=5), attempts=1,
                            claimed_at=now - datetime.timedelta(minutes=2))  # fmt: skip
    assert sweep_unsent_notifications.apply().get() == 2
    status = dict(Notification.objects.values_list("pk", "status"))
    assert status == {waited.pk: N.SENT, fresh.pk: N.PENDING, claimed.pk: N.SENDING, retrying.pk: N.PENDING,
                      lost_retry.pk: N.SENT}  # fmt: skip
    assert len(mail.outbox) == 2
