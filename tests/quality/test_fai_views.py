"""The first article and the remake proposal on their pages: the tablet's sheet, the job page, the floor job page,
the home page; one click to accept; fixed queries; no link a viewer may not open."""

import re

import pytest
from django.urls import reverse

from jobs import services as job_services
from jobs.models import Job
from quality import services
from quality.models import FirstArticle, JobCharacteristic, RemakeProposal
from tests.role_table import ROLE_NAMES
from tests.scenarios import approved_order, inspected_order, page_queries, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def first_article_on(settings):
    settings.QUALITY_FIRST_ARTICLE = True


@pytest.fixture
def job(office, manager, inspector):
    return inspected_order(office, manager, inspector, quantity=4)[1]


def _values(job):
    return {
        f"c{c.pk}": (str(c.nominal) if c.is_dimension else "pass") for c in JobCharacteristic.objects.filter(job=job)
    }


def test_the_tablet_records_the_first_article_and_quality_accepts_it(client, job, lead, inspector):
    fai = FirstArticle.objects.get(job=job)
    client.force_login(lead)
    page = client.get(fai.get_absolute_url()).content.decode()
    assert "Record first article" in page and "10 +0.05/-0.02 mm" in page and 'inputmode="decimal"' in page
    assert "Accept first article" not in page, "a lead records, Quality accepts"
    bore = JobCharacteristic.objects.get(job=job, name="Bore diameter")
    refused = client.post(fai.get_absolute_url(), {f"c{bore.pk}": "10.01"})
    assert refused.status_code == 400 and "needs every characteristic" in refused.content.decode()
    assert FirstArticle.objects.get(pk=fai.pk).status == "required"
    response = client.post(fai.get_absolute_url(), _values(job))
    assert response.status_code == 302
    assert FirstArticle.objects.get(pk=fai.pk).status == "recorded"
    client.force_login(inspector)
    page = client.get(fai.get_absolute_url()).content.decode()
    assert "Accept first article" in page and "Record first article" not in page
    client.post(reverse("quality:fai-accept", args=[fai.pk]))
    assert FirstArticle.objects.get(pk=fai.pk).status == "accepted"


def test_reject_needs_a_reason_on_the_page(client, job, lead, inspector):
    fai = services.first_article_record(first_article=FirstArticle.objects.get(job=job),
                                        values={int(k[1:]): v for k, v in _values(job).items()}, by=lead)  # fmt: skip
    client.force_login(inspector)
    response = client.post(reverse("quality:fai-reject", args=[fai.pk]), {"reason": ""}, follow=True)
    assert "Say why the first article is rejected" in response.content.decode()
    assert FirstArticle.objects.get(pk=fai.pk).status == "recorded"
    client.post(reverse("quality:fai-reject", args=[fai.pk]), {"reason": "Burr on the keyway"})
    assert FirstArticle.objects.get(pk=fai.pk).status == "rejected"
    assert FirstArticle.objects.get(job=job, attempt=2).status == "required"


def test_the_job_page_and_the_floor_job_page_show_the_first_article(client, job, lead, inspector, office):
    client.force_login(office)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "First-article inspection" in page and 'data-fai-status="required"' in page
    client.force_login(lead)
    floor = client.get(job.get_floor_url()).content.decode()
    assert "Record first article" in floor and "passes on 1 piece until it is recorded and accepted" in floor
    fai = services.first_article_record(first_article=FirstArticle.objects.get(job=job),
                                        values={int(k[1:]): v for k, v in _values(job).items()}, by=lead)  # fmt: skip
    assert "waiting for Quality to accept it" in client.get(job.get_floor_url()).content.decode()
    client.force_login(inspector)
    home = client.get(reverse("home")).content.decode()
    assert "First articles to accept" in home and job.number in home
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("quality:fai-accept", args=[fai.pk]) in page
    services.first_article_accept(first_article=fai, by=inspector)
    client.force_login(lead)
    assert 'id="floor-fai-h"' not in client.get(job.get_floor_url()).content.decode(), "nothing holds it back now"


