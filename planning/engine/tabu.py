"""A tabu search on the critical path for the pure job shop (the benchmarks): the solver's warm start.

It applies where the makespan is exact as a longest path in the disjunctive graph: every limited resource
has capacity 1 and no calendar, no task is fixed, none overlaps its predecessor, and no outside
(unlimited) resource is used; earliest starts are kept as release dates (heads). Elsewhere `applies` says
no and the engine keeps the dispatching rules' warm start.

The schedule is one sequence per machine; heads (earliest starts) and tails (work that must follow each
task's end) come from one topological pass each over the job and machine arcs. The neighbourhood is N5
(Nowicki and Smutnicki 1996): on one critical path, split into blocks of consecutive tasks on the same
machine, swap the first two or the last two tasks of a block (not the first pair of the first block nor
the last pair of the last one); such a swap never makes a cycle. Each move is rated by the usual
estimate from the heads and tails of its two tasks' neighbours; the best move that is not tabu (or beats
the best makespan) is made, and the swapped arc may not be reversed for a random tenure. After a while
without improvement the search restarts from its best schedule with a few random moves on its critical
path, and one run stops after `max_idle` restarts in a row that found nothing better.

Runs are cheap, so the search is a multi-start: run after run from the given schedule, each with its own
seed (its own tie-breaks, tenures and kicks), until the time is up, on `threads` threads at once; the best
of all runs is the answer. Measured on eight hard instances (4 s, one thread): independent runs from the
given schedule scored a mean gap of 0.37%, runs that start from the best so far 1.5% (they all fall into
the same valley). The moves are compiled by numba (nogil, so the threads use both cores): one move costs
about 2.5 us on la29's 200 tasks, where the first pure-Python search took 400 to 1,000 us. Compiling takes
a few seconds once per machine (numba caches it beside this file); `warm_up` does it ahead of a timed run.
With `iterations` it is one run of that many moves from `seed`: deterministic.

The answer is a Solution of plain minutes with every task at its head (a semi-active schedule), so its
makespan is the longest path, checked by planning.engine.validate like every other schedule.
"""

import itertools
import threading
import time

import numpy as np
from numba import njit

from .problem import Job, Problem, Resource, Solution, Task

# A reversed arc stays tabu for TENURE[0] + a random number below TENURE[1] moves: measured with the
# multi-start on eight hard instances (4 s each): 8-15 scored 0.37%, 12-19 0.80%, 10-14 (restarting after
# 2 x tasks moves) 0.63% (docs/performance.md).
TENURE = (8, 8)
# One run restarts from its best after `PATIENCE` x tasks moves (at least 500) without improvement.
PATIENCE = 4
# A run's moves at most, so that a multi-start run ends near its deadline (the compiled loop has no clock).
RUN_CAP = 1_000_000
# The multi-start ends early once this many runs in a row found nothing better (small instances: ft06 in
# a fraction of a second; on la29 a run takes about 30 ms, so it runs to its time).
STALL_RUNS = 200


def applies(problem: Problem) -> bool:
    resources = {r.key: r for r in problem.resources}
    for job in problem.jobs:
        for task in job.tasks:
            r = resources.get(task.resource)
            if r is None or r.unlimited or r.capacity != 1 or r.windows is not None:
                return False
            if task.fixed_start is not None or task.overlap_minutes is not None or task.duration < 0:
                return False
    return True


def lower_bound(problem: Problem) -> int:
    """Max of every job's release + work and every machine's least head + load + least tail."""
    best = 0
    per: dict = {}
    for job in problem.jobs:
        head = 0
        total = sum(t.duration for t in job.tasks)
        done = 0
        for task in job.tasks:
            head = max(head, task.earliest_start)
            rest = total - done - task.duration
            per.setdefault(task.resource, []).append((head, task.duration, rest))
            head += task.duration
            done += task.duration
        best = max(best, head)
    for items in per.values():
        best = max(best, min(h for h, _, _ in items) + sum(d for _, d, _ in items) + min(q for _, _, q in items))
    return best


