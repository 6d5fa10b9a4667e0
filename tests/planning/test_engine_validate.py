"""The independent validator against both engines on random small shops (hypothesis), and against
deliberately broken schedules. Every schedule the engine makes must pass; every breakage must be caught."""

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.engine import Job, Problem, Resource, Solution, Task
from planning.engine.cpsat import solve
from planning.engine.dispatch import dispatch
from planning.engine.validate import validate

HORIZON = 20_000


@st.composite
def windows(draw):
    if draw(st.booleans()):
        return None
    period = draw(st.integers(20, 200))
    length = draw(st.integers(5, period - 1))
    offset = draw(st.integers(0, period))
    return tuple((offset + k * period, offset + k * period + length) for k in range(HORIZON // period - 2))


@st.composite
def shops(draw):
    n_resources = draw(st.integers(1, 3))
    resources = []
    for r in range(n_resources):
        unlimited = draw(st.integers(0, 5)) == 0
        resources.append(Resource(r, capacity=draw(st.integers(1, 2)), windows=draw(windows()), unlimited=unlimited))
    fixed_used = set()
    jobs = []
    for j in range(draw(st.integers(1, 4))):
        tasks = []
        for i in range(draw(st.integers(1, 3))):
            resource = draw(st.integers(0, n_resources - 1))
            fixed = None
            if i == 0 and resource not in fixed_used and draw(st.integers(0, 3)) == 0:
                fixed = draw(st.integers(0, 30))  # a running operation, maybe outside its window
                fixed_used.add(resource)
            tasks.append(
                Task(
                    key=(j, i),
                    resource=resource,
                    duration=draw(st.integers(0, 40)),
                    earliest_start=draw(st.sampled_from([0, 0, draw(st.integers(0, 300))])),
                    fixed_start=fixed,
                    overlap_minutes=draw(st.sampled_from([None, None, draw(st.integers(0, 20))])) if i else None,
                )
            )
        jobs.append(Job(key=j, tasks=tuple(tasks), due=draw(st.integers(0, 400)), weight=draw(st.integers(1, 3))))
    return Problem(resources=tuple(resources), jobs=tuple(jobs), horizon=HORIZON)


def broken(problem: Problem, solution: Solution, how: int) -> Solution | None:
    """A copy of a valid solution broken in one way that the rules forbid, or None if this shop has no
    task to break that way."""
    starts, ends = dict(solution.starts), dict(solution.ends)
    tasks = [t for j in problem.jobs for t in j.tasks]
    worked = [t for t in tasks if t.duration > 0]
    if how == 0 and worked:  # an end one minute short of the work
        t = worked[0]
        ends[t.key] -= 1
    elif how == 1 and worked:  # a task stretched one minute (or a pause) too long
        t = worked[-1]
        ends[t.key] += 1
    elif how == 2:  # a fixed task moved
        fixed = [t for t in tasks if t.fixed_start is not None]
        if not fixed:
            return None
        starts[fixed[0].key] += 1
        ends[fixed[0].key] = ends[fixed[0].key] + 1
    elif how == 3:  # a task started before its predecessor allows (and before its earliest start)
        for job in problem.jobs:
            for pred, t in zip(job.tasks, job.tasks[1:], strict=False):
                if t.fixed_start is None and t.overlap_minutes is None and pred.duration > 0:
                    starts[t.key] = starts[pred.key]
                    return dataclasses.replace(solution, starts=starts, ends=ends)
        return None
    elif how == 4:  # two tasks at once on a machine of capacity 1
        limited = {r.key for r in problem.resources if r.capacity == 1 and not r.unlimited}
        on = [t for t in worked if t.resource in limited]
        pair = next(((a, b) for a in on for b in on if a is not b and a.resource == b.resource), None)
        if pair is None:
            return None
        a, b = pair
        starts[b.key], ends[b.key] = starts[a.key], ends[a.key]
    elif how == 5 and tasks:  # a task left out
        del starts[tasks[0].key]
    else:
        return None
    return dataclasses.replace(solution, starts=starts, ends=ends)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops())
def test_dispatch_schedules_validate(problem):
    solution = dispatch(problem)
    assert solution.status == "feasible"
    assert validate(problem, solution) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops(), st.sampled_from(["tardiness", "makespan"]))
def test_cpsat_schedules_validate_and_never_lose_to_the_warm_start(problem, objective):
    rule = dispatch(problem)
    best = solve(problem, seconds=0.5, workers=1, hint=rule, objective=objective)
    assert validate(problem, best) == []
    if objective == "makespan":
        assert best.stats["makespan"] <= rule.stats["makespan"]
        return
    assert best.stats["tardiness"] <= rule.stats["tardiness"]
    makespan_phase = [
        p for p in best.stats.get("phases", []) if p["objective"] == "makespan" and p["value"] is not None
    ]
    if best.stats["tardiness"] == rule.stats["tardiness"] and makespan_phase:
        assert best.stats["makespan"] <= rule.stats["makespan"]
    assert all(best.job_finish(job) == best.ends[job.tasks[-1].key] for job in problem.jobs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops(), st.integers(0, 5))
def test_broken_schedules_are_caught(problem, how):
    bad = broken(problem, dispatch(problem), how)
    if bad is not None:
        assert validate(problem, bad) != []


def test_makespan_mode_validates_on_a_random_shop_with_calendars():
    windows = tuple((k * 100, k * 100 + 60) for k in range(200))
    resources = (
        Resource("a", windows=windows),
        Resource("b", capacity=2, windows=windows),
        Resource("v", unlimited=True),
    )
    jobs = tuple(
        Job(j, (Task((j, 0), "a", 10 + j), Task((j, 1), "b", 30, overlap_minutes=5), Task((j, 2), "v", 45)), due=50)
        for j in range(6)
    )
    problem = Problem(resources=resources, jobs=jobs, horizon=20_000)
    rule = dispatch(problem)
    best = solve(problem, seconds=2.0, objective="makespan", hint=rule)
    assert validate(problem, rule) == validate(problem, best) == []
    assert best.objective <= rule.stats["makespan"]


def test_benchmark_schedules_validate_and_a_swap_is_caught():
    import pytest

    benchmarks = pytest.importorskip("planning.engine.benchmarks")
    try:
        problems = [benchmarks.load(name) for name in ("ft06", "la01", "la16")]
    except benchmarks.MissingInstances as exc:
        pytest.skip(str(exc))
    for problem in problems:
        rule = dispatch(problem)
        assert validate(problem, rule) == []
        best = solve(problem, seconds=1.0, objective="makespan", hint=rule)
        assert validate(problem, best) == []
        assert best.objective < rule.stats["makespan"]
        # Swap the first two operations of job 0 in time: precedence breaks.
        a, b = problem.jobs[0].tasks[:2]
        starts, ends = dict(best.starts), dict(best.ends)
        starts[a.key], starts[b.key] = starts[b.key], starts[a.key]
        ends[a.key], ends[b.key] = starts[a.key] + a.duration, starts[b.key] + b.duration
        assert any("predecessor" in e for e in validate(problem, dataclasses.replace(best, starts=starts, ends=ends)))
