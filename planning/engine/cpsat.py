"""The CP-SAT model of a Problem: the shop's schedule (objective "tardiness") and the benchmarks ("makespan").

The model, per task t of duration d > 0 that is not fixed:

* No calendar (windows None, the benchmarks and the vendors): start s, end e = s + d, a fixed-size interval.
* With a calendar the task pauses outside the windows. Windows are numbered k = 0.. with start A[k], end
  B[k], length L[k] and C[k], the working minutes before window k. Two index variables pick the window
  the task starts in (k) and the one it ends in (j >= k), through element constraints on those constant
  tables: A[k] <= s < B[k]; the work done before the start is C[k] + s - A[k]; the end's work count is that
  plus d and must lie in window j: C[j] < C[k] + s - A[k] + d <= C[j] + L[j]; then e = A[j] + (C[k] + s -
  A[k] + d - C[j]). So e = s + d + the non-working minutes between, exactly, with O(1) variables per task
  whatever the number of windows (only the windows the task can reach are in its tables), and the
  interval [s, e) has a variable size. Counting the pauses inside the interval does not change capacity:
  every task of a resource uses the resource's windows, and a task whose interval covers a pause works at
  the minute just before the pause and the one just after, so no more intervals cover a pause minute than
  tasks work at the next working minute.
* A fixed task (a running operation) is a constant interval from its fixed start to the end its calendar
  gives; it may start outside a window (it waits for the next). Fixed tasks are facts: precedence and
  earliest starts do not bind them, they only bind what follows them.
* A task of duration 0 is a point (s = e) that takes no capacity.

Per resource: NoOverlap over its intervals for capacity 1, Cumulative (demand 1 each) for more, nothing
for an unlimited (outside) resource. Precedence: s >= e(pred), or with overlap_minutes o: s >= s(pred) + o
and e >= e(pred). Every start is at least the task's earliest start and its head (the earliest start the
job's chain allows without capacity), and every end at most the horizon (makespan mode: at most the warm
start's makespan, and starts at most that minus the tail of the job after them).

Objective "tardiness" (the shop) is lexicographic, solved in three CP-SAT phases on one model, each
warm-started with the solution of the one before and each fixing the previous objective at its best value
found: (1) total weighted tardiness, sum over jobs of weight x max(0, finish - due), gets 60% of the time;
(2) the makespan, 60% of what is left; (3) the flow time, sum over jobs of last end - first start (the
time work spends on the floor: work in progress), the rest. A phase proven optimal early hands its time on.
Phases keep each criterion strictly first, which a weighted sum only does with weights that overflow at
shop scale. The reported status, objective and bound are phase 1's. Objective "makespan" is one phase.

Warm start: the dispatching rule's schedule is given as a complete hint, so the solver has a feasible
schedule at once and only improves it. In makespan mode its makespan also bounds every end (a smaller
search space) and a redundant bound per machine (makespan >= the least head + all its work + the least
tail) feeds the LP relaxation.
"""

import time
from bisect import bisect_left, bisect_right
from collections.abc import Hashable

from ortools.sat.python import cp_model

from .calendar import Calendar
from .dispatch import calendars_of, dispatch, metrics, release
from .problem import Problem, Solution, Task

STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "time_limit",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "infeasible",
    cp_model.UNKNOWN: "time_limit",
}


def heads(problem: Problem, calendars: dict[Hashable, Calendar]) -> tuple[dict, dict]:
    """Earliest start and end of every task from its job's chain alone (capacity ignored): lower bounds."""
    starts: dict[Hashable, int] = {}
    ends: dict[Hashable, int] = {}
    for job in problem.jobs:
        pred = None
        for task in job.tasks:
            cal = calendars[task.resource]
            if task.fixed_start is not None:
                s = task.fixed_start
            else:
                ready, _ = release(cal, task, pred, starts, ends)
                s = ready if task.duration <= 0 else cal.next_working(ready)
            e = None if s is None else cal.end_of(s, task.duration)
            if e is None:
                raise ValueError(f"task {task.key!r} cannot finish inside its resource's working windows")
            starts[task.key], ends[task.key] = s, e
            pred = task
    return starts, ends


def tails(problem: Problem, calendars: dict[Hashable, Calendar]) -> dict:
    """Work that must follow each task's start in its job, for jobs on calendar-free resources without
    overlap (the benchmarks); 0 elsewhere (no bound)."""
    out: dict[Hashable, int] = {}
    for job in problem.jobs:
        simple = all(
            calendars[t.resource].always and t.overlap_minutes is None and t.fixed_start is None for t in job.tasks
        )
        rest = 0
        for task in reversed(job.tasks):
            rest += task.duration
            out[task.key] = rest if simple else 0
    return out


