"""atomic_with_retry retries serialization failures and deadlocks, and only those."""

import pytest
from django.db import OperationalError, transaction

from mto.db import atomic_with_retry


class PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _failing(sqlstate, times):
    calls = []

    @atomic_with_retry(base_delay=0)
    def work():
        calls.append(transaction.get_connection().in_atomic_block)
        if len(calls) <= times:
            raise OperationalError("db said no") from PgError(sqlstate)
        return "done"

    return work, calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_retries_serialization_failures_and_deadlocks(sqlstate):
    work, calls = _failing(sqlstate, times=2)
    assert work() == "done"
    assert calls == [True, True, True], "each attempt runs in its own transaction"


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_the_bound():
    work, calls = _failing("40001", times=10)
    with pytest.raises(OperationalError):
        work()
    assert len(calls) == 4


@pytest.mark.django_db(transaction=True)
def test_other_errors_are_not_retried():
    work, calls = _failing("57P01", times=1)  # admin shutdown: not ours to retry blindly
    with pytest.raises(OperationalError):
        work()
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_does_not_retry():
    work, calls = _failing("40001", times=1)
    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert len(calls) == 1
