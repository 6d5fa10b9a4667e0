"""The earliest-due-date dispatching rule: the baseline schedule and the solver's warm start.

A serial schedule-generation scheme with insertion (the forward loading of an ERP, done right):
running operations (fixed starts) are placed first, where they are; then jobs are taken by due date,
then by weight (heavier first), then by their total work (longer first), and each job's operations in
routing order are put at the earliest minute that their release (earliest start, the predecessor or the
overlap rule) and their resource allow: into any gap of any unit of the resource that holds the whole
operation, pauses included. It never moves work already placed, so it is always feasible within the
windows, and runs in about O(n log n) for n operations (gaps are searched from the release on).
"""

import math
import time
from bisect import bisect_right
from collections.abc import Hashable

from .calendar import Calendar
from .problem import Job, Problem, Solution, Task


def calendars_of(problem: Problem) -> dict[Hashable, Calendar]:
    return {r.key: Calendar(r.windows) for r in problem.resources}


RULES = ("edd", "slack", "atc", "wspt")


def job_order(problem: Problem, rule: str = "edd") -> list[Job]:
    """The order jobs are loaded in. "edd": earliest due date first, then the heavier weight, then the
    longer job (the baseline). The others serve as extra warm starts for the solver: "slack": least
    due date minus work; "atc": apparent tardiness cost (weight / work x exp(-slack / (2 x mean work)));
    "wspt": weighted shortest work first. Ties keep the given order."""
    work = [sum(t.duration for t in job.tasks) for job in problem.jobs]
    mean = max(1.0, sum(work) / max(1, len(work)))

    def key(i: int):
        job = problem.jobs[i]
        if rule == "edd":
            return (job.due, -job.weight, -work[i], i)
        if rule == "slack":
            return (job.due - work[i], -job.weight, i)
        if rule == "atc":
            slack = max(0, job.due - work[i])
            return (-(job.weight / max(1, work[i])) * math.exp(-slack / (2 * mean)), job.due, i)
        if rule == "wspt":
            return (work[i] / max(1, job.weight), job.due, i)
        raise ValueError(f"unknown dispatching rule {rule!r}")

    return [problem.jobs[i] for i in sorted(range(len(problem.jobs)), key=key)]


def fixed_end(calendar: Calendar, task: Task) -> int | None:
    return calendar.end_of(task.fixed_start, task.duration)


def release(calendar: Calendar, task: Task, pred: Task | None, starts: dict, ends: dict) -> tuple[int, int]:
    """The earliest start the task's own data and its predecessor allow, and the least end (overlap)."""
    ready = max(task.earliest_start, 0)
    min_end = 0
    if pred is not None and pred.key in ends:
        if task.overlap_minutes is None:
            ready = max(ready, ends[pred.key])
        else:
            ready = max(ready, starts[pred.key] + task.overlap_minutes)
            min_end = ends[pred.key]
    if min_end:
        ready = max(ready, calendar.earliest_start_ending_at_least(min_end, task.duration))
    return ready, min_end


def metrics(problem: Problem, starts: dict, ends: dict) -> dict:
    """Weighted tardiness, makespan and flow time (sum over jobs of last end - first start)."""
    tardiness = makespan = flow = 0
    for job in problem.jobs:
        if not job.tasks or any(t.key not in ends for t in job.tasks):
            continue
        finish = ends[job.tasks[-1].key]
        tardiness += job.weight * max(0, finish - job.due)
        makespan = max(makespan, max(ends[t.key] for t in job.tasks))
        flow += finish - min(starts[t.key] for t in job.tasks)
    return {"tardiness": tardiness, "makespan": makespan, "flow": flow}


class _Units:
    """The free time of each unit of one resource, as sorted gaps in working minutes (W-space, see
    planning.engine.calendar: a task of d working minutes started at a working minute s occupies exactly
    [W(s), W(s) + d), and two tasks overlap in time exactly when those ranges overlap). The earliest place
    for a task is the first gap at or after its release that holds its d minutes, so the search walks gaps,
    not the busy intervals: a dense schedule (a long backlog) has few gaps and it stays fast."""

    def __init__(self, capacity: int, calendar: Calendar):
        self.calendar = calendar
        total = math.inf if calendar.always else calendar.total
        self.gap_starts: list[list] = [[0] for _ in range(capacity)]
        self.gap_ends: list[list] = [[total] for _ in range(capacity)]

    def __len__(self) -> int:
        return len(self.gap_starts)

    def earliest(self, unit: int, ready: int, duration: int) -> tuple[int, int] | None:
        cal, gs, ge = self.calendar, self.gap_starts[unit], self.gap_ends[unit]
        w0 = cal.worked_before(max(ready, 0)) if not cal.always else max(ready, 0)
        i = bisect_right(ge, w0)  # the first gap ending after the release
        n = len(gs)
        while i < n:
            a = gs[i] if gs[i] > w0 else w0
            if ge[i] - a >= duration:
                s = cal.minute_of_work(a)
                if s is None:
                    return None
                if cal.always:
                    return s, s + duration
                return s, cal.minute_of_work(a + duration - 1) + 1
            i += 1
        return None

    def is_free(self, unit: int, start: int, end: int) -> bool:
        a, b = self._w(start), self._w(end)
        gs, ge = self.gap_starts[unit], self.gap_ends[unit]
        i = bisect_right(gs, a) - 1
        return i >= 0 and ge[i] >= b

    def _w(self, minute: int) -> int:
        return minute if self.calendar.always else self.calendar.worked_before(minute)

    def place(self, unit: int, start: int, end: int) -> None:
        """Take [start, end) (real minutes) off the unit's free time (all of it, even where it is not free:
        running operations that overbook a unit are placed as they are)."""
        a, b = self._w(start), self._w(end)
        if b <= a:
            return
        gs, ge = self.gap_starts[unit], self.gap_ends[unit]
        i = bisect_right(ge, a)  # gaps ending after a
        j = i
        while j < len(gs) and gs[j] < b:
            j += 1
        if i == j:
            return  # all busy already
        pieces_s, pieces_e = [], []
        if gs[i] < a:
            pieces_s.append(gs[i])
            pieces_e.append(a)
        if ge[j - 1] > b:
            pieces_s.append(b)
            pieces_e.append(ge[j - 1])
        gs[i:j] = pieces_s
        ge[i:j] = pieces_e

    def best(self, ready: int, duration: int) -> tuple[int, int, int] | None:
        best = None
        for unit in range(len(self.gap_starts)):
            found = self.earliest(unit, ready, duration)
            if found and (best is None or found < best[:2]):
                best = (*found, unit)
        return best


