"""The jobs list's work-center filter (issue #22): an EXISTS on the operations, so a job routed twice through
one work center is listed once and the list needs no DISTINCT (which sorted every job before the page)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job
from tests.scenarios import approved_order_with_routing, client_for


def test_a_job_twice_at_one_work_center_is_listed_once_and_the_list_has_no_distinct(office, manager, lead):
    twice = approved_order_with_routing(office, manager, ["CNC", "DEBURR", "CNC"])
    elsewhere = approved_order_with_routing(office, manager, ["SAW"])
    api = client_for(lead)

    with CaptureQueriesContext(connection) as queries:
        listed = api.get("/api/v1/jobs/", {"operations__work_center__code": "CNC"})
    assert listed.status_code == 200
    numbers = [job["number"] for job in listed.json()["results"]]
    assert numbers == [Job.objects.get(sales_order=twice).number]
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)

    everything = [job["number"] for job in api.get("/api/v1/jobs/").json()["results"]]
    assert sorted(everything) == sorted(Job.objects.filter(sales_order__in=[twice, elsewhere])
                                        .values_list("number", flat=True))  # fmt: skip
    assert api.get("/api/v1/jobs/", {"operations__work_center__code": "NOPE"}).json()["results"] == []