def test_the_floor_shows_the_gate_refusal_when_a_lead_reports_too_many(client, job, lead):
    op = job.operations.get(sequence=10)
    job_services.operation_act(operation=op, action="start", by=lead)
    client.force_login(lead)
    response = client.post(reverse("jobs:floor-operation", args=[op.pk, "report"]),
                           {f"op{op.pk}-good": "4", f"op{op.pk}-scrap": "0"}, follow=True)  # fmt: skip
    assert "First-article inspection" in response.content.decode()
    op.refresh_from_db()
    assert op.good_qty == 0


def test_job_page_queries_do_not_grow_with_the_attempts(client, job, manager, inspector):
    client.force_login(manager)
    first = page_queries(client, job.get_absolute_url())
    fai = FirstArticle.objects.get(job=job)
    for n in range(3):
        fai = services.first_article_reject(first_article=fai, by=inspector, reason=f"Lost {n}")
    assert page_queries(client, job.get_absolute_url()) == first


# --- remake proposals on the pages -----------------------------------------------------------------------------


@pytest.fixture
def short_job(settings, office, manager, lead):
    settings.QUALITY_FIRST_ARTICLE = False
    job = Job.objects.get(sales_order=approved_order(office, manager, quantity=5))
    run_job(job, lead, 3)
    return job


def test_remake_in_one_click_from_the_job_page(client, short_job, manager, office):
    client.force_login(office)
    page = client.get(short_job.get_absolute_url()).content.decode()
    assert "remake 2 pieces for the order line?" in page and "Make remake of 2" not in page
    client.force_login(manager)
    page = client.get(short_job.get_absolute_url()).content.decode()
    proposal = RemakeProposal.objects.get(job=short_job)
    assert reverse("quality:remake-accept", args=[proposal.pk]) in page
    response = client.post(reverse("quality:remake-accept", args=[proposal.pk]), follow=True)
    assert f"{short_job.number}-R1 made for 2 piece(s)" in response.content.decode()
    assert Job.objects.filter(number=f"{short_job.number}-R1", quantity=2).exists()


def test_remake_on_the_home_page_and_dismissed_with_a_reason(client, short_job, inspector):
    proposal = RemakeProposal.objects.get(job=short_job)
    client.force_login(inspector)
    home = client.get(reverse("home")).content.decode()
    assert "Remakes to decide" in home and reverse("quality:remake-accept", args=[proposal.pk]) in home
    response = client.post(reverse("quality:remake-dismiss", args=[proposal.pk]), {"reason": "", "back": "home"})
    assert response["Location"] == "/"
    assert RemakeProposal.objects.get(pk=proposal.pk).status == "proposed"
    client.post(reverse("quality:remake-dismiss", args=[proposal.pk]), {"reason": "Customer takes 3", "back": "home"})
    assert RemakeProposal.objects.get(pk=proposal.pk).status == "dismissed"
    assert "No remake to decide" in client.get(reverse("home")).content.decode()


def test_home_queries_do_not_grow_with_the_proposals(client, short_job, office, manager, lead):
    client.force_login(manager)
    first = page_queries(client, reverse("home"))
    for _ in range(2):
        run_job(Job.objects.get(sales_order=approved_order(office, manager, quantity=4)), lead, 2)
    assert RemakeProposal.objects.count() == 3
    assert page_queries(client, reverse("home")) == first


# --- links ------------------------------------------------------------------------------------------------------


def _links(html: str) -> set[str]:
    hrefs = {href.replace("&amp;", "&") for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)"', html)}
    return {h for h in hrefs if h.startswith("/") and not h.startswith(("/static/", "/logout/", "/admin/", "/api/"))}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_no_link_on_the_first_article_pages_its_viewer_may_not_open(role, client, request, job, lead):
    services.first_article_record(first_article=FirstArticle.objects.get(job=job),
                                  values={int(k[1:]): v for k, v in _values(job).items()}, by=lead)  # fmt: skip
    client.force_login(request.getfixturevalue(role))
    pages = [job.get_absolute_url(), job.get_floor_url(), FirstArticle.objects.get(job=job).get_absolute_url(),
             reverse("home"), reverse("quality:report-pareto")]  # fmt: skip
    refused = []
    for page in pages:
        response = client.get(page)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (role, page)
        refused += [
            (page, link) for link in sorted(_links(response.content.decode())) if client.get(link).status_code == 403
        ]
    assert not refused, (role, refused)