@njit(cache=True, nogil=True)
def _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack):
    """Heads r, tails q (after the task's end) and the makespan, or -1 on a cycle."""
    n = p.shape[0]
    top = 0
    for i in range(n):
        indeg[i] = (jp[i] >= 0) + (mp[i] >= 0)
        r[i] = release[i]
        if indeg[i] == 0:
            stack[top] = i
            top += 1
    count = 0
    while top > 0:
        top -= 1
        i = stack[top]
        order[count] = i
        count += 1
        e = r[i] + p[i]
        for k in (js[i], ms[i]):
            if k >= 0:
                if e > r[k]:
                    r[k] = e
                indeg[k] -= 1
                if indeg[k] == 0:
                    stack[top] = k
                    top += 1
    if count < n:
        return -1
    cmax = 0
    for at in range(n - 1, -1, -1):
        i = order[at]
        v = 0
        k = js[i]
        if k >= 0:
            v = q[k] + p[k]
        k = ms[i]
        if k >= 0 and q[k] + p[k] > v:
            v = q[k] + p[k]
        q[i] = v
        if r[i] + p[i] > cmax:
            cmax = r[i] + p[i]
    return cmax


@njit(cache=True, nogil=True)
def _moves(p, jp, mp, r, q, cmax, path, starts, sizes, mu, mv):
    """The N5 moves (u right before v on their machine; the move puts v before u) of one critical path,
    into mu and mv; returns how many."""
    n = p.shape[0]
    end = -1
    for i in range(n):
        if r[i] + p[i] == cmax and q[i] == 0:
            end = i
            break
    if end < 0:
        return 0
    length = 1
    path[0] = end
    i = end
    while True:  # back from the end: path[0] is the last task, path[length - 1] the first
        k = mp[i]
        if not (k >= 0 and r[k] + p[k] == r[i]):
            k = jp[i]
            if not (k >= 0 and r[k] + p[k] == r[i]):
                break
        i = k
        path[length] = i
        length += 1
    blocks = 1
    starts[0] = length - 1
    sizes[0] = 1
    for at in range(length - 1, 0, -1):
        if mp[path[at - 1]] == path[at]:
            sizes[blocks - 1] += 1
        else:
            starts[blocks] = at - 1
            sizes[blocks] = 1
            blocks += 1
    count = 0
    for b in range(blocks):
        size, s = sizes[b], starts[b]
        if size < 2:
            continue
        if b > 0 or blocks == 1:
            mu[count], mv[count] = path[s], path[s - 1]
            count += 1
        if (b < blocks - 1 and (size > 2 or b == 0)) or (blocks == 1 and size > 2):
            mu[count], mv[count] = path[s - size + 2], path[s - size + 1]
            count += 1
    return count


@njit(cache=True, nogil=True)
def _swap(u, v, mp, ms):
    """u right before v on their machine -> v right before u."""
    before, after = mp[u], ms[v]
    mp[v], ms[v], mp[u], ms[u] = before, u, v, after
    if before >= 0:
        ms[before] = v
    if after >= 0:
        mp[after] = u


