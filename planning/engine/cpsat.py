"""The CP-SAT model of a Problem: the shop's schedule (objective "tardiness") and the benchmarks ("makespan").

Time axis. The model does not run on calendar minutes but on the working minutes of the shop: the union U
of the limited resources' working windows (plain minutes when one of them always works or none has a
calendar, as in the benchmarks). The map X(t) = working minutes of U before t is monotone, so every
order in time is kept, and a task of d working minutes on a resource that keeps U's calendar is a
fixed-size interval of length d on the axis: the pauses between shifts simply have no image. That is
exact: e = s + d on the axis <=> e = s + d + the non-working minutes between, in calendar minutes, and
precedence, earliest starts and capacity (at every working minute) mean the same on both scales. A
first encoding in calendar minutes (element constraints over each task's windows, start and end window
indices) was exact for any calendar but CP-SAT expands element constraints to one literal per window:
1,200 operations over a year of shifts became 386,000 variables and never left presolve. On the axis the
model has one start variable and one fixed-size interval per task, whatever the number of windows.

Where the axis is not exact: an outside operation (an unlimited resource without calendar: a lead time in
calendar minutes) and a resource whose calendar differs from U (one shift where others run two) get the
mean axis length of their work over the calendar, and the second kind may only start inside its own
windows' images (a domain of intervals, no expansion). The model is then a close guide, not the truth, so
its answer is never taken as is: its order (by axis start) is re-timed by the same serial scheme as the
dispatching rule on the real calendars, which gives exact minutes (pauses, windows, capacity, overlap)
and is, where the model is exact, never later than the model's own schedule on a machine of capacity 1.
The answer is the best of the warm start, the re-timed schedule and (where exact) the model's schedule
mapped back, compared lexicographically on the exact figures (re-timing starts each task as early as its
order allows, so phase 3's later job starts survive only in the model's own schedule); the validator
(planning.engine.validate) checks the result independently in the tests.

Constraints on the axis, per task of positive size that is not fixed: start >= its head (the earliest start
its job's chain allows without capacity, computed on the real calendars, so a valid bound) and <= the
upper bound less its tail; a fixed task (a running operation) is a constant interval from its fixed start
to the end its calendar gives (it may have started outside a window; precedence and earliest starts do not
bind it, they only bind what follows it); a task of duration 0 is a point that takes no capacity. Per
resource: NoOverlap for capacity 1, Cumulative (demand 1 each) above, nothing for an unlimited one.
Precedence: start >= predecessor's end; with overlap_minutes o: start >= predecessor's start + o (o
calendar minutes hold at most o axis minutes, so this is safe) and end >= predecessor's end.

Objective "tardiness" (the shop) is lexicographic, in three phases on one model, each warm-started with
the previous phase's schedule and each fixing the previous criterion at its best value found: (1) total
weighted tardiness, sum over jobs of weight x max(0, finish - due) (on the axis: working minutes late),
60% of the time; (2) the makespan, 60% of the rest; (3) the flow time, sum over jobs of last end - first
start (the time work spends open on the floor: work in progress), the rest. A phase proven optimal early
hands its time on. Phases keep each criterion strictly first, which a weighted sum does only with weights
that overflow at shop scale. Each phase spends 30% of its time in CP-SAT's full portfolio (it proves small
cases and gives the bound) and 70% in large-neighbourhood search only, from the best schedule so far. The
warm start is the best of the dispatching rules (EDD, the baseline, and slack, ATC, WSPT orders), re-timed
on the axis so that it is a schedule of the model: a feasible solution exists at once. The reported
status, objective (exact, in calendar minutes, of the returned schedule) and bound are phase 1's; the bound
only where the model is exact on plain minutes, the status "optimal" only where the model is exact.

Objective "makespan" (the benchmarks) is one phase. The warm start's makespan bounds every end and, with
each job's remaining work (its tail), every start; a redundant bound per machine (makespan >= least head +
all its work + least tail) feeds the LP. On a pure job shop (planning.engine.tabu.applies: capacity 1, no
calendars, nothing fixed or overlapping) the warm start is the best dispatching rule improved by a tabu
search on the critical path for TABU_SHARE of the time (a multi-start on as many threads as the solver has
workers; it stops early at the lower bound); its schedule, within about 1% of the best known on the hard
Lawrence instances, is hinted, and CP-SAT then spends the rest of the time as `_runs` says, with PROVER as
its full-problem worker. Elsewhere in
makespan mode the rule's schedule is a bound and a fallback only: as a hint it slowed the solver (its first
schedule is far worse than CP-SAT's own; docs/performance.md).
"""

