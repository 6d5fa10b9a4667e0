"""The floor defects of issue 21: each test here failed before its fix."""

from django.urls import reverse

from jobs.models import Job
from tests.scenarios import approved_order

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
