"""A rolling window over a large schedule: CP-SAT on the next few hundred operations, the rest kept.

At shop scale (thousands of operations on a multi-year calendar) the full model finds no schedule in its
time, so the stored schedule is the best dispatching order. This improves a given schedule window by
window, in the order of its starts: the window's operations (a contiguous run of the schedule's sequence)
become a sub-problem of their own, with the operations placed before it that still hold a machine at the
window's first start as fixed tasks, each window job's first operation released where its predecessor
(outside the window) lets it start, and each job due at its due date less the work it still has after the
window. CP-SAT, hinted with the schedule's own times, reorders the window; the whole schedule is then
re-timed by the serial scheme in the new order (operations before the window, the window's in the solver's
order, the rest as they were), which keeps it feasible on the real calendars, and the result is kept only
when it is better (weighted tardiness, then makespan, then flow). So the answer is never worse than the
schedule given, and every candidate is an ordinary serial schedule.
"""

import time
from collections.abc import Hashable

from .dispatch import metrics, serial
from .problem import Job, Problem, Solution, Task

WINDOW = 300  # operations per window
STEP = 200  # windows overlap: the next starts this many operations on
MIN_TASKS = 2 * WINDOW  # smaller problems are the full model's


def _key(problem: Problem, solution: Solution) -> tuple:
    values = metrics(problem, solution.starts, solution.ends)
    return values["tardiness"], values["makespan"], values["flow"]


def _sequence(problem: Problem, starts: dict) -> list[tuple[Task, Task | None]]:
    pairs = []
    for job in problem.jobs:
        for i, task in enumerate(job.tasks):
            pairs.append((task, job.tasks[i - 1] if i else None))
    pairs.sort(key=lambda pair: (starts[pair[0].key], str(pair[0].key)))
    return pairs


def _subproblem(problem: Problem, current: Solution, window: set, t0: int) -> tuple[Problem, Solution]:
    """The window's operations as a Problem of their own, and the current schedule's times as its hint."""
    starts, ends = current.starts, current.ends
    jobs, hint_s, hint_e = [], {}, {}
    for job in problem.jobs:
        mine = [i for i, task in enumerate(job.tasks) if task.key in window]
        if mine:
            tasks, after = [], sum(t.duration for t in job.tasks[mine[-1] + 1 :])
            for n, i in enumerate(mine):
                task = job.tasks[i]
                earliest = task.earliest_start
                if n == 0 and i > 0:
                    pred = job.tasks[i - 1]
                    if task.overlap_minutes is None:
                        earliest = max(earliest, ends[pred.key])
                    else:
                        earliest = max(earliest, starts[pred.key] + task.overlap_minutes)
                overlap = None if n == 0 else task.overlap_minutes
                tasks.append(Task(key=task.key, resource=task.resource, duration=task.duration,
                                  earliest_start=earliest, overlap_minutes=overlap))  # fmt: skip
                hint_s[task.key], hint_e[task.key] = starts[task.key], ends[task.key]
            jobs.append(Job(key=job.key, tasks=tuple(tasks), due=job.due - after, weight=job.weight))
        for task in job.tasks:  # what already holds a machine when the window begins stays where it is
            if task.key in window or task.duration <= 0 or ends[task.key] <= t0:
                continue
            if task.fixed_start is None and starts[task.key] >= t0:
                continue  # after the window in the sequence: re-timed after it
            key = ("held", task.key)
            jobs.append(Job(key=key, due=problem.horizon, weight=1,
                            tasks=(Task(key=key, resource=task.resource, duration=task.duration,
                                        fixed_start=starts[task.key]),)))  # fmt: skip
            hint_s[key], hint_e[key] = starts[task.key], ends[task.key]
    sub = Problem(resources=problem.resources, jobs=tuple(jobs), horizon=problem.horizon)
    return sub, Solution(starts=hint_s, ends=hint_e, method="window", status="feasible")


def improve(problem: Problem, given: Solution, *, seconds: float, workers: int) -> Solution:
    """`given` improved window by window within `seconds` (see the module); `given` itself when nothing
    better is found or the problem is small or `given` is incomplete."""
    from . import cpsat

    began = time.perf_counter()
    total = sum(len(job.tasks) for job in problem.jobs)
    if total < MIN_TASKS or len(given.starts) != total or given.stats.get("unplaced"):
        return given
    current, best_key = given, _key(problem, given)
    windows = improved = 0
    pos = 0
    while True:
        left = seconds - (time.perf_counter() - began)
        if left < 1.0:
            break
        sequence = [pair for pair in _sequence(problem, current.starts) if pair[0].fixed_start is None]
        if pos >= len(sequence):
            break
        chunk = sequence[pos : pos + WINDOW]
        window: set[Hashable] = {task.key for task, _ in chunk}
        t0 = current.starts[chunk[0][0].key]
        sub, hint = _subproblem(problem, current, window, t0)
        answer = cpsat.solve(sub, seconds=min(left, max(2.0, seconds / 4)), workers=workers,
                             objective="tardiness", hint=hint)  # fmt: skip
        windows += 1
        placed = sequence[:pos]
        mine = sorted(chunk, key=lambda pair: (answer.starts.get(pair[0].key, current.starts[pair[0].key]),
                                               current.starts[pair[0].key]))  # fmt: skip
        # Within a job the routing order holds whatever the sub-schedule's ties: loading needs predecessors first.
        mine = _routing_stable(mine)
        candidate = serial(problem, placed + mine + sequence[pos + WINDOW :], method="cp-sat")
        if not candidate.stats["unplaced"] and not candidate.stats["overbooked"]:
            key = _key(problem, candidate)
            if key < best_key:
                current, best_key, improved = candidate, key, improved + 1
        pos += STEP
    if current is given:
        given.stats["windows"] = {"tried": windows, "improved": 0}
        return given
    values = metrics(problem, current.starts, current.ends)
    return Solution(starts=current.starts, ends=current.ends, method="cp-sat", status=given.status,
                    objective=values["tardiness"], bound=None, seconds=given.seconds + time.perf_counter() - began,
                    stats={**given.stats, **values, "chosen": "window",
                           "windows": {"tried": windows, "improved": improved}})  # fmt: skip


def _routing_stable(pairs: list[tuple[Task, Task | None]]) -> list[tuple[Task, Task | None]]:
    """`pairs` with every task after its predecessor (a task whose predecessor comes later waits for it)."""
    keys = {task.key for task, _ in pairs}
    done: set[Hashable] = set()
    waiting: dict[Hashable, list] = {}
    out = []

    def put(pair):
        out.append(pair)
        done.add(pair[0].key)
        for nxt in waiting.pop(pair[0].key, ()):
            put(nxt)

    for pair in pairs:
        task, pred = pair
        if pred is not None and pred.key in keys and pred.key not in done:
            waiting.setdefault(pred.key, []).append(pair)
        else:
            put(pair)
    return out
