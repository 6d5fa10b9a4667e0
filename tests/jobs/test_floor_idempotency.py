"""The floor's actions sent twice act once (issue 21): the tablet's offline queue sends each tap with an
Idempotency-Key and may send it again when the first answer was lost with the network."""

import threading
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from jobs.models import Job, JobNote, ScrapRecord, TimeEntry
from tests.scenarios import approved_order, is_postgres

HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, url, data, key):
    return client.post(url, data, HTTP_IDEMPOTENCY_KEY=key, **HTMX)


@pytest.fixture
def job(office, manager):
    return Job.objects.filter(sales_order=approved_order(office, manager, quantity=5)).get()


def test_a_start_sent_twice_starts_once_and_the_twin_is_not_refused_as_stale(client, lead, job):
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    url = reverse("jobs:floor-operation", args=[op.pk, "start"])
    first = _post(client, url, {"version": op.version}, "k-start")
    twin = _post(client, url, {"version": op.version}, "k-start")
    assert (first["X-Action-Status"], twin["X-Action-Status"]) == ("200", "200")
    assert unquote(twin["X-Action-Message"]).startswith(f"Started op 10 on {job.number}.")
    assert "done once" in unquote(twin["X-Action-Message"])
    assert TimeEntry.objects.filter(operation=op).count() == 1
    op.refresh_from_db()
    assert first["X-Operation-Version"] == twin["X-Operation-Version"] == str(op.version)
    # Another key is another tap: now refused, the operation changed since the version it names.
    other = _post(client, url, {"version": op.version - 1}, "k-other")
    assert other["X-Action-Status"] == "409" and "changed" in unquote(other["X-Action-Message"])


def test_a_piece_report_sent_twice_counts_once(client, lead, job):
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    _post(client, reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, "k1")
    op.refresh_from_db()
    data = {f"op{op.pk}-good": "2", f"op{op.pk}-scrap": "1", f"op{op.pk}-scrap_reason": "Setup piece",
            f"op{op.pk}-version": op.version}  # fmt: skip
    url = reverse("jobs:floor-operation", args=[op.pk, "report"])
    answers = [_post(client, url, data, "k-report")["X-Action-Status"] for _ in range(3)]
    op.refresh_from_db()
    assert answers == ["200", "200", "200"]
    assert (op.good_qty, op.scrap_qty, ScrapRecord.objects.filter(operation=op).count()) == (2, 1, 1)


def test_a_refused_action_keeps_no_key_so_the_same_tap_is_tried_again(client, lead, job):
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    url = reverse("jobs:floor-operation", args=[op.pk, "report"])
    refused = _post(client, url, {f"op{op.pk}-good": "1", f"op{op.pk}-scrap": "0"}, "k-early")  # not started yet
    assert refused["X-Action-Status"] == "400"
    _post(client, reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, "k-go")
    again = _post(client, url, {f"op{op.pk}-good": "1", f"op{op.pk}-scrap": "0"}, "k-early")
    op.refresh_from_db()
    assert again["X-Action-Status"] == "200" and op.good_qty == 1


def test_notes_and_holds_sent_twice_act_once_and_two_keys_make_two_notes(client, lead, job):
    client.force_login(lead)
    note = reverse("jobs:floor-note", args=[job.pk])
    # The same form token (a screen the offline tablet could not redraw): the keys tell the two notes apart.
    for key in ("n1", "n1", "n2"):
        answer = _post(client, note, {"text": f"note {key}", "submit_token": "same-token"}, key)
        assert answer["X-Action-Status"] == "200"
    assert sorted(JobNote.objects.filter(job=job).values_list("text", flat=True)) == ["note n1", "note n2"]
    hold = reverse("jobs:job-action", args=[job.pk, "hold"])
    data = {"reason": "Machine down", "detail": "", "next": job.get_floor_url()}
    answers = [_post(client, hold, data, "h1")["X-Action-Status"] for _ in range(2)]
    job.refresh_from_db()
    assert answers == ["200", "200"] and job.status == "on_hold"
    assert job.status_changes.filter(to_status="on_hold").count() == 1
    refused = _post(client, hold, data, "h2")  # a new tap: the job is on hold already
    assert refused["X-Action-Status"] in ("400", "409")


@pytest.mark.django_db(transaction=True)
def test_two_replays_of_one_report_at_the_same_moment_count_once(office, manager, lead):
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL): two requests in two transactions at once")
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=5)).get()
    op = job.operations.order_by("sequence").first()
    starter = Client()
    starter.force_login(lead)
    _post(starter, reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, "s")
    url = reverse("jobs:floor-operation", args=[op.pk, "report"])
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            twin = Client()
            twin.force_login(lead)
            barrier.wait(timeout=30)
            data = {f"op{op.pk}-good": "3", f"op{op.pk}-scrap": "0"}
            answers.append(_post(twin, url, data, "same-tap")["X-Action-Status"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    op.refresh_from_db()
    assert answers == ["200", "200"] and op.good_qty == 3