@njit(cache=True, nogil=True)
def _run(p, jp, js, release, mp, ms, iterations, lower, seed, tenure0, tenure1, patience, max_idle):
    """One tabu search run from the sequences mp/ms (changed in place). Returns the best makespan, the
    best sequences and the moves made."""
    np.random.seed(seed)
    n = p.shape[0]
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    indeg = np.zeros(n, np.int64)
    stack = np.zeros(n, np.int64)
    path = np.zeros(n, np.int64)
    starts = np.zeros(n, np.int64)
    sizes = np.zeros(n, np.int64)
    mu = np.zeros(2 * n + 2, np.int64)
    mv = np.zeros(2 * n + 2, np.int64)
    tabu = np.zeros((n, n), np.int64)
    cmax = _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack)
    best, best_mp, best_ms = cmax, mp.copy(), ms.copy()
    since, idle, last_restart_best, it = 0, 0, best, 0
    while best > lower and it < iterations:
        it += 1
        count = _moves(p, jp, mp, r, q, cmax, path, starts, sizes, mu, mv)
        if count == 0:
            break
        chosen, chosen_value, fallback, fallback_until = -1, 0, -1, 0
        for m in range(count):
            u, v = mu[m], mv[m]
            a, b, ju, jv, su, sv = mp[u], ms[v], jp[u], jp[v], js[u], js[v]
            rv = release[v]
            if jv >= 0 and r[jv] + p[jv] > rv:
                rv = r[jv] + p[jv]
            if a >= 0 and r[a] + p[a] > rv:
                rv = r[a] + p[a]
            ru = max(rv + p[v], release[u])
            if ju >= 0 and r[ju] + p[ju] > ru:
                ru = r[ju] + p[ju]
            qu = q[su] + p[su] if su >= 0 else 0
            if b >= 0 and q[b] + p[b] > qu:
                qu = q[b] + p[b]
            qv = qu + p[u]
            if sv >= 0 and q[sv] + p[sv] > qv:
                qv = q[sv] + p[sv]
            value = max(rv + p[v] + qv, ru + p[u] + qu)
            if tabu[u, v] > it and value >= best:  # tabu, and no new best (aspiration)
                if fallback < 0 or tabu[u, v] < fallback_until:
                    fallback, fallback_until = m, tabu[u, v]
                continue
            if chosen < 0 or value < chosen_value or (value == chosen_value and np.random.random() < 0.5):
                chosen, chosen_value = m, value
        if chosen < 0:
            chosen = fallback
        u, v = mu[chosen], mv[chosen]
        _swap(u, v, mp, ms)
        cmax = _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack)
        if cmax < 0:  # cannot happen with N5; undo to stay safe
            _swap(v, u, mp, ms)
            tabu[u, v] = it + 10**9
            cmax = _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack)
            continue
        tabu[v, u] = it + tenure0 + np.random.randint(tenure1)
        if cmax < best:
            best, since = cmax, 0
            best_mp[:] = mp
            best_ms[:] = ms
        else:
            since += 1
        if since >= patience:  # restart from the best with a few random critical swaps
            if best < last_restart_best:
                last_restart_best, idle = best, 0
            else:
                idle += 1
                if idle >= max_idle:  # restarts no longer help: end this run
                    break
            since = 0
            mp[:] = best_mp
            ms[:] = best_ms
            tabu[:, :] = 0
            cmax = _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack)
            for _ in range(2 + np.random.randint(4)):
                count = _moves(p, jp, mp, r, q, cmax, path, starts, sizes, mu, mv)
                if count == 0:
                    break
                m = np.random.randint(count)
                _swap(mu[m], mv[m], mp, ms)
                cmax = _evaluate(p, jp, js, mp, ms, release, r, q, order, indeg, stack)
    return best, best_mp, best_ms, it


class _Graph:
    """The disjunctive graph as arrays: task i's duration, job predecessor and successor (-1: none),
    release, and machine."""

    def __init__(self, problem: Problem):
        keys, p, jp, js, release, machine = [], [], [], [], [], []
        for job in problem.jobs:
            prev = -1
            for task in job.tasks:
                i = len(keys)
                keys.append(task.key)
                p.append(task.duration)
                machine.append(task.resource)
                release.append(max(0, task.earliest_start))
                jp.append(prev)
                js.append(-1)
                if prev >= 0:
                    js[prev] = i
                prev = i
        self.keys, self.machine, self.n = keys, machine, len(keys)
        self.p, self.jp, self.js, self.release = (np.array(a, np.int64) for a in (p, jp, js, release))

    def sequences(self, starts: dict | None) -> tuple[np.ndarray, np.ndarray]:
        """Each task's machine predecessor and successor (-1: none), machines in order of `starts` (or
        job order). A task of no duration takes no capacity (problem.py): it is in no machine's sequence."""
        worked = [i for i in range(self.n) if self.p[i] > 0]
        if starts is not None:
            worked.sort(key=lambda i: (starts[self.keys[i]], i))
        last: dict = {}
        mp = np.full(self.n, -1, np.int64)
        ms = np.full(self.n, -1, np.int64)
        for i in worked:
            a = last.get(self.machine[i])
            if a is not None:
                mp[i], ms[a] = a, i
            last[self.machine[i]] = i
        return mp, ms

    def heads(self, mp: np.ndarray, ms: np.ndarray) -> tuple[np.ndarray, int]:
        n = self.n
        r, q, order, indeg, stack = (np.zeros(n, np.int64) for _ in range(5))
        cmax = _evaluate(self.p, self.jp, self.js, mp, ms, self.release, r, q, order, indeg, stack)
        return r, cmax