import dataclasses
import time
from collections.abc import Hashable

from ortools.sat.python import cp_model

from . import tabu
from .calendar import Calendar
from .dispatch import RULES, calendars_of, dispatch, metrics, release, serial
from .problem import Problem, Solution, Task

# Makespan mode on a pure job shop: the share of the time limit the tabu search takes before CP-SAT. Measured
# on eight hard instances (10 s): 0.2 scored a mean gap of 0.13%, 0.5 0.18%, 0.8 0.30% (docs/performance.md).
TABU_SHARE = 0.2

# Makespan mode after the tabu search: CP-SAT's full-problem worker. The default (default_lp) never raised
# ft10's bound above 808 in 20 s on two workers; lb_tree_search, a best-first search on the LP bound, proves
# ft10 (930) in 5.8-7.5 s alone and la19, la20, la22, la36 and la39 within the engine's 10 s, and scored
# the same gaps (docs/performance.md, round 6).
PROVER = "lb_tree_search"

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


class Frame:
    """The model's time axis: the working minutes of the union of the limited resources' calendars (plain
    minutes when one of them always works, or none has a calendar). Monotone, so order is kept."""

    def __init__(self, problem: Problem, calendars: dict[Hashable, Calendar]):
        limited = [r for r in problem.resources if not r.unlimited]
        if not limited or any(r.windows is None for r in limited):
            self.cal = Calendar(None)
        else:
            merged: list[list[int]] = []
            for a, b in sorted(w for r in limited for w in r.windows if w[1] > w[0]):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            self.cal = Calendar(tuple((a, b) for a, b in merged))
        self.key = (tuple(self.cal.starts), tuple(self.cal.ends), self.cal.always)
        self.calendars = calendars
        self._sizes: dict[tuple, int] = {}
        self._exact: dict[Hashable, bool] = {}

    def x(self, minute: int) -> int:
        return self.cal.worked_before(minute)

    def start_minute(self, x: int) -> int:
        minute = self.cal.minute_of_work(x)
        return minute if minute is not None else self.cal.ends[-1] + (x - self.cal.total)

    def end_minute(self, x: int) -> int:
        return x if self.cal.always else (self.start_minute(x - 1) + 1 if x > 0 else self.start_minute(0))

    def exact_for(self, resource) -> bool:
        # Memoized: comparing the windows of a ten-year calendar per task was seconds of model building.
        exact = self._exact.get(resource.key)
        if exact is None:
            cal = self.calendars[resource.key]
            exact = self._exact[resource.key] = (tuple(cal.starts), tuple(cal.ends), cal.always) == self.key
        return exact

    def size(self, resource, duration: int, horizon: int) -> int:
        """The task's length on the axis: its duration where the resource keeps the axis's calendar, else
        the mean number of axis minutes it spans (sampled at the window starts and ends of both
        calendars): a guide only, since the model's order is re-timed on the real calendars."""
        if duration <= 0 or self.exact_for(resource):
            return max(0, duration)
        memo = (resource.key, duration)
        if memo not in self._sizes:
            cal = self.calendars[resource.key]
            probes = set(cal.starts[:200]) | set(self.cal.starts[:200]) | {0}
            probes |= {b - 1 for b in cal.ends[:200]} | {b - 1 for b in self.cal.ends[:200]}
            spans = []
            for s in sorted(probes):
                s = cal.next_working(max(0, s))
                if s is None or s >= horizon:
                    continue
                e = cal.end_of(s, duration)
                if e is not None:
                    spans.append(self.x(e) - self.x(s))
            self._sizes[memo] = max(1, -(-sum(spans) // len(spans))) if spans else duration
        return self._sizes[memo]


class Model:
    """The CP-SAT model of one Problem on the Frame's axis, its variables by task, and hints."""

    def __init__(self, problem: Problem, *, upper: int, makespan_mode: bool, tardiness_at_most: int | None = None):
        self.problem = problem
        self.model = m = cp_model.CpModel()
        self.calendars = calendars_of(problem)
        self.frame = fr = Frame(problem, self.calendars)
        resources = {r.key: r for r in problem.resources}
        self.exact = all(fr.exact_for(r) for r in problem.resources)
        head_s, head_e = heads(problem, self.calendars)
        tail = tails(problem, self.calendars) if makespan_mode and fr.cal.always else {}
        x_upper = fr.x(upper) if not fr.cal.always else upper
        self.start: dict[Hashable, cp_model.LinearExprT] = {}
        self.end: dict[Hashable, cp_model.LinearExprT] = {}
        self.size: dict[Hashable, int] = {}
        self.lo: dict[Hashable, int] = {}  # the axis image of each task's head: a lower bound on its start
        intervals: dict[Hashable, list] = {r.key: [] for r in problem.resources if not r.unlimited}
        for job in problem.jobs:
            last_end = x_upper
            if tardiness_at_most is not None and job.weight > 0 and self.exact and fr.cal.always:
                # No schedule at least as good as the warm start finishes this job later than this.
                last_end = min(x_upper, job.due + tardiness_at_most // job.weight)
            latest: dict[Hashable, int] = {}
            for task in reversed(job.tasks):
                if task.fixed_start is not None:
                    last_end = x_upper  # what comes before a running operation is not bound by the job's end
                latest[task.key] = last_end
            for task in job.tasks:
                self._task(task, resources[task.resource], head_s[task.key], latest[task.key], tail, intervals, upper)

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
                    # o calendar minutes hold at most o axis minutes: asking o on the axis is safe.
                    m.add(self.start[task.key] >= self.start[pred.key] + task.overlap_minutes)
                    m.add(self.end[task.key] >= self.end[pred.key])

        # The criteria, in axis minutes (calendar minutes when the axis has no pauses).
        last_ends = [self.end[job.tasks[-1].key] for job in problem.jobs if job.tasks]
        for job in problem.jobs:  # a task before a fixed one may end after the job's "last" task
            for pred, task in zip(job.tasks, job.tasks[1:], strict=False):
                if task.fixed_start is not None:
                    last_ends.append(self.end[pred.key])
        low = max([fr.x(e) for e in head_e.values()] or [0])
        self.makespan = m.new_int_var(low, max(low, x_upper), "makespan")
        for e in last_ends:
            m.add(self.makespan >= e)
        if makespan_mode:
            self._machine_bounds({k: fr.x(v) for k, v in head_s.items()}, tail)
        self.tardy: list[tuple] = []
        terms = []
        for job in problem.jobs:
            if not job.tasks:
                continue
            due = fr.x(job.due)
            if x_upper - due <= 0:
                continue
            t = m.new_int_var(0, x_upper - due, f"late_{job.key}")
            m.add(t >= self.end[job.tasks[-1].key] - due)
            self.tardy.append((t, job, due))
            terms.append(job.weight * t)
        self.tardiness = sum(terms) if terms else 0
        self.flow = sum(
            self.end[job.tasks[-1].key] - self.start[job.tasks[0].key] for job in problem.jobs if job.tasks
        )

    def _task(self, task: Task, resource, head_s: int, latest_end: int, tail: dict, intervals: dict, upper: int):
        m, fr, name = self.model, self.frame, str(task.key)
        if task.fixed_start is not None:
            cal = self.calendars[task.resource]
            s, e = fr.x(task.fixed_start), fr.x(cal.end_of(task.fixed_start, task.duration))
            self.start[task.key], self.end[task.key], self.size[task.key] = s, e, e - s
            if task.duration > 0 and e > s and task.resource in intervals:
                intervals[task.resource].append(m.new_interval_var(s, e - s, e, f"i_{name}"))
            return
        size = fr.size(resource, task.duration, upper)
        self.size[task.key] = size
        lo = fr.x(head_s)
        self.lo[task.key] = lo
        hi = max(lo, latest_end - max(size, tail.get(task.key, 0)))
        cal = self.calendars[task.resource]
        if size > 0 and not cal.always and not fr.exact_for(resource):
            # Start inside one of the resource's own windows (their images on the axis).
            spans = []
            for a, b in zip(cal.starts, cal.ends, strict=True):
                xa, xb = fr.x(a), fr.x(b) - 1
                if xb < lo:
                    continue
                if xa > hi:
                    break
                spans.append([max(xa, lo), min(xb, hi)])
            domain = cp_model.Domain.from_intervals(spans or [[lo, lo]])
            s = m.new_int_var_from_domain(domain, f"s_{name}")
        else:
            s = m.new_int_var(lo, hi, f"s_{name}")
        self.start[task.key], self.end[task.key] = s, s + size
        if size > 0 and task.resource in intervals:
            intervals[task.resource].append(m.new_fixed_size_interval_var(s, size, f"i_{name}"))

    def _machine_bounds(self, head_s: dict, tail: dict) -> None:
        by_resource: dict[Hashable, list[Task]] = {}
        for job in self.problem.jobs:
            for task in job.tasks:
                if task.fixed_start is None and self.size[task.key] > 0:
                    by_resource.setdefault(task.resource, []).append(task)
        capacity = {r.key: (0 if r.unlimited else r.capacity) for r in self.problem.resources}
        for key, tasks in by_resource.items():
            if capacity[key] != 1:
                continue
            least_head = min(head_s[t.key] for t in tasks)
            least_tail = min(tail.get(t.key, t.duration) - t.duration for t in tasks)
            self.model.add(self.makespan >= least_head + sum(self.size[t.key] for t in tasks) + least_tail)

    def hint_calendar(self, starts: dict, ends: dict) -> None:
        """Hint a schedule given in calendar minutes (e.g. the dispatching rule's). Where the model is exact
        it is the same schedule on the axis; elsewhere (a vendor's lead time, a resource off the axis's
        calendar) the schedule's order is re-timed on the axis with the model's sizes, so that the hint is
        a schedule of the model."""
        fr = self.frame
        x_starts = {k: fr.x(v) for k, v in starts.items()}
        if not self.exact:
            order = sorted(
                (
                    (x_starts[t.key], i, t, job.tasks[i - 1] if i else None)
                    for job in self.problem.jobs
                    for i, t in enumerate(job.tasks)
                ),
                key=lambda item: item[:2],
            )
            axis = self._axis_problem()
            by_key = {t.key: t for j in axis.jobs for t in j.tasks}
            placed = serial(
                axis,
                [(by_key[t.key], by_key[p.key] if p else None) for _, _, t, p in order],
                method="hint",
            )
            if not placed.stats["unplaced"]:
                x_starts = placed.starts
        self.hint(x_starts)

    def _axis_problem(self) -> Problem:
        """The problem on the axis: every resource always works, every task lasts its model size."""
        fr = self.frame
        jobs = []
        for job in self.problem.jobs:
            tasks = []
            for task in job.tasks:
                fixed = None if task.fixed_start is None else self.start[task.key]
                tasks.append(
                    dataclasses.replace(
                        task,
                        duration=self.size[task.key],
                        earliest_start=self.lo.get(task.key, fr.x(task.earliest_start)),
                        fixed_start=fixed,
                    )
                )
            jobs.append(dataclasses.replace(job, tasks=tuple(tasks)))
        resources = tuple(dataclasses.replace(r, windows=None) for r in self.problem.resources)
        return Problem(resources=resources, jobs=tuple(jobs), horizon=10**12)

    def hint(self, x_starts: dict) -> None:
        m = self.model
        m.clear_hints()
        ends = {}
        for key, s in self.start.items():
            if isinstance(s, cp_model.IntVar):
                m.add_hint(s, x_starts[key])
            ends[key] = x_starts[key] + self.size[key] if isinstance(s, cp_model.IntVar) else self.end[key]
        finish = [ends[j.tasks[-1].key] for j in self.problem.jobs if j.tasks]
        for job in self.problem.jobs:
            for pred, task in zip(job.tasks, job.tasks[1:], strict=False):
                if task.fixed_start is not None:
                    finish.append(ends[pred.key])
        low = self.makespan.proto.domain[0]
        m.add_hint(self.makespan, max([low, *finish]))
        for t, job, due in self.tardy:
            m.add_hint(t, max(0, ends[job.tasks[-1].key] - due))

    def read(self, solver: cp_model.CpSolver) -> dict:
        return {key: int(solver.value(v)) for key, v in self.start.items()}

    def to_calendar(self, x_starts: dict) -> tuple[dict, dict]:
        """The model's schedule in calendar minutes (exact when the model is)."""
        fr = self.frame
        starts, ends = {}, {}
        for job in self.problem.jobs:
            for i, task in enumerate(job.tasks):
                cal = self.calendars[task.resource]
                if task.fixed_start is not None:
                    starts[task.key] = task.fixed_start
                    ends[task.key] = cal.end_of(task.fixed_start, task.duration)
                elif task.duration > 0:
                    x = x_starts[task.key]
                    starts[task.key] = fr.start_minute(x)
                    ends[task.key] = fr.end_minute(x + self.size[task.key])
                else:  # a point: as early as its job allows (pauses have no image on the axis)
                    ready, _ = release(cal, task, job.tasks[i - 1] if i else None, starts, ends)
                    starts[task.key] = ends[task.key] = ready
        return starts, ends

    def order(self, x_starts: dict) -> list[tuple[Task, Task | None]]:
        """Every task with its predecessor, by the model's start (then its end, then routing position)."""
        items = []
        for job in self.problem.jobs:
            for i, task in enumerate(job.tasks):
                x = x_starts[task.key] if task.fixed_start is None else self.start[task.key]
                items.append(((x, x + self.size[task.key], i), task, job.tasks[i - 1] if i else None))
        items.sort(key=lambda item: item[0])
        return [(task, pred) for _, task, pred in items]


def _solver(seconds: float, workers: int, *, lns_only: bool = False, prover: str | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, seconds)
    p.num_workers = workers
    p.random_seed = 1
    if lns_only:
        p.use_lns_only = True
    elif prover:
        # The full-problem worker; the others stay CP-SAT's interleaved LNS and local search.
        p.subsolvers.append(prover)
    return solver


def _key(values: dict, objective: str) -> tuple:
    if objective == "makespan":
        return values["makespan"], values["tardiness"], values["flow"]
    return values["tardiness"], values["makespan"], values["flow"]


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
    warm = hint
    total = sum(len(j.tasks) for j in problem.jobs)
    if objective == "tardiness" and len(hint.starts) == len(hint.ends) == total:
        # Other loading orders are cheap: start from the best of them (the given hint is the baseline).
        best_key = _key(metrics(problem, hint.starts, hint.ends), objective)
        for rule in RULES:
            if rule != hint.stats.get("rule"):
                other = dispatch(problem, rule)
                if not other.stats["unplaced"] and _key(other.stats, objective) < best_key:
                    hint, best_key = other, _key(other.stats, objective)
    makespan_mode = objective == "makespan"
    searched = None
    if makespan_mode and tabu.applies(problem) and len(hint.starts) == total and hint.status == "feasible":
        # The pure job shop (the benchmarks): the best rule's schedule, improved by a tabu search on the
        # critical path for a share of the time, is both the hint and the makespan's upper bound.
        for rule in RULES:
            other = dispatch(problem, rule) if rule != hint.stats.get("rule") else hint
            if not other.stats["unplaced"] and other.status == "feasible":
                if other.stats["makespan"] < metrics(problem, hint.starts, hint.ends)["makespan"]:
                    hint = other
        searched = tabu.search(problem, seconds=seconds * TABU_SHARE, starts=hint.starts, threads=workers)
        if searched.objective < metrics(problem, hint.starts, hint.ends)["makespan"]:
            hint = searched
    hinted = not hint.stats.get("unplaced") and len(hint.starts) == total and len(hint.ends) == total
    hint_values = metrics(problem, hint.starts, hint.ends) if hinted else None
    upper = problem.horizon
    if makespan_mode and hinted and hint.status == "feasible":
        upper = min(upper, hint_values["makespan"])
    late_bound = None if makespan_mode or not hinted else hint_values["tardiness"]
    try:
        model = Model(problem, upper=upper, makespan_mode=makespan_mode, tardiness_at_most=late_bound)
    except ValueError as exc:  # e.g. an operation cannot finish inside its resource's windows at all
        return Solution(
            starts=dict(hint.starts),
            ends=dict(hint.ends),
            method="cp-sat",
            status="infeasible",
            objective=None,
            seconds=time.perf_counter() - began,
            stats={**hint.stats, "phases": [], "fallback": "dispatch", "reason": str(exc)},
        )
    if hinted and (not makespan_mode or hint.method == "tabu"):
        # Makespan mode: a rule's schedule only bounds the makespan (the domains); as a hint it was
        # measured to slow the solver down on the benchmarks (its first schedule is far from the
        # solver's own). The tabu search's schedule, a few percent from the best known, helps as a hint.
        model.hint_calendar(hint.starts, hint.ends)
    built = time.perf_counter() - began

    if makespan_mode:
        criteria = [("makespan", model.makespan, 1.0)]
    else:
        criteria = [("tardiness", model.tardiness, 0.6), ("makespan", model.makespan, 0.6), ("flow", model.flow, 1.0)]
    phases = []
    best = None  # axis starts of the last phase's solution
    for number, (name, expr, share) in enumerate(criteria):
        left = seconds - (time.perf_counter() - began)
        budget = left * share if number < len(criteria) - 1 else left
        if number and budget < 0.05:
            break
        if isinstance(expr, int):  # e.g. no job can be late before the horizon
            phases.append({"objective": name, "status": "optimal", "seconds": 0.0, "value": expr, "bound": expr})
            continue
        model.model.minimize(expr)
        phase = {"objective": name, "status": "time_limit", "seconds": 0.0, "value": None, "bound": None}
        phases.append(phase)
        prover = PROVER if hint.method == "tabu" else None
        phase["full_solver"] = prover or "default"
        for run_seconds, lns_only in _runs(budget, workers, prover is not None):
            solver = _solver(run_seconds, workers, lns_only=lns_only, prover=prover)
            code = solver.solve(model.model)
            phase["seconds"] = round(phase["seconds"] + solver.wall_time, 3)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                value = int(round(solver.objective_value))
                if phase["value"] is None or value <= phase["value"]:
                    phase["value"] = value
                    best = model.read(solver)
                    model.hint(best)
                if not lns_only:
                    phase["bound"] = int(round(solver.best_objective_bound))
            phase["status"] = STATUS[code] if phase["value"] is None or code != cp_model.UNKNOWN else phase["status"]
            if code in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                break
        if phase["value"] is not None and phase["bound"] is not None and phase["value"] <= phase["bound"]:
            phase["status"] = "optimal"
        if phase["value"] is None:
            break
        model.model.add(expr <= phase["value"])

    # The model's schedule in exact calendar minutes: as it is where the model is exact, and re-timed
    # (its order kept, every task at the earliest minute the real calendars allow) in any case; the best of
    # those and the warm start is the answer.
    candidates = []
    if hinted:
        candidates.append((hint.method, dict(hint.starts), dict(hint.ends)))
    if best is not None:
        retimed = serial(problem, model.order(best), method="cp-sat")
        if not retimed.stats["unplaced"]:
            candidates.append(("retimed", retimed.starts, retimed.ends))
        if model.exact:
            candidates.append(("model", *model.to_calendar(best)))
    if not candidates:
        return Solution(
            starts=dict(hint.starts),
            ends=dict(hint.ends),
            method="cp-sat",
            status="infeasible",
            objective=None,
            seconds=time.perf_counter() - began,
            stats={**hint.stats, "phases": phases, "fallback": "dispatch"},
        )
    scored = [
        (_key(metrics(problem, st, en), objective), i, name, st, en) for i, (name, st, en) in enumerate(candidates)
    ]
    key, _, chosen, starts, ends = min(scored)
    values = metrics(problem, starts, ends)
    main = phases[0] if phases else {"status": "time_limit", "bound": None}
    status = main["status"]
    if not model.exact and status == "optimal":
        status = "feasible"  # optimal for the model's axis, not a proof for the real calendars
    bound = main["bound"] if model.exact and model.frame.cal.always else None
    if best is None:  # the solver found nothing: the warm start stands
        infeasible = main["status"] == "infeasible" or hint.status == "infeasible"
        status = "infeasible" if infeasible else "time_limit"
    return Solution(
        starts=starts,
        ends=ends,
        method="cp-sat",
        status=status,
        objective=values[objective],
        bound=bound,
        seconds=time.perf_counter() - began,
        stats={
            **values,
            "phases": phases,
            "chosen": chosen,
            "exact_model": model.exact,
            "build_seconds": round(built, 3),
            "hint": hint_values[objective] if hint_values else None,
            "hint_rule": hint.stats.get("rule"),
            "warm_start": warm.stats.get(objective),
            "tabu": None if searched is None else {k: searched.stats[k] for k in ("first", "makespan", "iterations")},
        },
    )


def _runs(budget: float, workers: int, searched: bool) -> list[tuple[float, bool]]:
    """How a phase spends its time: (seconds, LNS only?) runs, each warm-started from the one before.
    First the full portfolio (it proves small cases optimal and gives the bound), then both workers on
    large-neighbourhood search only from the best schedule so far: measured better on the job-shop
    benchmarks than the portfolio alone with two workers (docs/performance.md). After the tabu search
    (`searched`) the hint is already good and one run takes all the time: PROVER on one worker, CP-SAT's
    interleaved LNS from the hint on the other. With the default full solver an LNS-only run first (40%)
    was best; with PROVER, 0% scored as 30% and 40% on eight hard instances and proved ft10 in 6.8 s
    instead of 8.9-10 s (docs/performance.md)."""
    if searched:
        return [(budget, False)]
    return [(budget * 0.3, False), (budget * 0.7, True)]
