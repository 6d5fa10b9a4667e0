"""Two operators acting on one operation at the same moment (PostgreSQL, real threads): the operation starts once,
one machine clock runs, each operator gets exactly their own labor entry; the last one off pauses it once."""

import pytest

from jobs import services
from jobs.models import LaborEntry, Operation, OperationStatusChange, TimeEntry
from tests.jobs.kiosk_helpers import first_job, make_operator
from tests.scenarios import approved_order, run_together

pytestmark = pytest.mark.django_db(transaction=True)

O = Operation.Status  # noqa: E741


@pytest.fixture
def crew(office, manager, postgres_only):
    job = first_job(approved_order(office, manager, quantity=10))
    op = job.operations.order_by("sequence").first()
    operators = [make_operator(manager, f"Racer{n}").user for n in range(4)]
    return op, operators


def _call(fn, **kwargs):
    try:
        fn(**kwargs)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the outcome is the test's
        return type(exc).__name__ + ": " + str(exc)


def test_four_operators_join_a_pending_operation_at_once(crew):
    op, operators = crew
    results = run_together(lambda who: _call(services.operator_join, operation=op, operator=who),
                           [(u,) for u in operators])  # fmt: skip
    assert results == ["ok"] * 4, results
    op.refresh_from_db()
    assert op.status == O.RUNNING
    assert TimeEntry.objects.filter(operation=op).count() == 1  # one machine clock
    assert LaborEntry.objects.filter(operation=op, stopped_at=None).count() == 4
    assert OperationStatusChange.objects.filter(operation=op, to_status=O.RUNNING).count() == 1


def test_the_last_two_leave_at_once_and_it_pauses_once(crew):
    op, operators = crew
    a, b = operators[:2]
    services.operator_join(operation=op, operator=a)
    services.operator_join(operation=op, operator=b)
    results = run_together(lambda who: _call(services.operator_leave, operation=op, operator=who), [(a,), (b,)])
    assert results == ["ok", "ok"], results
    op.refresh_from_db()
    assert op.status == O.PAUSED
    assert not LaborEntry.objects.filter(operation=op, stopped_at=None).exists()
    assert not TimeEntry.objects.filter(operation=op, stopped_at=None).exists()
    assert OperationStatusChange.objects.filter(operation=op, to_status=O.PAUSED).count() == 1


def test_two_operators_report_at_once_never_more_than_reached(crew):
    op, operators = crew
    a, b = operators[:2]
    services.operator_join(operation=op, operator=a)
    services.operator_join(operation=op, operator=b)
    report = lambda who: _call(services.operator_report_pieces, operation=op, operator=who, good=7)  # noqa: E731
    results = run_together(report, [(a,), (b,)])
    assert sorted(r == "ok" for r in results) == [False, True], results
    assert any("Only 3 more" in r for r in results), results
    op.refresh_from_db()
    assert op.good_qty == 7
    assert sum(LaborEntry.objects.filter(operation=op).values_list("good_qty", flat=True)) == 7


def test_one_operator_on_two_tablets_at_once_joins_one_operation(crew, office, manager):
    op, operators = crew
    other = first_job(approved_order(office, manager)).operations.order_by("sequence").first()
    who = operators[0]
    results = run_together(lambda target: _call(services.operator_join, operation=target, operator=who),
                           [(op,), (other,)])  # fmt: skip
    assert sorted(r == "ok" for r in results) == [False, True], results
    assert LaborEntry.objects.filter(operator=who, stopped_at=None).count() == 1


def test_finish_while_another_joins(crew):
    """A finish and a join at once: either the join came first (and the finish took them off) or the join is
    refused on a finished operation; never an open labor entry on a done operation."""
    op, operators = crew
    a, b = operators[:2]
    services.operator_join(operation=op, operator=a)
    results = run_together(
        lambda action: (
            _call(services.operator_finish, operation=op, operator=a, short=True)
            if action == "finish"
            else _call(services.operator_join, operation=op, operator=b)
        ),
        [("finish",), ("join",)],
    )
    assert results[0] == "ok", results
    op.refresh_from_db()
    assert op.status == O.DONE
    assert not LaborEntry.objects.filter(operation=op, stopped_at=None).exists()
