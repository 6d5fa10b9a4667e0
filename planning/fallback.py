"""STAND-IN until planning.engine.dispatch lands: a naive forward dispatch on the engine's interface
(`dispatch(problem) -> Solution`), used by planning.services.schedule._solve only when the engine cannot be
imported. Jobs in earliest-due-date order (then weight), each task on the machine of its work center that
frees first, at the first working minute it may start; no gap filling, no optimisation. Delete it when
the engine is merged (the one call site is planning/services/schedule.py `_solve`)."""

import time

from .engine.problem import Problem, Solution, Task


def finish_of(start: int, duration: int, windows) -> tuple[int, int]:
    """(actual start, end) of `duration` working minutes from `start` in `windows` (None: always open)."""
    if windows is None or duration == 0:
        return start, start + duration
    left, begin = duration, None
    for a, b in windows:
        if b <= start:
            continue
        s = max(a, start)
        if begin is None:
            begin = s
        take = min(b - s, left)
        left -= take
        if left == 0:
            return begin, s + take
    raise ValueError("the horizon's windows end before the work does")


def dispatch(problem: Problem) -> Solution:
    began = time.monotonic()
    resources = {r.key: r for r in problem.resources}
    free_at = {r.key: [0] * max(r.capacity, 1) for r in problem.resources}
    starts, ends = {}, {}

    def place(task: Task, earliest: int, not_before_end: int = 0) -> None:
        resource = resources[task.resource]
        if resource.unlimited:
            s, e = finish_of(earliest, task.duration, None)
            e = max(e, not_before_end)
        else:
            machines = free_at[task.resource]
            best = min(range(len(machines)), key=lambda m: max(machines[m], earliest))
            s, e = finish_of(max(machines[best], earliest), task.duration, resource.windows)
            e = max(e, not_before_end)  # an overlapping task waits for the last piece of the one before
            if task.fixed_start is not None:
                s = task.fixed_start  # running now, even outside its shift: it goes on in the next one
            machines[best] = e
        starts[task.key], ends[task.key] = s, e

    # Running work first, where it is.
    for job in problem.jobs:
        for task in job.tasks:
            if task.fixed_start is not None:
                place(task, task.fixed_start)
    for job in sorted(problem.jobs, key=lambda j: (j.due, -j.weight, str(j.key))):
        previous = None
        for task in job.tasks:
            if task.key not in starts:
                earliest, not_before_end = task.earliest_start, 0
                if previous is not None:
                    if task.overlap_minutes is None:
                        earliest = max(earliest, ends[previous.key])
                    else:
                        earliest = max(earliest, starts[previous.key] + task.overlap_minutes)
                        not_before_end = ends[previous.key]
                place(task, earliest, not_before_end)
            previous = task
    tardiness = sum(max(ends[j.tasks[-1].key] - j.due, 0) * j.weight for j in problem.jobs if j.tasks)
    return Solution(starts=starts, ends=ends, method="fallback", status="feasible", objective=tardiness,
                    seconds=time.monotonic() - began)  # fmt: skip
