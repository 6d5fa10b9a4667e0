"""An independent check of a solution against its problem before it is stored (DESIGN's minimal invariants):
every task placed within the horizon, fixed tasks where they are, no start before the earliest start or
before the predecessor allows, enough working minutes between start and end, no start outside the
calendar, and never more tasks at a work center than its capacity at any minute."""

from collections import defaultdict

from ..engine.problem import Problem, Solution


class InvalidSchedule(Exception):
    pass


def _worked(start: int, end: int, windows) -> int:
    if windows is None:
        return end - start
    return sum(max(min(b, end) - max(a, start), 0) for a, b in windows)


def _in_window(minute: int, windows) -> bool:
    return windows is None or any(a <= minute < b for a, b in windows)


def validate(problem: Problem, solution: Solution) -> None:
    resources = {r.key: r for r in problem.resources}
    errors: list[str] = []
    spans = defaultdict(list)
    for job in problem.jobs:
        previous = None
        for task in job.tasks:
            if task.key not in solution.starts or task.key not in solution.ends:
                errors.append(f"task {task.key} is not placed")
                previous = task
                continue
            s, e = solution.starts[task.key], solution.ends[task.key]
            resource = resources[task.resource]
            if s < 0 or e > problem.horizon or e < s:
                errors.append(f"task {task.key} at {s}-{e} is outside 0-{problem.horizon}")
            if task.fixed_start is not None and s != task.fixed_start:
                errors.append(f"task {task.key} is fixed at {task.fixed_start} but starts at {s}")
            if task.fixed_start is None and s < task.earliest_start:
                errors.append(f"task {task.key} starts at {s} before its earliest start {task.earliest_start}")
            windows = None if resource.unlimited else resource.windows
            if _worked(s, e, windows) < task.duration:
                errors.append(f"task {task.key} has less than its {task.duration} working minutes in {s}-{e}")
            if task.duration and task.fixed_start is None and not _in_window(s, windows):
                errors.append(f"task {task.key} starts at {s}, outside its work center's calendar")
            if previous is not None and previous.key in solution.starts and task.fixed_start is None:
                ps, pe = solution.starts[previous.key], solution.ends[previous.key]
                if task.overlap_minutes is None and s < pe:
                    errors.append(f"task {task.key} starts at {s} before its predecessor ends at {pe}")
                if task.overlap_minutes is not None and (s < ps + task.overlap_minutes or e < pe):
                    errors.append(f"task {task.key} overlaps its predecessor more than allowed")
            if not resource.unlimited and e > s:
                spans[task.resource].append((s, e))
            previous = task
    for key, intervals in spans.items():
        events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda x: (x[0], x[1]))
        load = 0
        for minute, delta in events:
            load += delta
            if load > resources[key].capacity:
                errors.append(
                    f"work center {key} runs {load} tasks at minute {minute}, capacity {resources[key].capacity}"
                )
                break
    if errors:
        raise InvalidSchedule("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