def search(
    problem: Problem,
    *,
    seconds: float = 2.0,
    starts: dict | None = None,
    iterations: int | None = None,
    lower: int | None = None,
    seed: int = 1,
    max_idle: int = 3,
    threads: int = 2,
) -> Solution:
    """Improve the machine sequences of `starts` (each machine's tasks by start; job order without it):
    runs from it on `threads` threads for `seconds`, or one run of `iterations` moves."""
    began = time.perf_counter()
    g = _Graph(problem)
    lower = lower_bound(problem) if lower is None else lower
    mp0, ms0 = g.sequences(starts)
    if g.heads(mp0, ms0)[1] < 0:  # the given order contradicts the routings: job order per machine
        mp0, ms0 = g.sequences(None)
    first = g.heads(mp0, ms0)[1]
    patience = max(500, PATIENCE * g.n)
    args = (g.p, g.jp, g.js, g.release)
    found = {"best": first, "mp": mp0, "ms": ms0, "moves": 0, "runs": 0, "since": 0}
    lock = threading.Lock()
    seeds = itertools.count(seed)

    def keep(best: int, mp: np.ndarray, ms: np.ndarray, moves: int) -> None:
        with lock:
            found["moves"] += moves
            found["runs"] += 1
            found["since"] += 1
            if best < found["best"]:
                found["best"], found["mp"], found["ms"], found["since"] = best, mp, ms, 0

    if iterations is not None:
        keep(*_run(*args, mp0.copy(), ms0.copy(), iterations, lower, seed, *TENURE, patience, max_idle))
    else:

        def worker() -> None:
            cap = 20_000  # the first run also measures the moves per second
            while True:
                left = seconds - (time.perf_counter() - began)
                with lock:
                    run_seed = next(seeds)
                    done = found["best"] <= lower or found["since"] >= STALL_RUNS
                if left <= 0 or done:
                    return
                t0 = time.perf_counter()
                best, mp, ms, moves = _run(
                    *args, mp0.copy(), ms0.copy(), cap, lower, run_seed, *TENURE, patience, max_idle
                )
                keep(best, mp, ms, moves)
                rate = moves / max(time.perf_counter() - t0, 1e-6)
                cap = max(1_000, min(RUN_CAP, int(rate * (seconds - (time.perf_counter() - began)))))

        pool = [threading.Thread(target=worker) for _ in range(max(1, threads))]
        for t in pool:
            t.start()
        for t in pool:
            t.join()

    r, cmax = g.heads(found["mp"], found["ms"])
    p = g.p
    return Solution(
        starts={g.keys[i]: int(r[i]) for i in range(g.n)},
        ends={g.keys[i]: int(r[i] + p[i]) for i in range(g.n)},
        method="tabu",
        status="feasible",
        objective=int(cmax),
        seconds=time.perf_counter() - began,
        stats={"makespan": int(cmax), "first": int(first), "iterations": found["moves"], "runs": found["runs"]},
    )


def warm_up() -> None:
    """Compile the moves ahead of a timed run (once per machine: numba caches them)."""
    tiny = Problem(
        resources=(Resource("a"), Resource("b")),
        jobs=(Job(0, (Task(0, "a", 2), Task(1, "b", 3)), due=0), Job(1, (Task(2, "b", 2), Task(3, "a", 1)), due=0)),
        horizon=100,
    )
    search(tiny, iterations=10, lower=0)
