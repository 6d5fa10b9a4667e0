"""bench/generic_plans.py end to end on a small shop: every statement mto.reads prepares (the job and order pages',
the signed-in user's) is found, run under both plan cache modes and printed (PostgreSQL only: it prepares)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only: it prepares")


def test_the_generic_plans_check_finds_and_times_every_prepared_statement(db, capsys):
    from bench import generic_plans

    call_command("seed_scale", orders=40, customers=5, batch=40, stdout=StringIO())
    code = generic_plans.main(["--keys", "2"])
    out = capsys.readouterr().out
    statements = ("signed-in user", "job page, selector", "job page, panels", "floor job (tablet)",
                  "order page, selector", "order page, panels")  # fmt: skip
    for statement in statements:
        assert f"\n{statement}" in out, out
    # On a tiny shop the verdict could go either way (timings of a tenth of a millisecond); it must match the code.
    verdict = out.strip().splitlines()[-1]
    assert (code, verdict) in ((0, "ok: every generic plan holds"),
                               (1, "FAILED: a generic plan is slower than its custom one")), out  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"  # the check leaves the session as it found it
