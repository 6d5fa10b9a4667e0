import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import Job, Operation
from jobs.selectors import FLOOR_QUEUE_PAGE
from tests.scenarios import approved_order, page_queries


def _grow(office, manager, total_jobs):
    while Job.objects.count() < total_jobs:
        approved_order(office, manager, lines=5)


def test_board_and_list_query_counts_do_not_grow(client, office, manager, lead):
    _grow(office, manager, 5)
    client.force_login(lead)
    client.get(reverse("jobs:floor-board"), {"wc": "SAW"})
    board_small = page_queries(client, reverse("jobs:floor-board"))
    client.force_login(office)
    list_small = page_queries(client, reverse("jobs:job-list"))
    _grow(office, manager, 50)
    list_large = page_queries(client, reverse("jobs:job-list"))
    client.force_login(lead)
    client.get(reverse("jobs:floor-board"), {"wc": "SAW"})
    board_large = page_queries(client, reverse("jobs:floor-board"))
    assert board_small == board_large
    assert list_small == list_large
    page = client.get(reverse("jobs:floor-board"))
    queue = page.context["queue"]  # a page of what is ready, with the count of the rest
    assert (len(queue.operations), queue.ready, queue.more) == (FLOOR_QUEUE_PAGE, 50, 50 - FLOOR_QUEUE_PAGE)


def test_job_detail_query_count_does_not_grow_with_operations(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    client.force_login(office)
    url = job.get_absolute_url()
    before = page_queries(client, url)
    from jobs import services
    from tests.jobs.factories import WorkCenterFactory

    for _ in range(10):
        services.operation_add(
            job=job, work_center=WorkCenterFactory(code="ASSY"), description="x", setup_hours=1,
            run_hours_per_piece=0, by=manager,
        )  # fmt: skip
    assert page_queries(client, url) == before


def test_lead_runs_an_operation_from_the_tablet(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager, quantity=4)).get()
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    htmx = {"HTTP_HX_REQUEST": "true"}
    started = client.post(reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, **htmx)
    assert started.status_code == 200 and "Pause" in started.content.decode()
    stale = client.post(reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, **htmx)
    assert "reload" in stale.content.decode() and stale["X-Action-Status"] == "409"
    bad = client.post(reverse("jobs:floor-operation", args=[op.pk, "report"]), {f"op{op.pk}-good": "abc"}, **htmx)
    assert "Enter a whole number" in bad.content.decode()
    reported = client.post(
        reverse("jobs:floor-operation", args=[op.pk, "report"]),
        {f"op{op.pk}-good": "3", f"op{op.pk}-scrap": "1", f"op{op.pk}-scrap_reason": "Setup piece"},
        **htmx,
    )
    assert "Reported 3 good, 1 scrap on op 10" in reported.content.decode()
    op.refresh_from_db()
    assert (op.good_qty, op.scrap_qty, op.status) == (3, 1, Operation.Status.RUNNING)


