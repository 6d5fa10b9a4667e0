"""Planning pages: what the Manager sees (status, Plan now, Gantt, load, projections on job and order pages,
the home widget), each in a fixed number of queries however big the schedule."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from planning.models import PlannedJob, ScheduleRun
from planning.services import schedule_now
from tests.scenarios import approved_order, client_for, page_queries

pytestmark = pytest.mark.django_db


def _grow(office, manager, orders):
    made = [approved_order(office, manager, lines=2) for _ in range(orders)]
    return made


def _urls(order, job):
    return [
        reverse("planning:schedule"), reverse("planning:progress"), reverse("planning:gantt"),
        reverse("planning:gantt") + "?work_center=CNC&days=60", reverse("planning:load"),
        reverse("planning:order-gantt", args=[order.pk]), reverse("jobs:job-detail", args=[job.pk]),
        reverse("sales:order-detail", args=[order.pk]), reverse("home"),
    ]  # fmt: skip


def test_pages_without_a_schedule(client, manager, office, lead):
    order = approved_order(office, manager)
    job = Job.objects.get(sales_order=order)
    client.force_login(manager)
    for url in _urls(order, job):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("planning:schedule"))
    assert b"No schedule yet" in page.content and b"Plan now" in page.content


def test_query_counts_do_not_grow_with_the_schedule(client, manager, office):
    first = _grow(office, manager, 1)[0]
    job = Job.objects.filter(sales_order=first).first()
    schedule_now(by=manager, seconds=1)
    client.force_login(manager)
    small = {url: page_queries(client, url) for url in _urls(first, job)}
    _grow(office, manager, 6)
    # A longer history of runs, and a bigger schedule.
    for _ in range(3):
        schedule_now(by=manager, seconds=1)
    large = {url: page_queries(client, url) for url in _urls(first, job)}
    assert small == large


def test_plan_now_makes_a_schedule_shown_everywhere(client, manager, office, django_capture_on_commit_callbacks):
    order = approved_order(office, manager, lines=2)
    jobs = list(Job.objects.filter(sales_order=order).order_by("id"))
    Job.objects.filter(pk=jobs[1].pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):  # the test run's Celery is eager: the run is done
        response = client.post(reverse("planning:run"))
    assert response.status_code == 302
    run = ScheduleRun.objects.get()
    assert (run.status, run.trigger, run.requested_by) == ("done", "on_demand", manager)
    assert run.late_jobs == 1
    page = client.get(reverse("planning:schedule"))
    assert page.context["current"] == run and page.context["late_count"] == 1
    assert jobs[1].number.encode() in page.content
    gantt = client.get(reverse("planning:gantt")).content.decode()
    assert gantt.count("<rect") == 6 and jobs[0].number in gantt and "#dc3545" in gantt  # the late one in red
    job_page = client.get(reverse("jobs:job-detail", args=[jobs[1].pk])).content.decode()
    assert 'data-flag="late"' in job_page and 'data-figure="job-finish"' in job_page
    order_page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    finish = PlannedJob.objects.filter(run=run).order_by("-finish").first().finish
    assert f'data-figure="order-finish">{timezone.localtime(finish):%Y-%m-%d %H:%M}' in order_page
    home = client.get(reverse("home")).content.decode()
    assert 'data-figure="plan-late">1<' in home
    load = client.get(reverse("planning:load")).content.decode()
    assert "Planned hours and capacity of CNC per week" in load


def test_the_floor_and_office_do_not_see_the_manager_s_planning(client, manager, office, lead):
    order = approved_order(office, manager)
    schedule_now(by=manager, seconds=1)
    job = Job.objects.get(sales_order=order)
    for user in (office, lead):
        client.force_login(user)
        assert client.get(reverse("planning:schedule")).status_code == 403
        assert client.post(reverse("planning:run")).status_code == 403
        assert b"plan-job-h" not in client.get(reverse("jobs:job-detail", args=[job.pk])).content
        assert b"plan-late" not in client.get(reverse("home")).content
    assert ScheduleRun.objects.count() == 1


def test_the_progress_fragment_polls_while_a_run_is_on(client, manager):
    ScheduleRun.objects.create(trigger="on_demand", requested_at=timezone.now(), status="running",
                               started_at=timezone.now(), progress=20, stage="Solving (up to 2 s)")  # fmt: skip
    client.force_login(manager)
    fragment = client.get(reverse("planning:progress")).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Solving" in fragment and 'role="progressbar"' in fragment


def test_api_status_run_and_projections(manager, office, lead, django_capture_on_commit_callbacks):
    order = approved_order(office, manager, lines=2)
    job = Job.objects.filter(sales_order=order).first()
    api = client_for(manager)
    assert api.get("/api/v1/schedule/").json() == {"current": None, "latest": None}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/schedule/run/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    status = api.get("/api/v1/schedule/").json()
    assert status["current"]["status"] == "done" and status["current"]["id"] == response.json()["id"]
    projection = api.get(f"/api/v1/schedule/jobs/{job.pk}/").json()
    finish = PlannedJob.objects.get(job=job).finish
    assert projection["planned"] and projection["number"] == job.number
    assert datetime.datetime.fromisoformat(projection["finish"]) == finish
    of_order = api.get(f"/api/v1/schedule/orders/{order.pk}/").json()
    assert [j["number"] for j in of_order["jobs"]] == list(
        Job.objects.filter(sales_order=order).order_by("id").values_list("number", flat=True)
    )
    assert api.get("/api/v1/schedule/jobs/999999/").status_code == 404
    assert client_for(office).post("/api/v1/schedule/run/").status_code == 403
    assert client_for(lead).get(f"/api/v1/schedule/jobs/{job.pk}/").status_code == 403
    assert client_for(None).get("/api/v1/schedule/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_plan_now_says_the_schedule_is_ready_when_it_was_made_at_once(client, manager, office):
    """Without a broker the run is made as the request commits: the page says it is ready, not on its way."""
    approved_order(office, manager)
    client.force_login(manager)
    page = client.post(reverse("planning:run"), follow=True).content.decode()
    assert ScheduleRun.objects.get().status == "done"
    assert "The new schedule is ready." in page and "on its way" not in page
