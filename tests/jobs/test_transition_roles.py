"""Every job action, operation move and planning step by every role, against DESIGN.md's table written out.

The expectations are literal (tests/role_table.py's roles), never read from mto/roles.py or the workflow's
capability names: a changed grant fails here.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jobs import services
from jobs.models import Job
from jobs.workflow import JOB_ACTIONS, OPERATION_MOVES
from tests.jobs.factories import WorkCenterFactory
from tests.role_table import LEAD, MANAGER, OPERATOR
from tests.scenarios import ROLE_FIXTURES, approved_order

J = Job.Status
ROLES = sorted([*ROLE_FIXTURES, "superuser"])

# DESIGN.md: the Manager holds and cancels jobs (and releases them); the Shop floor holds jobs with a reason
# (and resumes them). Office and Shipping only view jobs.
MAY_ACT = {"release": {MANAGER}, "hold": {LEAD, MANAGER}, "resume": {LEAD, MANAGER}, "cancel": {MANAGER}}
# The Shop floor starts, pauses and finishes operations and reports pieces: nobody else. A finished operation
# is reopened by a lead (for a few minutes) or a manager (until the job completes): issue 21.
MAY_MOVE = {"start": {LEAD}, "pause": {LEAD}, "resume": {LEAD}, "finish": {LEAD}, "reopen": {LEAD, MANAGER}}


def test_every_job_action_and_operation_move_has_its_roles_written_here():
    assert set(JOB_ACTIONS) == set(MAY_ACT)
    assert set(OPERATION_MOVES) == set(MAY_MOVE)


def _allowed(role, may) -> bool:
    return role == "superuser" or role in may


def _manual_job(manager) -> Job:
    return services.job_create_manual(
        origin=Job.Origin.STOCK, part_number="P-1", description="Stock", quantity=2,
        due_date=timezone.localdate(), by=manager,
    )  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MAY_ACT))
def test_each_job_action_by_each_role(request, office, manager, lead, clerk, action, role):
    if action in ("release", "cancel"):
        job = _manual_job(manager)  # planned
    else:
        job = Job.objects.get(sales_order=approved_order(office, manager))  # released
        if action == "resume":
            job = services.job_act(job=job, action="hold", by=manager, reason="Material")
    before = job.status
    user = request.getfixturevalue(role)
    if _allowed(role, MAY_ACT[action]):
        services.job_act(job=job, action=action, by=user, reason="Because")
        job.refresh_from_db()
        assert job.status != before
    else:
        with pytest.raises(PermissionDenied):
            services.job_act(job=job, action=action, by=user, reason="Because")
        job.refresh_from_db()
        assert job.status == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", sorted(MAY_MOVE))
def test_each_operation_move_by_each_role(request, office, manager, lead, move, role):
    job = Job.objects.get(sales_order=approved_order(office, manager, quantity=2))
    op = job.operations.order_by("sequence").first()
    if move in ("pause", "finish", "resume", "reopen"):
        op = services.operation_act(operation=op, action="start", by=lead)
    if move == "resume":
        op = services.operation_act(operation=op, action="pause", by=lead)
    if move == "reopen":
        op = services.operation_act(operation=op, action="finish", by=lead, short=True)
    before = op.status
    user = request.getfixturevalue(role)
    if _allowed(role, MAY_MOVE[move]):
        services.operation_act(operation=op, action=move, by=user, short=True, reason="Because")
        op.refresh_from_db()
        assert op.status != before
    else:
        with pytest.raises(PermissionDenied):
            services.operation_act(operation=op, action=move, by=user)
        op.refresh_from_db()
        assert op.status == before
        with pytest.raises(PermissionDenied):
            services.operation_report_pieces(operation=op, good=1, by=user)


@pytest.mark.parametrize("role", ROLES)
def test_planning_jobs_by_each_role(request, office, manager, role):
    """Jobs by hand and routing edits are the Manager's: Office only views jobs (DESIGN.md)."""
    job = Job.objects.get(sales_order=approved_order(office, manager))
    user = request.getfixturevalue(role)
    center = WorkCenterFactory(code="WELD")
    steps = {
        "create": lambda: _manual_job(user),
        "add": lambda: services.operation_add(
            job=job, work_center=center, description="Weld", setup_hours=1, run_hours_per_piece=0, by=user
        ),
        "remove": lambda: services.operation_remove(operation=job.operations.order_by("sequence").last(), by=user),
    }
    before = (Job.objects.count(), job.operations.count())
    for step in steps.values():
        if _allowed(role, {MANAGER}):
            step()
        else:
            with pytest.raises(PermissionDenied):
                step()
    if not _allowed(role, {MANAGER}):
        assert (Job.objects.count(), job.operations.count()) == before, "a refused step changed nothing"


@pytest.mark.parametrize("role", ROLES)
def test_job_notes_by_each_role(request, office, manager, role):
    """Notes are the Shop floor's (and the Manager's, who runs the jobs), and an operator's on a kiosk."""
    job = Job.objects.get(sales_order=approved_order(office, manager))
    user = request.getfixturevalue(role)
    if _allowed(role, {LEAD, MANAGER, OPERATOR}):
        services.job_add_note(job=job, text="Check the fixture", by=user)
        assert job.notes.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.job_add_note(job=job, text="Check the fixture", by=user)
        assert job.notes.count() == 0
