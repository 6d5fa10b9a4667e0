"""An independent check of a schedule against its problem: it shares no code with the dispatching rule or
the CP-SAT model (only the Problem and Solution data), and recounts everything the plain way.

The rules (problem.py's): every task is scheduled once, inside the horizon; a task that is not fixed starts
at a working minute of its resource, not before its earliest start, and after its predecessor ends (or,
with overlap_minutes, not before the predecessor's start plus those minutes and not ending before it); a
fixed task starts exactly at its fixed start (fixed tasks are facts: no other rule binds their start);
every task's end is its start plus its duration plus the non-working minutes between, i.e. the working
minutes in [start, end) are its duration and its last minute is a working one; and no minute of a resource
is covered by more tasks (of positive duration) than its capacity, unless it is unlimited.
"""

from bisect import bisect_right
from collections.abc import Hashable

from .problem import Problem, Solution


class _Windows:
    """A resource's windows for the recount: sorted here (the validator does not trust the order it is given),
    so counting the working minutes of [a, b) looks only at the windows that reach into it (a plain scan of
    every window per task was the check's O(tasks x windows): seconds on a ten-year calendar)."""

    def __init__(self, windows):
        self.always = windows is None
        self.windows = sorted((a, b) for a, b in windows or () if b > a)
        # The latest end among windows 0..i: windows may overlap in bad data, so the scan below cannot stop at
        # the first window that ends before `a`, only where none reaching further is left behind.
        self.reach, far = [], None
        for _a, b in self.windows:
            far = b if far is None or b > far else far
            self.reach.append(far)

    def _first(self, a: int) -> int:
        """Index of the first window that may reach past minute a."""
        return bisect_right(self.reach, a)  # reach is non-decreasing: the windows before all end at or before a

    def working_minutes(self, a: int, b: int) -> int:
        if self.always:
            return max(0, b - a)
        total, windows = 0, self.windows
        for k in range(self._first(a), len(windows)):
            start, end = windows[k]
            if start >= b:
                break
            total += max(0, min(b, end) - max(a, start))
        return total

    def is_working(self, minute: int) -> bool:
        if self.always:
            return True
        windows = self.windows
        for k in range(self._first(minute), len(windows)):
            start, end = windows[k]
            if start > minute:
                break
            if start <= minute < end:
                return True
        return False


def validate(problem: Problem, solution: Solution) -> list[str]:
    errors: list[str] = []
    resources = {r.key: r for r in problem.resources}
    calendars = {r.key: _Windows(r.windows) for r in problem.resources}
    seen: set[Hashable] = set()
    for job in problem.jobs:
        for task in job.tasks:
            if task.key in seen:
                errors.append(f"task {task.key!r} appears twice in the problem")
            seen.add(task.key)
    extra = (set(solution.starts) | set(solution.ends)) - seen
    if extra:
        errors.append(f"the solution schedules unknown tasks: {sorted(map(repr, extra))[:5]}")

    for job in problem.jobs:
        pred = None
        for task in job.tasks:
            key = task.key
            if key not in solution.starts or key not in solution.ends:
                errors.append(f"task {key!r} is not scheduled")
                pred = task
                continue
            s, e = solution.starts[key], solution.ends[key]
            if not isinstance(s, int) or not isinstance(e, int):
                errors.append(f"task {key!r} has a non-integer start or end ({s!r}, {e!r})")
            resource = resources.get(task.resource)
            if resource is None:
                errors.append(f"task {key!r} uses unknown resource {task.resource!r}")
                pred = task
                continue
            windows = calendars[task.resource]
            if e > problem.horizon:
                errors.append(f"task {key!r} ends at {e}, after the horizon {problem.horizon}")
            if task.duration <= 0:
                if e != s:
                    errors.append(f"task {key!r} has no work but lasts from {s} to {e}")
            else:
                worked = windows.working_minutes(s, e)
                if worked != task.duration:
                    errors.append(f"task {key!r} works {worked} minutes in [{s}, {e}), not its {task.duration}")
                elif not windows.is_working(e - 1):
                    errors.append(f"task {key!r} ends at {e}, after a pause: it is done earlier")
            if task.fixed_start is not None:
                if s != task.fixed_start:
                    errors.append(f"fixed task {key!r} moved from {task.fixed_start} to {s}")
            else:
                if s < task.earliest_start or s < 0:
                    errors.append(f"task {key!r} starts at {s}, before its earliest start {task.earliest_start}")
                if task.duration > 0 and not windows.is_working(s):
                    errors.append(f"task {key!r} starts at {s}, outside its resource's working windows")
                if pred is not None and pred.key in solution.starts and pred.key in solution.ends:
                    ps, pe = solution.starts[pred.key], solution.ends[pred.key]
                    if task.overlap_minutes is None:
                        if s < pe:
                            errors.append(f"task {key!r} starts at {s}, before its predecessor ends at {pe}")
                    else:
                        if s < ps + task.overlap_minutes:
                            errors.append(
                                f"task {key!r} starts at {s}, before its predecessor's start {ps} "
                                f"+ overlap {task.overlap_minutes}"
                            )
                        if e < pe:
                            errors.append(f"task {key!r} ends at {e}, before its predecessor ends at {pe}")
            pred = task

    # Capacity: sweep the interval ends and starts of each resource (ends first at the same minute).
    events: dict[Hashable, list[tuple[int, int]]] = {}
    for job in problem.jobs:
        for task in job.tasks:
            resource = resources.get(task.resource)
            if resource is None or resource.unlimited or task.duration <= 0:
                continue
            if task.key not in solution.starts or task.key not in solution.ends:
                continue
            s, e = solution.starts[task.key], solution.ends[task.key]
            if e > s:
                events.setdefault(task.resource, []).extend([(s, 1), (e, -1)])
    for key, items in events.items():
        capacity = resources[key].capacity
        load = 0
        for minute, delta in sorted(items, key=lambda x: (x[0], x[1])):
            load += delta
            if load > capacity:
                errors.append(f"resource {key!r} runs {load} tasks at minute {minute}, over its capacity {capacity}")
                break
    return errors
