"""Markup that assistive technology depends on (issue 15); the browser crawl in tests/e2e/test_every_page.py runs
axe on every page, these pin what axe cannot see or what must hold for every job."""

import re

from django.urls import reverse

from jobs.models import Job
from tests.scenarios import approved_order


def test_the_work_center_filter_has_a_label(client, office):
    client.force_login(office)
    html = client.get(reverse("jobs:job-list")).content.decode()
    assert '<label class="form-label small mb-1" for="id_work_center">Work center</label>' in html
    assert "[invalid name]" not in html


def test_the_floor_job_page_has_one_messages_region(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    client.post(reverse("jobs:floor-operation", args=[op.pk, "start"]))  # no htmx: a message, then the page
    html = client.get(job.get_floor_url()).content.decode()
    assert html.count('id="messages"') == 1
    assert "Started op 10 on " + job.number + "." in html


def test_an_htmx_answer_on_the_floor_fills_the_page_messages_out_of_band(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    op = job.operations.order_by("sequence").first()
    client.force_login(lead)
    answer = client.post(
        reverse("jobs:floor-operation", args=[op.pk, "start"]), {"version": op.version}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert answer.count('id="messages"') == 1
    region = re.search(r'<div id="messages"[^>]*>', answer).group(0)
    assert 'hx-swap-oob="innerHTML"' in region and 'aria-live="polite"' in region
    assert "Started op 10 on " + job.number + "." in answer


def test_the_routing_table_scroll_container_takes_keyboard_focus(client, office, manager, lead):
    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    client.force_login(lead)  # no edit buttons inside the table, so the container itself must take focus
    html = client.get(job.get_absolute_url()).content.decode()
    container = re.search(r'<div class="table-responsive routing-table"[^>]*>', html).group(0)
    assert 'tabindex="0"' in container and 'role="region"' in container and "aria-label=" in container
