"""Concurrency on PostgreSQL with real threads and separate connections, released together by a barrier.

Each test was run once by hand against a build without its lock and failed there (see each docstring).
"""

import logging
import threading
from datetime import timedelta

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs import services as job_services
from jobs.models import Job, Operation
from sales import services as sales_services
from tests.factories import SalesOrderFactory, UserFactory
from tests.scenarios import approved_order, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_simultaneous_api_approvals_make_one_set_of_jobs(postgres_only):
    """One 200, nineteen 409 with a reason, no 500, one set of jobs.

    Without select_for_update in sales_order_transition this failed: most of the twenty approvals passed the
    status check and answered 200, each writing its own "approved" history row.
    """
    office = UserFactory(username="c-office", roles=["Office"])
    managers = [UserFactory(username=f"c-m{n}", roles=["Manager"]) for n in range(20)]
    order = sales_services.sales_order_submit(order=SalesOrderFactory(created_by=office, lines=3), by=office)
    tokens = [Token.objects.create(user=m).key for m in managers]

    def approve(token):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(f"/api/v1/sales-orders/{order.pk}/approve/")
        return response.status_code, response.json().get("detail", "")

    results = run_together(approve, [(t,) for t in tokens])
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 19, results
    assert all("already approved" in detail for status, detail in results if status == 409)
    assert Job.objects.filter(sales_order=order).count() == 3


def test_ten_tablets_times_one_hundred_piece_reports(postgres_only):
    """The stored total is exactly the sum reported.

    Without the row locks in jobs.services.operations._lock_operation this lost updates (e.g. 14 of 80 stored).
    """
    office = UserFactory(username="p-office", roles=["Office"])
    manager = UserFactory(username="p-manager", roles=["Manager"])
    leads = [UserFactory(username=f"p-lead{n}", roles=["Shop floor"]) for n in range(10)]
    order = approved_order(office, manager, quantity=2000)
    op = Job.objects.get(sales_order=order).operations.order_by("sequence").first()
    job_services.operation_act(operation=op, action="start", by=leads[0])

    def report(lead):
        for _ in range(100):
            job_services.operation_report_pieces(operation=op, good=1, scrap=0, by=lead)
        return "ok"

    assert run_together(report, [(lead,) for lead in leads]) == ["ok"] * 10
    assert Operation.objects.get(pk=op.pk).good_qty == 1000


def test_change_approved_while_a_lead_reports_pieces_on_the_same_job(postgres_only):
    """A lowered quantity and piece reports on the job's last operation: no lost update, never over-made.

    The approval locks order, lines, jobs and operations; a report locks the job and its operations. The
    approval lands between two reports: reports before it count, reports after it stop at the new quantity.
    Without the cap on the job's quantity in jobs.services.operations._pieces_available this failed
    (60 made, 50 ordered).
    """
    office = UserFactory(username="co-office", roles=["Office"])
    manager = UserFactory(username="co-manager", roles=["Manager"])
    lead = UserFactory(username="co-lead", roles=["Shop floor"])
    order = approved_order(office, manager, quantity=100)
    line = order.lines.get()
    job = Job.objects.get(sales_order=order)
    saw, cnc, insp = job.operations.order_by("sequence")
    for op in (saw, cnc, insp):
        job_services.operation_act(operation=op, action="start", by=lead)
        if op != insp:
            job_services.operation_report_pieces(operation=op, good=60, by=lead)
    change = sales_services.change_request_open(order=order, by=office)
    sales_services.change_item_add(change_request=change, kind="quantity", line=line, quantity=50,
                                   reason="Customer needs fewer", by=office)  # fmt: skip
    sales_services.change_request_submit(change_request=change, by=office)
    twenty_reported = threading.Event()

    def report():
        accepted, refused = 0, []
        for n in range(60):
            if n == 20:
                twenty_reported.set()
            try:
                job_services.operation_report_pieces(operation=insp, good=1, by=lead)
                accepted += 1
            except Exception as exc:  # noqa: BLE001 - the refusals are the point
                refused.append(str(exc))
        return accepted, refused

    def approve():
        twenty_reported.wait(timeout=30)
        try:
            sales_services.change_request_approve(change_request=change, by=manager)
            return "approved"
        except Exception as exc:  # noqa: BLE001
            return repr(exc)

    (accepted, refused), outcome = run_together(lambda f: f(), [(report,), (approve,)])
    job.refresh_from_db()
    insp.refresh_from_db()
    line.refresh_from_db()
    assert insp.good_qty == job.quantity_completed == accepted  # every accepted report stored, none lost
    assert job.quantity >= job.quantity_completed
    if outcome == "approved":
        assert (line.quantity, job.quantity, accepted, len(refused)) == (50, 50, 50, 10)
        assert all("Only 0 more piece(s) can come off operation" in message for message in refused)
    else:  # the reports outran the approval: it is refused, nothing of it applied
        assert "already produced" in outcome and (line.quantity, job.quantity) == (100, 100)


class _RetryLog(logging.Handler):
    """Collects mto.db's "retrying ... after <error>" warnings from every thread."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_change_approval_and_floor_moves_on_the_same_order_never_deadlock(postgres_only):
    """Twenty rounds of a change approval racing operation starts and piece reports on the order's jobs.

    The approval locks order, lines, jobs, operations. Before the floor services took the order first, a
    start locked the job and its operations and then the order (putting it in production): the opposite
    order. Run against that build this test failed: PostgreSQL reported deadlocks (retried by
    atomic_with_retry, seen in its warnings) in most rounds.
    """
    office = UserFactory(username="dl-office", roles=["Office"])
    manager = UserFactory(username="dl-manager", roles=["Manager"])
    leads = [UserFactory(username=f"dl-lead{n}", roles=["Shop floor"]) for n in range(3)]
    retries = _RetryLog()
    db_log = logging.getLogger("mto.db")
    db_log.addHandler(retries)
    try:
        for round_no in range(20):
            order = approved_order(office, manager, lines=3, quantity=50)
            lines = list(order.lines.order_by("line_no"))
            firsts = [Job.objects.get(sales_order_line=line).operations.order_by("sequence").first() for line in lines]
            # Line 1's job is running (pieces are reported on it); lines 2 and 3 are released, not started.
            job_services.operation_act(operation=firsts[0], action="start", by=leads[0])
            change = sales_services.change_request_open(order=order, by=office)
            for line in lines:
                sales_services.change_item_add(change_request=change, kind="due_date", line=line,
                                               date=line.due_date + timedelta(days=7), reason="Customer asked",
                                               by=office)  # fmt: skip
            sales_services.change_request_submit(change_request=change, by=office)

            def approve(change=change):
                sales_services.change_request_approve(change_request=change, by=manager)
                return "approved"

            def report(op, lead):
                for _ in range(5):
                    job_services.operation_report_pieces(operation=op, good=1, by=lead)
                return "reported"

            def start(op, lead):
                job_services.operation_act(operation=op, action="start", by=lead)
                return "started"

            results = run_together(
                lambda f, *args: f(*args),
                [(approve,), (report, firsts[0], leads[0]), *[(start, firsts[n], leads[n]) for n in (1, 2)]],
            )
            assert results == ["approved", "reported", "started", "started"], (round_no, results)
            assert not retries.messages, (round_no, retries.messages)
            order.refresh_from_db()
            assert (order.status, order.revision) == ("in_production", 1)
    finally:
        db_log.removeHandler(retries)