def dispatch(problem: Problem, rule: str = "edd") -> Solution:
    order = []
    for job in job_order(problem, rule):
        for i, task in enumerate(job.tasks):
            order.append((task, job.tasks[i - 1] if i else None))
    solution = serial(problem, order, method="dispatch")
    solution.stats["rule"] = rule
    return solution


def serial(problem: Problem, order: list[tuple[Task, Task | None]], *, method: str) -> Solution:
    """Place the fixed tasks where they are, then every other (task, its predecessor) in `order` (each
    after its predecessor) at the earliest minute its release and a unit of its resource allow."""
    loader = Loader(problem)
    loader.load(order)
    return loader.solution(method)


class Loader:
    """The serial scheme as a state that grows: fixed tasks placed at once, then `load` places more in order.
    A copy goes on from the same point, so a caller trying several sequences that share a prefix (capable to
    promise's cuts) loads the prefix once."""

    def __init__(self, problem: Problem):
        self.began = time.perf_counter()
        self.problem = problem
        self.calendars = calendars = calendars_of(problem)
        resources = {r.key: r for r in problem.resources}
        self.units = units = {
            r.key: _Units(r.capacity, calendars[r.key]) for r in problem.resources if not r.unlimited
        }
        self.starts: dict[Hashable, int] = {}
        self.ends: dict[Hashable, int] = {}
        self.unplaced: list[Hashable] = []
        self.overbooked: list[Hashable] = []
        starts, ends = self.starts, self.ends
        for job in problem.jobs:
            for task in job.tasks:
                if task.resource not in resources:
                    raise ValueError(f"task {task.key!r} needs unknown resource {task.resource!r}")
                if task.fixed_start is None:
                    continue
                end = fixed_end(calendars[task.resource], task)
                if end is None:
                    self.unplaced.append(task.key)
                    continue
                starts[task.key], ends[task.key] = task.fixed_start, end
                if task.resource in units and end > task.fixed_start:
                    pool = units[task.resource]
                    for unit in range(len(pool)):  # a free unit, else the first (the data overbooks it)
                        if pool.is_free(unit, task.fixed_start, end):
                            break
                    else:
                        unit = 0
                        self.overbooked.append(task.key)
                    pool.place(unit, task.fixed_start, end)

    def copy(self) -> "Loader":
        other = object.__new__(Loader)
        other.began, other.problem, other.calendars = time.perf_counter(), self.problem, self.calendars
        other.starts, other.ends = dict(self.starts), dict(self.ends)
        other.unplaced, other.overbooked = list(self.unplaced), list(self.overbooked)
        other.units = {}
        for key, pool in self.units.items():
            twin = object.__new__(_Units)
            twin.calendar = pool.calendar
            twin.gap_starts = [list(g) for g in pool.gap_starts]
            twin.gap_ends = [list(g) for g in pool.gap_ends]
            other.units[key] = twin
        return other

    def load(self, order, *, limits: dict | None = None) -> bool:
        """Place each (task, predecessor) of `order`. With `limits` (task key -> minute), stop and answer
        False as soon as one of those tasks ends after its limit (or cannot be placed)."""
        calendars, units, starts, ends, unplaced = self.calendars, self.units, self.starts, self.ends, self.unplaced
        for task, pred in order:
            if task.fixed_start is not None:
                continue
            calendar = calendars[task.resource]
            ready, _ = release(calendar, task, pred, starts, ends)
            if pred is not None and pred.key not in ends:
                unplaced.append(task.key)
            elif task.duration <= 0:
                starts[task.key] = ends[task.key] = ready
            elif task.resource not in units:
                s = calendar.next_working(ready)
                e = None if s is None else calendar.end_of(s, task.duration)
                if e is None:
                    unplaced.append(task.key)
                else:
                    starts[task.key], ends[task.key] = s, e
            else:
                found = units[task.resource].best(ready, task.duration)
                if found is None:
                    unplaced.append(task.key)
                else:
                    s, e, unit = found
                    units[task.resource].place(unit, s, e)
                    starts[task.key], ends[task.key] = s, e
            if limits is not None and task.key in limits and ends.get(task.key, math.inf) > limits[task.key]:
                return False
        return True

    def solution(self, method: str) -> Solution:
        problem, starts, ends = self.problem, self.starts, self.ends
        values = metrics(problem, starts, ends)
        late_end = any(e > problem.horizon for e in ends.values())
        status = "infeasible" if self.unplaced or late_end or self.overbooked else "feasible"
        return Solution(
            starts=starts,
            ends=ends,
            method=method,
            status=status,
            objective=values["tardiness"],
            seconds=time.perf_counter() - self.began,
            stats={**values, "unplaced": self.unplaced, "overbooked": self.overbooked},
        )
