"""Races on PostgreSQL with real threads: two piece reports past a live first article, two accepts of one remake
proposal."""

import pytest

from jobs import services as job_services
from jobs.models import Job, Operation
from mto.roles import MANAGER, OFFICE, QUALITY, SHOP_FLOOR
from quality import services
from quality.models import FirstArticle, RemakeProposal
from tests.factories import UserFactory
from tests.scenarios import approved_order, inspected_order, run_job, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _users():
    return (UserFactory(username="r-office", roles=[OFFICE]), UserFactory(username="r-manager", roles=[MANAGER]),
            UserFactory(username="r-inspector", roles=[QUALITY]), UserFactory(username="r-lead-1", roles=[SHOP_FLOOR]),
            UserFactory(username="r-lead-2", roles=[SHOP_FLOOR]))  # fmt: skip


def _report(op_id, user):
    try:
        job_services.operation_report_pieces(operation=Operation.objects.get(pk=op_id), good=1, by=user)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the refusal is the result
        return f"{type(exc).__name__}: {exc}"


def test_two_leads_reporting_at_once_pass_only_the_first_article(postgres_only, settings):
    """Both tablets report one good piece off the first operation while the FAI is required: the job's lock puts
    them one after the other, the second sees the first article passed and is refused."""
    settings.QUALITY_FIRST_ARTICLE = True
    office, manager, inspector, lead1, lead2 = _users()
    _order, job = inspected_order(office, manager, inspector, quantity=4)
    assert FirstArticle.objects.get(job=job).status == "required"
    op = job.operations.get(sequence=10)
    job_services.operation_act(operation=op, action="start", by=lead1)
    results = run_together(_report, [(op.pk, lead1), (op.pk, lead2)])
    assert sorted(r[:15] for r in results) == ["ValidationError", "ok"], results
    assert "First-article" in next(r for r in results if r != "ok")
    assert Operation.objects.get(pk=op.pk).good_qty == 1


def _accept(proposal_id, user):
    try:
        services.remake_proposal_accept(proposal=RemakeProposal.objects.get(pk=proposal_id), by=user)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"


def test_two_accepts_of_one_remake_proposal_make_one_remake(postgres_only):
    office, manager, inspector, lead, _lead2 = _users()
    order = approved_order(office, manager, quantity=5)
    job = Job.objects.get(sales_order=order)
    run_job(job, lead, 3)
    proposal = RemakeProposal.objects.get(job=job)
    results = run_together(_accept, [(proposal.pk, manager), (proposal.pk, inspector)])
    assert sorted(r[:15] for r in results) == ["ValidationError", "ok"], results
    remakes = Job.objects.filter(sales_order_line=job.sales_order_line).exclude(pk=job.pk)
    assert remakes.count() == 1 and remakes.get().quantity == 2
    assert RemakeProposal.objects.get(pk=proposal.pk).remake_job_id == remakes.get().pk
