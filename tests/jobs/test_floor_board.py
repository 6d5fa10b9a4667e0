"""The floor board (issue 21, and #22's capped floor queue): what can be worked on at this work center now,
a page of it with counts of the rest, job search and traveler scans, elapsed time, managers read-only."""

import pytest
from django.urls import reverse

from jobs import services
from jobs.models import Job, Operation
from jobs.selectors import FLOOR_QUEUE_PAGE, floor_queue
from tests.scenarios import approved_order, page_queries

BOARD = reverse("jobs:floor-board")


def _jobs(office, manager, n, quantity=5):
    order = approved_order(office, manager, lines=n, quantity=quantity)
    return list(Job.objects.filter(sales_order=order).order_by("id"))


def _op(job, sequence):
    return Operation.objects.get(job=job, sequence=sequence)


def test_the_queue_keeps_what_can_be_worked_on_and_counts_what_is_coming(office, manager, lead):
    a, b, c, d = _jobs(office, manager, 4)
    cnc = _op(a, 20).work_center
    # a: op 10 passed a piece on, op 20 ready; b: op 20 running; c: op 10 not started; d: passed on, then held.
    services.operation_act(operation=_op(a, 10), action="start", by=lead)
    services.operation_report_pieces(operation=_op(a, 10), good=1, by=lead)
    for job in (b, d):
        services.operation_act(operation=_op(job, 10), action="start", by=lead)
        services.operation_report_pieces(operation=_op(job, 10), good=2, by=lead)
    services.operation_act(operation=_op(b, 20), action="start", by=lead)
    services.job_act(job=d, action="hold", by=lead, reason="Machine down")

    ready = floor_queue(work_center=cnc)
    assert {op.job_id for op in ready.operations} == {a.pk, b.pk}
    assert (ready.ready, ready.total, ready.coming, ready.more) == (2, 4, 2, 0)
    everything = floor_queue(work_center=cnc, show="all")
    assert {op.job_id for op in everything.operations} == {a.pk, b.pk, c.pk, d.pk}
    running = next(op for op in ready.operations if op.job_id == b.pk)
    assert running.running_since is not None
    assert [op.job_id for op in floor_queue(work_center=cnc, show="all", search=c.number[-5:]).operations] == [c.pk]


def test_material_not_in_is_coming_not_ready(office, manager, lead):
    (job,) = _jobs(office, manager, 1)
    first = _op(job, 10)
    services.operation_set_material_ready(operation=first, ready=False, by=manager)
    queue = floor_queue(work_center=first.work_center)
    assert (queue.operations, queue.ready, queue.coming) == ([], 0, 1)


def test_a_long_queue_is_worked_out_for_its_most_urgent_operations_only(office, manager, lead, monkeypatch):
    """Past FLOOR_COUNT_CAP open operations the page and its counts look at the most urgent ones only, and
    agree: a ready operation further down is not shown while the counts would not have counted it."""
    from jobs.selectors import jobs as job_selectors

    a, b, c, d = _jobs(office, manager, 4)  # one order: the same due date and priority, so by job
    cnc = _op(a, 20).work_center
    for job in (b, d):  # op 20 of b and d ready; of a and c waiting for op 10
        services.operation_act(operation=_op(job, 10), action="start", by=lead)
        services.operation_report_pieces(operation=_op(job, 10), good=1, by=lead)
    monkeypatch.setattr(job_selectors, "FLOOR_COUNT_CAP", 3)
    queue = floor_queue(work_center=cnc)
    assert [op.job_id for op in queue.operations] == [b.pk]  # d is fourth: past the cap
    assert (queue.ready, queue.total, queue.capped) == (1, 3, True)
    monkeypatch.setattr(job_selectors, "FLOOR_COUNT_CAP", 4)
    queue = floor_queue(work_center=cnc)
    assert [op.job_id for op in queue.operations] == [b.pk, d.pk] and (queue.ready, queue.total) == (2, 4)


def test_the_board_draws_a_page_in_fixed_queries_with_the_counts(client, office, manager, lead):
    _jobs(office, manager, 3)
    client.force_login(lead)
    client.get(BOARD, {"wc": "SAW"})
    small = {show: page_queries(client, f"{BOARD}?show={show}") for show in ("ready", "all")}
    _jobs(office, manager, FLOOR_QUEUE_PAGE + 6)
    large = {show: page_queries(client, f"{BOARD}?show={show}") for show in ("ready", "all")}
    assert small == large
    html = client.get(BOARD).content.decode()
    total = FLOOR_QUEUE_PAGE + 9
    assert f"Ready now ({total})" in html and f"{FLOOR_QUEUE_PAGE} shown in schedule order, 9 more after these" in html
    assert html.count('class="card queue-card') == FLOOR_QUEUE_PAGE


def test_a_running_operation_shows_how_long_it_runs_and_a_two_tap_finish(client, office, manager, lead):
    (job,) = _jobs(office, manager, 1)
    first = _op(job, 10)
    services.operation_act(operation=first, action="start", by=lead)
    client.force_login(lead)
    html = client.get(BOARD, {"wc": "SAW"}).content.decode()
    assert "Running for 0\xa0minutes" in html
    assert f'href="{job.get_floor_url()}#op{first.pk}-finish"' in html


@pytest.mark.parametrize("scan", ["number", "number-lower", "traveler-qr"])
def test_a_scanned_traveler_or_typed_job_number_opens_the_job(client, office, manager, lead, scan):
    (job,) = _jobs(office, manager, 1)
    typed = {"number": job.number, "number-lower": f"  {job.number.lower()} ",
             "traveler-qr": f"http://tablet.example{job.get_floor_url()}"}[scan]  # fmt: skip
    client.force_login(lead)
    answer = client.get(BOARD, {"q": typed})
    assert answer.status_code == 302 and answer["Location"] == job.get_floor_url()


def test_a_search_that_names_no_job_filters_the_queue(client, office, manager, lead):
    a, b = _jobs(office, manager, 2)
    client.force_login(lead)
    client.get(BOARD, {"wc": "SAW"})
    page = client.get(BOARD, {"q": b.number[-3:]})  # "-02": its line, not a's
    assert page.status_code == 200
    assert [op.job_id for op in page.context["queue"].operations] == [b.pk]
    elsewhere = client.get(BOARD, {"q": "http://elsewhere.example/x"})  # a QR that is no traveler of ours
    assert elsewhere.status_code == 200 and "No job here matches" in elsewhere.content.decode()


def test_managers_see_the_board_read_only(client, office, manager, lead):
    (job,) = _jobs(office, manager, 1)
    services.operation_act(operation=_op(job, 10), action="start", by=lead)
    client.force_login(manager)
    page = client.get(BOARD, {"wc": "SAW"})
    html = page.content.decode()
    assert page.status_code == 200 and "read-only" in html
    assert f'href="{job.get_absolute_url()}"' in html and job.get_floor_url() not in html
    assert "Finish op" not in html
    assert client.get(BOARD, {"q": job.number})["Location"] == job.get_absolute_url()
    assert client.get(job.get_floor_url()).status_code == 403  # the job screen is the floor's
