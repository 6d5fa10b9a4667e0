"""The engine on small cases whose optimum is known (by hand or by enumeration)."""

import itertools

import pytest

from planning.engine import Job, Problem, Resource, Task
from planning.engine.calendar import Calendar
from planning.engine.cpsat import solve
from planning.engine.dispatch import dispatch
from planning.engine.validate import validate

DAY = 24 * 60
SHIFT = tuple((d * DAY + 480, d * DAY + 960) for d in range(30))  # 08:00-16:00 every day


def both(problem, **kwargs):
    rule = dispatch(problem)
    best = solve(problem, seconds=kwargs.pop("seconds", 2.0), hint=rule, **kwargs)
    assert validate(problem, rule) == []
    assert validate(problem, best) == []
    return rule, best


def test_calendar_counts_working_minutes_like_a_plain_count():
    windows = ((10, 20), (20, 25), (40, 50), (100, 130))
    cal = Calendar(windows)
    minutes = [m for a, b in windows for m in range(a, b)]
    for start in range(0, 140):
        for d in range(1, 12):
            later = [m for m in minutes if m >= start]
            expected = later[d - 1] + 1 if len(later) >= d else None
            assert cal.end_of(start, d) == expected, (start, d)
    for min_end in range(1, 131):
        for d in range(1, 8):
            s = cal.earliest_start_ending_at_least(min_end, d)
            assert cal.end_of(s, d) >= min_end
            earlier = [m for m in minutes if m < s]
            assert not earlier or cal.end_of(earlier[-1], d) < min_end


def test_work_pauses_at_the_end_of_a_shift_and_goes_on_in_the_next():
    problem = Problem(
        resources=(Resource("saw", windows=SHIFT),),
        jobs=(Job("j", (Task("cut", "saw", duration=600),), due=2 * DAY),),
        horizon=30 * DAY,
    )
    rule, best = both(problem)
    for solution in (rule, best):
        assert solution.starts["cut"] == 480  # the first minute of the first shift
        assert solution.ends["cut"] == DAY + 480 + 120  # 480 minutes today, 120 tomorrow
    assert best.status == "optimal" and best.objective == 0


def test_a_running_operation_stays_put_and_waits_for_the_shift():
    problem = Problem(
        resources=(Resource("lathe", windows=SHIFT),),
        jobs=(
            Job("a", (Task("a1", "lathe", duration=60, fixed_start=0),), due=DAY),
            Job("b", (Task("b1", "lathe", duration=30),), due=0, weight=5),
        ),
        horizon=30 * DAY,
    )
    rule, best = both(problem)
    assert best.starts["a1"] == 0 and best.ends["a1"] == 480 + 60
    assert best.starts["b1"] == 540  # b is urgent, but a is running


def test_earliest_due_date_then_weight_and_the_solver_finds_the_weighted_optimum():
    # One machine, no release dates: the optimum of total weighted tardiness is some permutation.
    data = [(4, 5, 1), (3, 6, 3), (7, 8, 1), (2, 8, 4), (5, 9, 2)]  # (duration, due, weight)
    jobs = tuple(Job(i, (Task(i, "m", duration=d),), due=due, weight=w) for i, (d, due, w) in enumerate(data))
    problem = Problem(resources=(Resource("m"),), jobs=jobs, horizon=100)
    optimum = min(
        sum(
            w * max(0, t - due)
            for (_, due, w), t in zip(order, itertools.accumulate(o[0] for o in order), strict=True)
        )
        for order in itertools.permutations(data)
    )
    rule, best = both(problem)
    assert [k for k, _ in sorted(rule.starts.items(), key=lambda kv: kv[1])] == [0, 1, 3, 2, 4]
    assert best.status == "optimal"
    assert best.objective == optimum == best.stats["tardiness"]
    assert best.objective <= rule.objective


def test_then_makespan_then_flow_time():
    # No job can be late, so phase 2 shortens the makespan and phase 3 the time jobs spend on the floor.
    problem = Problem(
        resources=(Resource("a"), Resource("b")),
        jobs=(
            Job("x", (Task("x1", "a", 5), Task("x2", "b", 1)), due=999),
            Job("y", (Task("y1", "a", 1), Task("y2", "b", 5)), due=1000),
        ),
        horizon=1000,
    )
    rule, best = both(problem)
    assert rule.stats["makespan"] == 11  # EDD loads x first: y1 waits for x1 on machine a
    assert best.stats["makespan"] == 7  # y1 first, then x1; y2 on b from 1 to 6, x2 from 6 to 7
    assert best.stats["flow"] == 6 + 6
    assert [p["objective"] for p in best.stats["phases"]] == ["tardiness", "makespan", "flow"]


def test_overlap_lets_the_next_operation_start_early_but_not_finish_first():
    problem = Problem(
        resources=(Resource("a"), Resource("b")),
        jobs=(Job("j", (Task("j1", "a", 100), Task("j2", "b", 20, overlap_minutes=10)), due=0),),
        horizon=1000,
    )
    rule, best = both(problem)
    for solution in (rule, best):
        assert solution.ends["j2"] == 100  # it may start at 10 but cannot end before j1 ends at 100
        assert solution.starts["j2"] >= 10
    assert best.objective == 100


def test_capacity_two_runs_two_at_once_and_unlimited_runs_all():
    tasks = [Job(i, (Task(f"c{i}", "cell", 10), Task(f"v{i}", "vendor", 50)), due=0) for i in range(4)]
    problem = Problem(
        resources=(Resource("cell", capacity=2), Resource("vendor", unlimited=True)), jobs=tuple(tasks), horizon=500
    )
    rule, best = both(problem, objective="makespan")
    assert best.objective == 70 and best.status == "optimal"
    assert sorted(best.ends[f"c{i}"] for i in range(4)) == [10, 10, 20, 20]