def test_probe_answers_refresh_only_after_a_change(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    client.force_login(lead)
    page = client.get(job.get_floor_url())
    token = page.context["job"].token
    with CaptureQueriesContext(connection) as ctx:
        assert "HX-Trigger" not in client.get(job.get_floor_url(), {"probe": token})
    assert len(ctx.captured_queries) == 3  # the session, the user, the token (every 4 s from every tablet)
    op = job.operations.order_by("sequence").first()
    client.post(reverse("jobs:floor-operation", args=[op.pk, "start"]))
    assert client.get(job.get_floor_url(), {"probe": token})["HX-Trigger"] == "refresh-routing"


def test_hold_from_the_tablet_with_a_reason(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    client.force_login(lead)
    url = reverse("jobs:job-action", args=[job.pk, "hold"])
    client.post(url, {"reason": "", "next": job.get_floor_url()})
    job.refresh_from_db()
    assert job.status == Job.Status.RELEASED
    client.post(url, {"reason": "Machine down", "detail": "spindle", "next": job.get_floor_url()})
    job.refresh_from_db()
    assert job.status == Job.Status.ON_HOLD and job.hold_reason == "Machine down: spindle"


def test_traveler_has_a_qr_code_of_the_floor_url(client, office, manager):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    client.force_login(office)
    html = client.get(reverse("jobs:job-traveler", args=[job.pk])).content.decode()
    assert 'src="data:image/svg+xml' in html and job.number in html


def test_order_page_shows_each_line_on_the_floor(client, office, manager):
    order = approved_order(office, manager, lines=2)
    client.force_login(office)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "On the floor" in html and f"J-{order.number_digits}-02" in html


@pytest.mark.parametrize("fmt", ["csv"])
def test_job_list_csv_and_late_filter(client, office, manager, fmt):
    order = approved_order(office, manager, lines=2)
    Job.objects.filter(sales_order=order, sales_order_line__line_no=1).update(due_date="2020-01-01")
    client.force_login(office)
    late = client.get(reverse("jobs:job-list"), {"late": "true"}).context["jobs"]
    assert [j.number for j in late] == [f"J-{order.number_digits}-01"]
    body = b"".join(client.get(reverse("jobs:job-list"), {"format": fmt}).streaming_content).decode()
    assert body.splitlines()[0].startswith("job,status") and len(body.strip().splitlines()) == 3


def test_job_by_hand_gets_its_own_series_and_is_released_by_a_manager(client, office, manager, lead):
    from tests.jobs.factories import WorkCenterFactory

    client.force_login(office)  # Office only views jobs (DESIGN.md): the page is refused
    assert client.get(reverse("jobs:job-create")).status_code == 403
    client.force_login(manager)
    data = {"origin": "rework", "part_number": "BRK-100", "description": "Rework burrs", "quantity": "0",
            "due_date": "2027-01-10", "priority": "2"}  # fmt: skip
    bad = client.post(reverse("jobs:job-create"), data)
    assert bad.status_code == 400 and not Job.objects.exists()
    client.post(reverse("jobs:job-create"), {**data, "quantity": "5"})
    client.post(reverse("jobs:job-create"), {**data, "quantity": "2", "origin": "sample"})
    first, second = Job.objects.order_by("id")
    assert (first.number, second.number) == ("JM-000001", "JM-000002")
    assert first.status == Job.Status.PLANNED and first.sales_order is None
    client.post(reverse("jobs:operation-add", args=[first.pk]),
                {"work_center": WorkCenterFactory(code="CNC").pk, "description": "Deburr", "setup_hours": "0.5",
                 "run_hours_per_piece": "0.1"})  # fmt: skip
    assert first.operations.count() == 1
    client.force_login(office)
    assert client.post(reverse("jobs:job-action", args=[first.pk, "release"])).status_code == 403
    client.force_login(manager)
    client.post(reverse("jobs:job-action", args=[first.pk, "release"]))
    first.refresh_from_db()
    assert first.status == Job.Status.RELEASED


def test_managers_assign_leads_to_work_centers(client, manager, lead, office):
    from django.urls import reverse

    from jobs.models import WorkCenter
    from mto.models import AuditEntry

    center = WorkCenter.objects.create(code="LATHE", name="Lathe", hourly_rate="70.00")
    client.force_login(manager)
    page = client.get(reverse("jobs:work-center-list")).content.decode()
    assert "LATHE" in page and "every lead" in page
    url = reverse("jobs:work-center-edit", args=[center.pk])
    form = client.get(url).content.decode()
    assert "Lee Lead" in form and "Olive Office" not in form  # only shop floor leads can lead a work center
    bad = client.post(url, {"code": "LATHE", "name": "Lathe", "hourly_rate": "-1", "is_active": "on"})
    assert bad.status_code == 200 and "greater than or equal to 0" in bad.content.decode()
    response = client.post(url, {"code": "LATHE", "name": "Lathe", "hourly_rate": "75.50", "is_active": "on",
                                 "leads": [lead.pk]})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("jobs:work-center-list")
    center.refresh_from_db()
    assert list(center.leads.all()) == [lead] and str(center.hourly_rate) == "75.50"
    trail = AuditEntry.objects.get(object_type="jobs.WorkCenter", object_id=center.pk)
    assert (trail.before, trail.after, trail.changed_by) == ("70.00", "75.50", manager)
    created = client.post(reverse("jobs:work-center-create"), {"code": "GRIND", "name": "Grinder",
                                                               "hourly_rate": "60"})  # fmt: skip
    assert created.status_code == 302 and not WorkCenter.objects.get(code="GRIND").is_active
    client.force_login(office)
    assert client.get(reverse("jobs:work-center-list")).status_code == 403


def test_floor_offers_the_piece_report_only_where_the_service_takes_it(client, office, manager, lead):
    from jobs import services

    job = Job.objects.get(sales_order=approved_order(office, manager))
    first, second, third = job.operations.order_by("sequence")
    client.force_login(lead)

    def reportable():
        html = client.get(job.get_floor_url()).content.decode()
        # Offered: the form shown (a startable operation's comes hidden, for the offline queue to show).
        found = re.findall(r'(<form[^>]*aria-label="Report pieces on operation (\d+)")', html)
        shown = {int(n) for tag, n in found if " hidden" not in tag}
        return [op.sequence for op in (first, second, third) if op.sequence in shown]

    assert reportable() == []  # nothing started
    services.operation_act(operation=first, action="start", by=lead)
    services.operation_report_pieces(operation=first, good=1, by=lead)  # passes a piece on to the next
    services.operation_act(operation=second, action="start", by=lead)
    services.operation_act(operation=second, action="pause", by=lead)
    assert reportable() == [first.sequence, second.sequence]  # running and paused
    services.job_act(job=job, action="hold", by=lead, reason="Machine down")
    assert reportable() == []  # the service refuses pieces on a job on hold


def test_job_page_offers_routing_edits_the_services_allow(client, office, manager, lead):
    from jobs import services

    job = Job.objects.get(sales_order=approved_order(office, manager))
    first, second, third = job.operations.order_by("sequence")
    services.operation_act(operation=first, action="start", by=lead)
    services.operation_report_pieces(operation=first, good=10, by=lead)
    services.operation_act(operation=first, action="finish", by=lead)
    services.operation_act(operation=second, action="start", by=lead)
    client.force_login(manager)  # Office only views jobs; planning is the Manager's
    html = client.get(job.get_absolute_url()).content.decode()
    edits = [op.sequence for op in (first, second, third) if reverse("jobs:operation-edit", args=[op.pk]) in html]
    removals = [op.sequence for op in (first, second, third) if reverse("jobs:operation-remove", args=[op.pk]) in html]
    assert (edits, removals) == ([second.sequence, third.sequence], [third.sequence])


def test_the_last_operations_finish_asks_first_and_says_it_completes_the_job(client, office, manager, lead):
    """A mis-tap on the last Finish completed the job with no undo: it now asks, and says what it does."""
    from jobs import services

    job = Job.objects.get(sales_order=approved_order(office, manager, quantity=2))
    ops = list(job.operations.order_by("sequence"))
    for op in ops:
        services.operation_act(operation=op, action="start", by=lead)
        services.operation_report_pieces(operation=op, good=2, by=lead)
        if op is not ops[-1]:
            services.operation_act(operation=op, action="finish", by=lead)
    client.force_login(lead)
    html = client.get(job.get_floor_url()).content.decode()
    last = ops[-1]
    finish = reverse("jobs:floor-operation", args=[last.pk, "finish"])
    assert f'data-bs-target="#op{last.pk}-finish"' in html  # the Finish button opens the question
    question = html[html.index(f'id="op{last.pk}-finish"') :]
    assert f"completes {job.number}" in question and f'hx-post="{finish}"' in question
    assert html.count(f'hx-post="{finish}"') == 1  # only inside the question


def test_the_add_an_operation_form_comes_when_its_section_opens(client, office, manager, lead):
    """The job page carries a link, not the form (htmx fetches it when the section opens; without JavaScript the
    link opens it on a page of its own); a refused form comes back open on the job page with its errors."""
    from tests.jobs.factories import WorkCenterFactory

    order = approved_order(office, manager)
    job = Job.objects.get(sales_order=order)
    url = reverse("jobs:operation-add", args=[job.pk])
    client.force_login(manager)
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page and 'name="run_hours_per_piece"' not in page
    assert "{#" not in page and "The form is fetched" not in page  # the template's comment stays a comment
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'name="run_hours_per_piece"' in fragment
    token = re.search(r'name="submit_token" value="([0-9a-f]{32})"', fragment)
    full = client.get(url).content.decode()
    assert "<html" in full and "Add an operation to" in full and 'name="work_center"' in full
    center = WorkCenterFactory(code="DEB")
    refused = client.post(url, {"work_center": center.pk, "description": "", "setup_hours": "-1",
                                "run_hours_per_piece": "0.1", "submit_token": token.group(1)})  # fmt: skip
    html = refused.content.decode()
    assert refused.status_code == 400 and '<details class="card card-body" open>' in html
    assert 'name="run_hours_per_piece"' in html and "is-invalid" in html and job.operations.count() == 3
    added = client.post(url, {"work_center": center.pk, "description": "Deburr", "setup_hours": "0.5",
                              "run_hours_per_piece": "0.1", "submit_token": token.group(1)})  # fmt: skip
    assert added.status_code == 302 and job.operations.filter(description="Deburr").exists()
    job.status = Job.Status.COMPLETE
    job.save(update_fields=["status"])
    closed = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "is complete: no operation can be added" in closed and "<form" not in closed
    assert "no operation can be added" in client.get(url).content.decode()
    client.force_login(lead)  # the floor runs operations, it does not plan them
    assert client.get(url).status_code == 403
