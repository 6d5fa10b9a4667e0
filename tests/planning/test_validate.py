"""The validator that guards the stored schedule: it passes what holds the invariants (the engine's dispatch on
random small shops, hypothesis) and refuses each kind of broken schedule. No database."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.engine.dispatch import dispatch
from planning.engine.problem import Job, Problem, Resource, Solution, Task
from planning.services.validate import InvalidSchedule, validate

DAY = 1440


def _windows(days, start=420, end=900):
    return tuple((d * DAY + start, d * DAY + end) for d in range(days) if d % 7 < 5)


@st.composite
def shops(draw):
    n_res = draw(st.integers(1, 3))
    resources = [Resource(key=f"R{i}", capacity=draw(st.integers(1, 2)), windows=_windows(120)) for i in range(n_res)]
    resources.append(Resource(key="OUT", unlimited=True))
    jobs, n = [], 0
    for j in range(draw(st.integers(1, 6))):
        tasks = []
        for k in range(draw(st.integers(1, 4))):
            res = draw(st.sampled_from([r.key for r in resources]))
            fixed = 0 if k == 0 and res != "OUT" and draw(st.booleans()) and j % 3 == 0 else None
            tasks.append(Task(key=n, resource=res, duration=draw(st.integers(0, 600)), fixed_start=fixed,
                              earliest_start=0 if fixed is not None else draw(st.sampled_from([0, 0, 2 * DAY])),
                              overlap_minutes=draw(st.sampled_from([None, None, 0, 30])) if k else None))  # fmt: skip
            n += 1
        jobs.append(
            Job(key=j, tasks=tuple(tasks), due=draw(st.integers(0, 10 * DAY)), weight=draw(st.integers(1, 16)))
        )
    fixed_per = {}
    for job in jobs:
        for t in job.tasks:
            if t.fixed_start is not None:
                fixed_per[t.resource] = fixed_per.get(t.resource, 0) + 1
    resources = [dataclasses.replace(r, capacity=max(r.capacity, fixed_per.get(r.key, 0))) for r in resources]
    return Problem(resources=tuple(resources), jobs=tuple(jobs), horizon=120 * DAY)


@settings(max_examples=150, deadline=None)
@given(shops())
def test_the_dispatch_schedule_always_validates(problem):
    solution = dispatch(problem)
    validate(problem, solution)
    for job in problem.jobs:
        if job.tasks:
            assert solution.job_finish(job) == solution.ends[job.tasks[-1].key]


def _two_jobs():
    resource = Resource(key="M", capacity=1, windows=((0, 600), (1000, 1600)))
    jobs = (Job(key=1, tasks=(Task(key="a", resource="M", duration=100), Task(key="b", resource="M", duration=50)),
                due=500),
            Job(key=2, tasks=(Task(key="c", resource="M", duration=100, earliest_start=200),), due=500))  # fmt: skip
    return Problem(resources=(resource,), jobs=jobs, horizon=2000)


def _solution(starts, ends):
    return Solution(starts=starts, ends=ends, method="test", status="feasible")


def test_a_good_schedule_passes():
    validate(_two_jobs(), _solution({"a": 0, "b": 100, "c": 200}, {"a": 100, "b": 150, "c": 300}))
    # Work left at the end of a window goes on in the next one.
    validate(_two_jobs(), _solution({"a": 0, "b": 100, "c": 550}, {"a": 100, "b": 150, "c": 1050}))


@pytest.mark.parametrize("starts, ends, why", [
    ({"a": 0, "b": 50, "c": 200}, {"a": 100, "b": 100, "c": 300}, "before its predecessor ends"),
    ({"a": 0, "b": 100, "c": 120}, {"a": 100, "b": 150, "c": 220}, "before its earliest start"),
    ({"a": 0, "b": 100, "c": 200}, {"a": 100, "b": 150, "c": 250}, "working minutes"),
    ({"a": 0, "b": 100, "c": 700}, {"a": 100, "b": 150, "c": 1100}, "outside its work center's calendar"),
    ({"a": 0, "b": 200, "c": 180}, {"a": 100, "b": 250, "c": 280}, "capacity 1"),
    ({"a": 0, "b": 100}, {"a": 100, "b": 150}, "not placed"),
    ({"a": 0, "b": 100, "c": 1950}, {"a": 100, "b": 150, "c": 2050}, "outside 0-2000"),
])  # fmt: skip
def test_each_broken_schedule_is_refused(starts, ends, why):
    with pytest.raises(InvalidSchedule, match=why):
        validate(_two_jobs(), _solution(starts, ends))


def test_a_fixed_task_must_stay_where_it_is():
    problem = _two_jobs()
    job = dataclasses.replace(problem.jobs[1], tasks=(dataclasses.replace(problem.jobs[1].tasks[0], fixed_start=0,
                                                                          earliest_start=0),))  # fmt: skip
    moved = dataclasses.replace(problem, jobs=(problem.jobs[0], job))
    with pytest.raises(InvalidSchedule, match="is fixed at 0"):
        validate(moved, _solution({"a": 100, "b": 200, "c": 10}, {"a": 200, "b": 250, "c": 110}))
