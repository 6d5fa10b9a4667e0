"""The floor defects of issue 21: each test here failed before its fix."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import Job, Operation
from mto.models import Notification
from tests.scenarios import approved_order, client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def _job(office, manager, **kwargs) -> Job:
    return Job.objects.filter(sales_order=approved_order(office, manager, **kwargs)).get()


def _ops(job):
    return list(job.operations.order_by("sequence"))


def _post(client, op, action, data=None):
    return client.post(reverse("jobs:floor-operation", args=[op.pk, action]), data or {}, **HTMX)


# --- 6. messages read as people speak ------------------------------------------------------------------


def test_floor_messages_read_as_people_speak(client, office, manager, lead):
    job = _job(office, manager, quantity=4)
    first, second = _ops(job)[:2]
    client.force_login(lead)
    assert f"Started op 10 on {job.number}." in _post(client, first, "start").content.decode()
    answer = _post(client, first, "report", {f"op{first.pk}-good": "3", f"op{first.pk}-scrap": "1",
                                             f"op{first.pk}-scrap_reason": "Setup piece"})  # fmt: skip
    assert f"Reported 3 good, 1 scrap on op 10 of {job.number}." in answer.content.decode()
    assert f"Paused op 10 on {job.number}." in _post(client, first, "pause").content.decode()
    assert f"Resumed op 10 on {job.number}." in _post(client, first, "resume").content.decode()
    assert f"Finished op 10 on {job.number}." in _post(client, first, "finish").content.decode()
    assert "done." not in _post(client, second, "start").content.decode()


def test_job_moves_read_as_people_speak(client, office, manager):
    job = _job(office, manager)
    client.force_login(manager)
    client.post(reverse("jobs:job-action", args=[job.pk, "hold"]), {"reason": "Machine down"})
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"Put {job.number} on hold." in page and "done." not in page


# --- 1. finish short: confirm, report the rest in one tap, reopen with history -------------------------


def test_a_short_finish_needs_confirming(office, manager, lead):
    job = _job(office, manager, quantity=10)
    op = _ops(job)[0]
    services.operation_act(operation=op, action="start", by=lead)
    services.operation_report_pieces(operation=op, good=3, by=lead)
    with pytest.raises(ValidationError) as refused:
        services.operation_act(operation=op, action="finish", by=lead)
    assert "7 pieces on op 10 are not reported" in " ".join(refused.value.messages)
    op.refresh_from_db()
    assert op.status == Operation.Status.RUNNING
    services.operation_act(operation=op, action="finish", by=lead, short=True)
    op.refresh_from_db()
    assert op.status == Operation.Status.DONE and op.good_qty == 3
    # All pieces accounted for (good or scrap): no confirmation needed.
    second = _ops(job)[1]
    services.operation_act(operation=second, action="start", by=lead)
    services.operation_report_pieces(operation=second, good=2, scrap=1, scrap_reason="Setup piece", by=lead)
    services.operation_act(operation=second, action="finish", by=lead)


def test_report_the_rest_and_finish_in_one_call(office, manager, lead):
    job = _job(office, manager, quantity=10)
    op = _ops(job)[0]
    services.operation_act(operation=op, action="start", by=lead)
    services.operation_report_pieces(operation=op, good=3, scrap=1, scrap_reason="Setup piece", by=lead)
    with pytest.raises(ValidationError):  # stale: nothing reported, nothing finished
        services.operation_report_rest_and_finish(operation=op, by=lead, expected_version=1)
    op.refresh_from_db()
    assert (op.good_qty, op.status) == (3, Operation.Status.RUNNING)
    services.operation_report_rest_and_finish(operation=op, by=lead, expected_version=op.version)
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty, op.status) == (9, 1, Operation.Status.DONE)
    assert sum(e.good_qty for e in op.time_entries.all()) == 9


def test_the_floor_confirms_a_short_finish_and_offers_the_rest(client, office, manager, lead):
    job = _job(office, manager, quantity=10)
    op = _ops(job)[0]
    client.force_login(lead)
    _post(client, op, "start")
    page = client.get(job.get_floor_url()).content.decode()
    assert "Report the remaining 10 and finish" in page and "Finish with 10 not reported" in page
    refused = _post(client, op, "finish")
    assert refused["X-Action-Status"] == "400" and "10 pieces on op 10 are not reported" in refused.content.decode()
    op.refresh_from_db()
    assert op.status == Operation.Status.RUNNING
    done = _post(client, op, "finish-rest", {"version": op.version})
    assert f"Reported 10 good and finished op 10 on {job.number}." in done.content.decode()
    op.refresh_from_db()
    assert (op.good_qty, op.status) == (10, Operation.Status.DONE)


def test_reopen_a_finished_operation(office, manager, lead, settings):
    settings.OPERATION_REOPEN_MINUTES = 10
    job = _job(office, manager, quantity=10)
    first, second = _ops(job)[:2]
    services.operation_act(operation=first, action="start", by=lead)
    services.operation_act(operation=first, action="finish", by=lead, short=True)  # the mis-tap: 0 reported
    services.operation_act(operation=second, action="start", by=lead)
    with pytest.raises(ValidationError):  # why is required
        services.operation_act(operation=first, action="reopen", by=lead)
    services.operation_act(operation=first, action="reopen", by=lead, reason="Tapped Finish by mistake")
    first.refresh_from_db()
    assert first.status == Operation.Status.PAUSED and first.finished_at is None
    row = first.status_changes.order_by("-changed_at", "-id").first()
    assert (row.from_status, row.to_status, row.changed_by, row.reason) == (
        "done",
        "paused",
        lead,
        "Tapped Finish by mistake",
    )
    services.operation_report_pieces(operation=first, good=6, by=lead)
    # The next operation reports no more than the reopened one passed on.
    with pytest.raises(ValidationError):
        services.operation_report_pieces(operation=second, good=7, by=lead)
    services.operation_report_pieces(operation=second, good=6, by=lead)
    job.refresh_from_db()
    assert job.status == Job.Status.IN_PROGRESS
    # Long after: a lead may no longer, a manager may.
    services.operation_act(operation=first, action="finish", by=lead, short=True)
    Operation.objects.filter(pk=first.pk).update(finished_at=timezone.now() - timedelta(minutes=11))
    with pytest.raises(ValidationError) as late:
        services.operation_act(operation=first, action="reopen", by=lead, reason="More pieces")
    assert "ask a manager" in " ".join(late.value.messages)
    services.operation_act(operation=first, action="reopen", by=manager, reason="More pieces")
    first.refresh_from_db()
    assert first.status == Operation.Status.PAUSED


def test_no_reopen_past_a_later_finished_operation_or_on_a_complete_job(office, manager, lead):
    job = _job(office, manager, quantity=2)
    ops = _ops(job)
    for op in ops:
        services.operation_act(operation=op, action="start", by=lead)
        services.operation_report_rest_and_finish(operation=op, by=lead)
        if op is ops[1]:
            with pytest.raises(ValidationError) as later:
                services.operation_act(operation=ops[0], action="reopen", by=manager, reason="x")
            assert "op 20" in " ".join(later.value.messages)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETE
    with pytest.raises(ValidationError):
        services.operation_act(operation=ops[-1], action="reopen", by=manager, reason="x")


def test_a_manager_reopens_from_the_job_page(client, office, manager, lead):
    job = _job(office, manager, quantity=10)
    op = _ops(job)[0]
    services.operation_act(operation=op, action="start", by=lead)
    services.operation_act(operation=op, action="finish", by=lead, short=True)
    client.force_login(manager)
    page = client.get(job.get_absolute_url()).content.decode()
    url = reverse("jobs:operation-reopen", args=[op.pk])
    assert url in page
    client.post(url, {"reason": ""})
    op.refresh_from_db()
    assert op.status == Operation.Status.DONE
    answer = client.post(url, {"reason": "Pieces were not counted"}, follow=True)
    op.refresh_from_db()
    assert op.status == Operation.Status.PAUSED
    assert f"Reopened op 10 on {job.number}." in answer.content.decode()
    assert "Pieces were not counted" in answer.content.decode()  # the history shows why


def test_the_api_confirms_short_finishes_and_reopens(office, manager, lead):
    job = _job(office, manager, quantity=4)
    op = _ops(job)[0]
    url = f"/api/v1/operations/{op.pk}/"
    floor = client_for(lead)
    floor.post(url + "start/", {}, format="json")
    refused = floor.post(url + "finish/", {}, format="json")
    assert refused.status_code == 400 and "not reported yet" in str(refused.json())
    assert floor.post(url + "finish/", {"short": True}, format="json").status_code == 200
    assert client_for(manager).post(url + "reopen/", {"reason": ""}, format="json").status_code == 400
    reopened = client_for(manager).post(url + "reopen/", {"reason": "Count was wrong"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "paused"


# --- 2. a refused piece report keeps what was typed and marks the field ---------------------------------


def test_a_refused_report_keeps_the_values_and_marks_the_reason(client, office, manager, lead):
    job = _job(office, manager, quantity=10)
    op = _ops(job)[0]
    client.force_login(lead)
    _post(client, op, "start")
    html = _post(client, op, "report", {f"op{op.pk}-good": "4", f"op{op.pk}-scrap": "2"}).content.decode()
    good = re.search(rf'<input[^>]*name="op{op.pk}-good"[^>]*>', html).group(0)
    scrap = re.search(rf'<input[^>]*name="op{op.pk}-scrap"[^>]*>', html).group(0)
    reason = re.search(rf'<select[^>]*name="op{op.pk}-scrap_reason"[^>]*>', html).group(0)
    assert 'value="4"' in good and 'value="2"' in scrap
    assert "is-invalid" in reason and 'aria-invalid="true"' in reason and "required" in reason
    described = re.search(r'aria-describedby="([^"]+)"', reason).group(1)
    assert re.search(rf'id="{described}"[^>]*>Pick the reason for the scrap', html)
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty) == (0, 0)
    # Too many pieces (the service refuses): the typed values stay too.
    html = _post(client, op, "report", {f"op{op.pk}-good": "11", f"op{op.pk}-scrap": "0"}).content.decode()
    assert 'value="11"' in re.search(rf'<input[^>]*name="op{op.pk}-good"[^>]*>', html).group(0)
    # Reported: the form starts again from 0, and the reason is not required while scrap is 0.
    html = _post(client, op, "report", {f"op{op.pk}-good": "3", f"op{op.pk}-scrap": "0"}).content.decode()
    assert 'value="0"' in re.search(rf'<input[^>]*name="op{op.pk}-good"[^>]*>', html).group(0)
    assert "required" not in re.search(rf'<select[^>]*name="op{op.pk}-scrap_reason"[^>]*>', html).group(0)


# --- 5. a job that completes short raises a flag and tells the office -----------------------------------


def _complete(job, lead, good_last):
    ops = _ops(job)
    for op in ops:
        services.operation_act(operation=op, action="start", by=lead)
        services.operation_report_pieces(operation=op, good=good_last if op is ops[-1] else job.quantity, by=lead)
        services.operation_act(operation=op, action="finish", by=lead, short=True)
    job.refresh_from_db()
    return job


def test_a_job_completed_short_is_flagged_and_the_office_hears_once(client, office, manager, lead):
    short = _complete(_job(office, manager, quantity=25), lead, 23)
    full = _complete(_job(office, manager, quantity=5), lead, 5)
    assert short.status == full.status == Job.Status.COMPLETE
    sent = Notification.objects.filter(kind="job_completed_short")
    assert set(sent.values_list("recipient", flat=True)) == {office.pk}
    assert sent.filter(channel=Notification.Channel.IN_APP).count() == 1
    assert f"{short.number} completed short: 23 of 25" in sent.first().subject
    with pytest.raises(ValidationError):  # finishing again changes nothing, tells nobody again
        services.operation_act(operation=_ops(short)[-1], action="finish", by=lead, short=True)
    assert Notification.objects.filter(kind="job_completed_short").filter(channel="in_app").count() == 1
    client.force_login(manager)
    job_page = client.get(short.get_absolute_url()).content.decode()
    assert "Short 23 of 25" in job_page
    assert "Short" not in client.get(full.get_absolute_url()).content.decode().split("<main", 1)[-1]
    order_page = client.get(short.sales_order.get_absolute_url()).content.decode()
    assert "Short 23 of 25" in order_page
    home = client.get(reverse("home"))
    widget = next(w for w in home.context["widgets"] if "Short jobs" in w)
    assert short.number in widget and full.number not in widget
    client.force_login(lead)
    assert "Short 23 of 25" in client.get(short.get_floor_url()).content.decode()
