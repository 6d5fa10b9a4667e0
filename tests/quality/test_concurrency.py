"""Two dispositions of one NCR at once, on PostgreSQL with real threads (tests.scenarios.run_together)."""

import pytest

from jobs.models import Job
from mto.roles import MANAGER, OFFICE, QUALITY, SHOP_FLOOR
from quality import services
from quality.models import JobCharacteristic, NonConformance
from tests.factories import UserFactory
from tests.scenarios import inspected_order, run_to_inspection, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _open_ncr():
    office = UserFactory(username="c-office", roles=[OFFICE])
    manager = UserFactory(username="c-manager", roles=[MANAGER])
    first = UserFactory(username="c-inspector-1", roles=[QUALITY])
    second = UserFactory(username="c-inspector-2", roles=[QUALITY])
    lead = UserFactory(username="c-lead", roles=[SHOP_FLOOR])
    _order, job = inspected_order(office, manager, first, quantity=4)
    op = run_to_inspection(job, lead, 4)
    bore = JobCharacteristic.objects.get(operation=op, name="Bore diameter")
    failed = services.inspection_record(operation=op, sample_no=1, values={bore.pk: "10.09"}, by=lead)
    return job, services.ncr_open(results=failed, by=lead), first, second


def _disposition(ncr_id, user, disposition):
    try:
        services.ncr_disposition(ncr=NonConformance.objects.get(pk=ncr_id), disposition=disposition, by=user)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the refusal is the result
        return f"{type(exc).__name__}: {exc}"


def test_two_remakes_of_one_ncr_at_once_make_one_remake_job(postgres_only):
    """Both inspectors tap Remake: one wins and makes J-...-R1; the other waited on the job's lock, then saw the
    NCR dispositioned and is refused with the reason; no second remake job, one status change."""
    job, ncr, first, second = _open_ncr()
    results = run_together(_disposition, [(ncr.pk, first, "remake"), (ncr.pk, second, "remake")])
    assert sorted(r[:15] for r in results) == ["ValidationError", "ok"], results
    assert "already dispositioned" in next(r for r in results if r != "ok")
    ncr.refresh_from_db()
    assert ncr.status == "dispositioned" and ncr.disposition == "remake"
    remakes = Job.objects.filter(sales_order_line=job.sales_order_line).exclude(pk=job.pk)
    assert list(remakes.values_list("pk", flat=True)) == [ncr.remake_job_id]
    assert ncr.status_changes.filter(to_status="dispositioned").count() == 1


def test_a_remake_and_a_scrap_at_once_make_one_outcome(postgres_only):
    job, ncr, first, second = _open_ncr()
    results = run_together(_disposition, [(ncr.pk, first, "remake"), (ncr.pk, second, "scrap")])
    assert sorted(r[:15] for r in results) == ["ValidationError", "ok"], results
    ncr.refresh_from_db()
    won = "remake" if results[0] == "ok" else "scrap"
    assert ncr.disposition == won
    remakes = Job.objects.filter(sales_order_line=job.sales_order_line).exclude(pk=job.pk).count()
    assert remakes == (1 if won == "remake" else 0)