def test_earliest_start_is_honoured():
    problem = Problem(
        resources=(Resource("m", windows=SHIFT),),
        jobs=(Job("j", (Task("t", "m", 30, earliest_start=DAY),), due=0),),
        horizon=30 * DAY,
    )
    rule, best = both(problem)
    assert rule.starts["t"] == best.starts["t"] == DAY + 480


def test_small_job_shop_optimum_with_calendars():
    # ft06-like 3x3 on machines that work 100 of every 200 minutes; the optimum equals the calendar-free one
    # stretched across the pauses, and both schedules validate.
    routes = [[(0, 30), (1, 20), (2, 10)], [(1, 30), (0, 20), (2, 40)], [(2, 20), (0, 10), (1, 30)]]
    windows = tuple((200 * k, 200 * k + 100) for k in range(20))
    resources = tuple(Resource(m, windows=windows) for m in range(3))
    jobs = tuple(Job(j, tuple(Task((j, i), m, d) for i, (m, d) in enumerate(r)), due=0) for j, r in enumerate(routes))
    free = Problem(resources=tuple(Resource(m) for m in range(3)), jobs=jobs, horizon=4000)
    paused = Problem(resources=resources, jobs=jobs, horizon=4000)
    _, free_best = both(free, objective="makespan")
    _, paused_best = both(paused, objective="makespan")
    assert free_best.status == paused_best.status == "optimal"
    c = free_best.objective
    assert paused_best.objective == (c // 100) * 200 + c % 100 - (100 if c % 100 == 0 else 0)


def test_ft06_is_solved_to_optimality():
    benchmarks = pytest.importorskip("planning.engine.benchmarks")
    try:
        problem = benchmarks.load("ft06")
    except benchmarks.MissingInstances as exc:
        pytest.skip(str(exc))
    rule = dispatch(problem)
    best = solve(problem, seconds=5, objective="makespan", hint=rule)
    assert validate(problem, best) == []
    assert (best.objective, best.status) == (55, "optimal")
    assert rule.stats["makespan"] > 55


def test_unknown_resource_and_bad_objective_are_refused():
    problem = Problem(resources=(Resource("m"),), jobs=(Job("j", (Task("t", "x", 5),), due=0),), horizon=10)
    with pytest.raises(ValueError, match="unknown resource"):
        dispatch(problem)
    with pytest.raises(ValueError, match="objective"):
        solve(problem, objective="fastest")


def test_impossible_data_is_reported_not_raised():
    overbooked = Problem(
        resources=(Resource("m"),),
        jobs=(
            Job("a", (Task("a1", "m", 5, fixed_start=0),), due=0),
            Job("b", (Task("b1", "m", 5, fixed_start=0),), due=0),
        ),
        horizon=100,
    )
    assert dispatch(overbooked).status == solve(overbooked, seconds=1).status == "infeasible"
    assert validate(overbooked, dispatch(overbooked)) == ["resource 'm' runs 2 tasks at minute 0, over its capacity 1"]
    too_short = Problem(
        resources=(Resource("m", windows=((0, 10),)),), jobs=(Job("a", (Task("a1", "m", 50),), due=0),), horizon=100
    )
    rule = dispatch(too_short)
    assert rule.status == "infeasible" and rule.stats["unplaced"] == ["a1"]
    best = solve(too_short, seconds=1)
    assert best.status == "infeasible" and "cannot finish" in best.stats["reason"]
    empty = Problem(resources=(Resource("m"),), jobs=(), horizon=100)
    assert solve(empty, seconds=1).status == "optimal"


def test_the_rolling_window_improves_a_large_schedule_or_keeps_it_and_it_validates():
    # Shop scale in small: 700 operations on two one-shift work centers, a backlog of months. The windows'
    # answer is a serial schedule in a new order: valid, and never worse than the schedule it starts from.
    import random

    from planning.engine import window
    from planning.engine.dispatch import dispatch, metrics
    from planning.engine.problem import Job, Problem, Resource, Task
    from planning.engine.validate import validate

    day = 24 * 60
    spans = tuple((d * day + 480, d * day + 960) for d in range(400) if d % 7 < 5)
    rnd = random.Random(3)
    jobs, key = [], 0
    for j in range(280):
        tasks = []
        for _ in range(rnd.choice([2, 3])):
            key += 1
            tasks.append(Task(key=key, resource=rnd.randrange(2), duration=rnd.randint(30, 300)))
        jobs.append(Job(key=j, tasks=tuple(tasks), due=rnd.randint(0, 120) * day, weight=rnd.choice([1, 4, 16])))
    problem = Problem(resources=tuple(Resource(key=r, windows=spans) for r in range(2)), jobs=tuple(jobs),
                      horizon=400 * day)  # fmt: skip
    given = dispatch(problem)
    assert len(given.starts) == key >= window.MIN_TASKS and not validate(problem, given)
    better = window.improve(problem, given, seconds=4, workers=2)
    assert validate(problem, better) == []
    before, after = metrics(problem, given.starts, given.ends), metrics(problem, better.starts, better.ends)
    assert (after["tardiness"], after["makespan"], after["flow"]) <= (before["tardiness"], before["makespan"],
                                                                      before["flow"])  # fmt: skip
    assert better.stats["windows"]["tried"] >= 1