class Model:
    """The CP-SAT model of one Problem, its variables by task, and how to hint it from a schedule."""

    def __init__(self, problem: Problem, *, upper: int, makespan_mode: bool, tardiness_at_most: int | None = None):
        self.problem = problem
        self.model = cp_model.CpModel()
        self.calendars = calendars_of(problem)
        head_s, head_e = heads(problem, self.calendars)
        tail = tails(problem, self.calendars) if makespan_mode else {}
        m = self.model
        self.start: dict[Hashable, cp_model.LinearExprT] = {}
        self.end: dict[Hashable, cp_model.LinearExprT] = {}
        self.windows: dict[Hashable, tuple] = {}  # task key -> (k, j, offset, tables) for hinting
        self.hintable: list[tuple] = []
        intervals: dict[Hashable, list] = {r.key: [] for r in problem.resources if not r.unlimited}
        self.upper = upper
        for job in problem.jobs:
            last_end = upper
            if tardiness_at_most is not None and job.weight > 0:
                # No schedule at least as good as the warm start finishes this job later than this.
                last_end = min(upper, job.due + tardiness_at_most // job.weight)
            latest: dict[Hashable, int] = {}
            for task in reversed(job.tasks):
                if task.fixed_start is not None:
                    last_end = upper  # what comes before a running operation is not bound by the job's end
                latest[task.key] = last_end
            for task in job.tasks:
                end_by = max(latest[task.key], head_e[task.key])
                self._task(task, head_s[task.key], head_e[task.key], end_by, end_by - tail.get(task.key, 0), intervals)

        resources = {r.key: r for r in problem.resources}
        for key, items in intervals.items():
            capacity = resources[key].capacity
            if len(items) <= capacity:
                continue
            if capacity == 1:
                m.add_no_overlap(items)
            else:
                m.add_cumulative(items, [1] * len(items), capacity)

        for job in problem.jobs:
            for pred, task in zip(job.tasks, job.tasks[1:], strict=False):
                if task.fixed_start is not None:
                    continue
                if task.overlap_minutes is None:
                    m.add(self.start[task.key] >= self.end[pred.key])
                else:
                    m.add(self.start[task.key] >= self.start[pred.key] + task.overlap_minutes)
                    m.add(self.end[task.key] >= self.end[pred.key])

        # The criteria.
        finishes = [self.end[job.tasks[-1].key] for job in problem.jobs if job.tasks]
        last_ends = [self.end[job.tasks[-1].key] for job in problem.jobs if job.tasks]
        for job in problem.jobs:  # a task before a fixed one may end after the job's "last" task
            for pred, task in zip(job.tasks, job.tasks[1:], strict=False):
                if task.fixed_start is not None:
                    last_ends.append(self.end[pred.key])
        low = max([head_e[t.key] for j in problem.jobs for t in j.tasks] or [0])
        self.makespan = m.new_int_var(low, max(low, upper), "makespan")
        for e in last_ends:
            m.add(self.makespan >= e)
        if makespan_mode:
            self._machine_bounds(head_s, tail)
        self.tardy: list[tuple] = []
        terms = []
        for job, finish in zip([j for j in problem.jobs if j.tasks], finishes, strict=True):
            late_max = upper - job.due
            if late_max <= 0:
                continue
            t = m.new_int_var(0, late_max, f"late_{job.key}")
            m.add(t >= finish - job.due)
            self.tardy.append((t, job))
            terms.append(job.weight * t)
        self.tardiness = sum(terms) if terms else 0
        self.flow = sum(
            self.end[job.tasks[-1].key] - self.start[job.tasks[0].key] for job in problem.jobs if job.tasks
        )

    def _task(self, task: Task, head_s: int, head_e: int, upper: int, latest_start: int, intervals: dict) -> None:
        m, cal, d = self.model, self.calendars[task.resource], task.duration
        name = str(task.key)
        if task.fixed_start is not None:
            s, e = head_s, head_e  # the heads of a fixed task are where it is
            self.start[task.key], self.end[task.key] = s, e
            if d > 0 and task.resource in intervals:
                intervals[task.resource].append(m.new_interval_var(s, e - s, e, f"i_{name}"))
            return
        if d <= 0:
            s = m.new_int_var(head_s, max(head_s, upper), f"s_{name}")
            self.start[task.key] = self.end[task.key] = s
            return
        if cal.always:
            s = m.new_int_var(head_s, max(head_s, min(upper - d, latest_start)), f"s_{name}")
            self.start[task.key], self.end[task.key] = s, s + d
            if task.resource in intervals:
                intervals[task.resource].append(m.new_fixed_size_interval_var(s, d, f"i_{name}"))
            return
        # Calendar: the windows the task can start or end in.
        first = bisect_right(cal.ends, head_s)  # the first window ending after the head
        last = max(first, bisect_left(cal.starts, upper) - 1)  # the last starting before the upper bound
        a_tab = cal.starts[first : last + 1]
        b_tab = cal.ends[first : last + 1]
        c_tab = cal.cum[first : last + 1]
        l_tab = [b - a for a, b in zip(a_tab, b_tab, strict=True)]
        n = len(a_tab)
        start_dom = cp_model.Domain.from_intervals(
            [
                [max(a, head_s), min(b - 1, upper - 1)]
                for a, b in zip(a_tab, b_tab, strict=True)
                if min(b - 1, upper - 1) >= max(a, head_s)
            ]
        )
        end_dom = cp_model.Domain.from_intervals(
            [
                [max(a + 1, head_e), min(b, upper)]
                for a, b in zip(a_tab, b_tab, strict=True)
                if min(b, upper) >= max(a + 1, head_e)
            ]
        )
        s = m.new_int_var_from_domain(start_dom, f"s_{name}")
        e = m.new_int_var_from_domain(end_dom, f"e_{name}")
        if n == 1:
            m.add(e == s + d)
            self.start[task.key], self.end[task.key] = s, e
            intervals.get(task.resource, []).append(m.new_interval_var(s, d, e, f"i_{name}"))
            return
        k = m.new_int_var(0, n - 1, f"k_{name}")
        j = m.new_int_var(0, n - 1, f"j_{name}")
        m.add(j >= k)
        ak = m.new_int_var(min(a_tab), max(a_tab), f"ak_{name}")
        bk = m.new_int_var(min(b_tab), max(b_tab), f"bk_{name}")
        ck = m.new_int_var(min(c_tab), max(c_tab), f"ck_{name}")
        aj = m.new_int_var(min(a_tab), max(a_tab), f"aj_{name}")
        cj = m.new_int_var(min(c_tab), max(c_tab), f"cj_{name}")
        lj = m.new_int_var(min(l_tab), max(l_tab), f"lj_{name}")
        m.add_element(k, a_tab, ak)
        m.add_element(k, b_tab, bk)
        m.add_element(k, c_tab, ck)
        m.add_element(j, a_tab, aj)
        m.add_element(j, c_tab, cj)
        m.add_element(j, l_tab, lj)
        m.add(s >= ak)
        m.add(s <= bk - 1)
        work_end = ck + s - ak + d
        m.add(work_end >= cj + 1)
        m.add(work_end <= cj + lj)
        m.add(e == aj + work_end - cj)
        size = m.new_int_var(d, max(d, upper), f"size_{name}")
        m.add(size == e - s)
        self.start[task.key], self.end[task.key] = s, e
        if task.resource in intervals:
            intervals[task.resource].append(m.new_interval_var(s, size, e, f"i_{name}"))
        self.windows[task.key] = (k, j, first, (ak, bk, ck, aj, cj, lj), size)

    def _machine_bounds(self, head_s: dict, tail: dict) -> None:
        by_resource: dict[Hashable, list[Task]] = {}
        for job in self.problem.jobs:
            for task in job.tasks:
                if self.calendars[task.resource].always and task.duration > 0:
                    by_resource.setdefault(task.resource, []).append(task)
        capacity = {r.key: (0 if r.unlimited else r.capacity) for r in self.problem.resources}
        for key, tasks in by_resource.items():
            if capacity[key] != 1:
                continue
            least_head = min(head_s[t.key] for t in tasks)
            least_tail = min(tail.get(t.key, t.duration) - t.duration for t in tasks)
            self.model.add(self.makespan >= least_head + sum(t.duration for t in tasks) + least_tail)

    def hint(self, starts: dict, ends: dict) -> None:
        m = self.model
        m.clear_hints()
        values: dict = {}
        for key, s in self.start.items():
            if isinstance(s, cp_model.IntVar):
                m.add_hint(s, starts[key])
            e = self.end[key]
            if isinstance(e, cp_model.IntVar) and e is not s:
                m.add_hint(e, ends[key])
        for key, (k, j, first, (ak, bk, ck, aj, cj, lj), size) in self.windows.items():
            cal = self.calendars[self._resource(key)]
            kv = _window_of(cal, starts[key], at_end=False) - first
            jv = _window_of(cal, ends[key], at_end=True) - first
            m.add_hint(k, kv)
            m.add_hint(j, jv)
            m.add_hint(ak, cal.starts[kv + first])
            m.add_hint(bk, cal.ends[kv + first])
            m.add_hint(ck, cal.cum[kv + first])
            m.add_hint(aj, cal.starts[jv + first])
            m.add_hint(cj, cal.cum[jv + first])
            m.add_hint(lj, cal.ends[jv + first] - cal.starts[jv + first])
            m.add_hint(size, ends[key] - starts[key])
        values = metrics(self.problem, starts, ends)
        m.add_hint(self.makespan, max(self.makespan.proto.domain[0], values["makespan"]))
        for t, job in self.tardy:
            m.add_hint(t, max(0, ends[job.tasks[-1].key] - job.due))

    def _resource(self, key: Hashable) -> Hashable:
        if not hasattr(self, "_task_resource"):
            self._task_resource = {t.key: t.resource for j in self.problem.jobs for t in j.tasks}
        return self._task_resource[key]

    def read(self, solver: cp_model.CpSolver) -> tuple[dict, dict]:
        starts = {key: int(solver.value(v)) for key, v in self.start.items()}
        ends = {key: int(solver.value(v)) for key, v in self.end.items()}
        return starts, ends


def _window_of(cal: Calendar, minute: int, *, at_end: bool) -> int:
    """The index of the window holding a start minute (or, at_end, an end minute: (A, B])."""
    if at_end:
        return bisect_left(cal.ends, minute)
    return bisect_right(cal.starts, minute) - 1


def _solver(seconds: float, workers: int, makespan_mode: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, seconds)
    p.num_workers = workers
    p.random_seed = 1
    return solver


def solve(
    problem: Problem,
    *,
    seconds: float = 10.0,
    workers: int = 2,
    objective: str = "tardiness",
    hint: Solution | None = None,
) -> Solution:
    if objective not in ("tardiness", "makespan"):
        raise ValueError(f"objective must be 'tardiness' or 'makespan', not {objective!r}")
    began = time.perf_counter()
    if hint is None:
        hint = dispatch(problem)
    makespan_mode = objective == "makespan"
    hinted = not hint.stats.get("unplaced") and len(hint.starts) == sum(len(j.tasks) for j in problem.jobs)
    upper = problem.horizon
    if makespan_mode and hinted and hint.status == "feasible":
        upper = min(upper, metrics(problem, hint.starts, hint.ends)["makespan"])
    late_bound = None if makespan_mode or not hinted else metrics(problem, hint.starts, hint.ends)["tardiness"]
    model = Model(problem, upper=upper, makespan_mode=makespan_mode, tardiness_at_most=late_bound)
    if hinted:
        model.hint(hint.starts, hint.ends)

    if makespan_mode:
        criteria = [("makespan", model.makespan, 1.0)]
    else:
        criteria = [("tardiness", model.tardiness, 0.6), ("makespan", model.makespan, 0.6), ("flow", model.flow, 1.0)]
    phases = []
    best = None  # (starts, ends) of the last phase's solution
    for number, (name, expr, share) in enumerate(criteria):
        left = seconds - (time.perf_counter() - began)
        budget = left * share if number < len(criteria) - 1 else left
        if number and budget < 0.05:
            break
        if isinstance(expr, int):  # e.g. no job can be late before the horizon
            phases.append({"objective": name, "status": "optimal", "seconds": 0.0, "value": expr, "bound": expr})
            continue
        model.model.minimize(expr)
        solver = _solver(budget, workers, makespan_mode)
        code = solver.solve(model.model)
        phase = {
            "objective": name,
            "status": STATUS[code],
            "seconds": round(solver.wall_time, 3),
            "value": None,
            "bound": None,
        }
        phases.append(phase)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        value = int(round(solver.objective_value))
        phase["value"], phase["bound"] = value, int(round(solver.best_objective_bound))
        best = model.read(solver)
        model.model.add(expr <= value)
        model.hint(*best)

    if best is None:
        status = phases[0]["status"] if phases else "time_limit"
        return Solution(
            starts=dict(hint.starts),
            ends=dict(hint.ends),
            method="cp-sat",
            status="infeasible" if status == "infeasible" and not hinted else hint.status,
            objective=hint.objective,
            seconds=time.perf_counter() - began,
            stats={**hint.stats, "phases": phases, "fallback": "dispatch"},
        )
    starts, ends = best
    values = metrics(problem, starts, ends)
    return Solution(
        starts=starts,
        ends=ends,
        method="cp-sat",
        status=phases[0]["status"],
        objective=phases[0]["value"],
        bound=phases[0]["bound"],
        seconds=time.perf_counter() - began,
        stats={**values, "phases": phases, "hint": hint.stats.get(objective), "hinted": hinted},
    )
