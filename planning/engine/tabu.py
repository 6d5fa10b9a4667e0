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
without improvement the search restarts from the best schedule with a few random moves on its critical
path, and it stops after `max_idle` restarts in a row that found nothing better. Pure Python (the
instances have a few hundred tasks); deterministic for a given seed and number of iterations; stops at its
time limit, or when it reaches `lower` (a lower bound on the makespan).

The answer is a Solution of plain minutes with every task at its head (a semi-active schedule), so its
makespan is the longest path, checked by planning.engine.validate like every other schedule.
"""

import random
import time

from .problem import Problem, Solution

# A reversed arc stays tabu for TENURE[0] + a random number below TENURE[1] moves: measured on ft10 and
# seven hard Lawrence instances (4,000 moves each) against 8-15 + tasks/40, 6-9, 4-9 and 12-17 (docs/performance.md).
TENURE = (10, 5)


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


class _Graph:
    def __init__(self, problem: Problem):
        self.keys = []
        self.p = []
        self.machine = []
        self.release = []
        self.jp = []
        self.js = []
        index = {}
        for job in problem.jobs:
            prev = -1
            for task in job.tasks:
                i = len(self.keys)
                index[task.key] = i
                self.keys.append(task.key)
                self.p.append(task.duration)
                self.machine.append(task.resource)
                self.release.append(max(0, task.earliest_start))
                self.jp.append(prev)
                self.js.append(-1)
                if prev >= 0:
                    self.js[prev] = i
                prev = i
        self.index = index
        self.n = len(self.keys)

    def neighbours(self, seqs: list[list[int]]) -> tuple[list[int], list[int]]:
        """Each task's machine predecessor and successor (-1: none) in the sequences."""
        mp = [-1] * self.n
        ms = [-1] * self.n
        for seq in seqs:
            for a, b in zip(seq, seq[1:], strict=False):
                mp[b] = a
                ms[a] = b
        return mp, ms

    def evaluate(self, mp: list[int], ms: list[int]):
        """Heads, tails (after the task's end) and the makespan; None on a cycle."""
        n, p, jp, js = self.n, self.p, self.jp, self.js
        indeg = [(a >= 0) + (b >= 0) for a, b in zip(jp, mp, strict=True)]
        stack = [i for i in range(n) if not indeg[i]]
        order = []
        push, pop, add = stack.append, stack.pop, order.append
        r = self.release[:]
        while stack:
            i = pop()
            add(i)
            e = r[i] + p[i]
            k = js[i]
            if k >= 0:
                if e > r[k]:
                    r[k] = e
                indeg[k] -= 1
                if not indeg[k]:
                    push(k)
            k = ms[i]
            if k >= 0:
                if e > r[k]:
                    r[k] = e
                indeg[k] -= 1
                if not indeg[k]:
                    push(k)
        if len(order) < n:
            return None
        q = [0] * n
        for i in reversed(order):
            k = js[i]
            v = q[k] + p[k] if k >= 0 else 0
            k = ms[i]
            if k >= 0:
                w = q[k] + p[k]
                if w > v:
                    v = w
            q[i] = v
        cmax = max(map(int.__add__, r, p)) if n else 0
        return r, q, cmax

    def critical_blocks(self, r, q, cmax, mp) -> list[list[int]]:
        """The blocks of one critical path, from its first task to its last."""
        p, jp = self.p, self.jp
        end = next(i for i in range(self.n) if r[i] + p[i] == cmax and q[i] == 0)
        path = [end]
        i = end
        while True:
            k = mp[i]
            if k >= 0 and r[k] + p[k] == r[i]:
                i = k
            else:
                k = jp[i]
                if k >= 0 and r[k] + p[k] == r[i]:
                    i = k
                else:
                    break
            path.append(i)
        path.reverse()
        blocks = [[path[0]]]
        for a, b in zip(path, path[1:], strict=False):
            if mp[b] == a:
                blocks[-1].append(b)
            else:
                blocks.append([b])
        return blocks


def _moves(blocks: list[list[int]]) -> list[tuple[int, int]]:
    moves = []
    last = len(blocks) - 1
    for number, block in enumerate(blocks):
        if len(block) < 2:
            continue
        if number > 0:
            moves.append((block[0], block[1]))
        if number < last and (len(block) > 2 or number == 0):
            moves.append((block[-2], block[-1]))
    if not moves and len(blocks) == 1 and len(blocks[0]) >= 2:  # one block: any pair may help
        b = blocks[0]
        moves = [(b[0], b[1]), (b[-2], b[-1])]
    return list(dict.fromkeys(moves))


def search(
    problem: Problem,
    *,
    seconds: float = 2.0,
    starts: dict | None = None,
    iterations: int | None = None,
    lower: int | None = None,
    seed: int = 1,
    max_idle: int = 3,
) -> Solution:
    """Improve the machine sequences of `starts` (each machine's tasks by start; the shortest-processing
    order of a simple list schedule without it) for `seconds` or `iterations` moves."""
    began = time.perf_counter()
    g = _Graph(problem)
    rng = random.Random(seed)
    lower = lower_bound(problem) if lower is None else lower
    p = g.p
    machines = list(dict.fromkeys(g.machine))
    where = {m: k for k, m in enumerate(machines)}
    seqs: list[list[int]] = [[] for _ in machines]
    # A task of no duration takes no capacity (problem.py): it is in no machine's sequence, only its job's.
    worked = [i for i in range(g.n) if p[i] > 0]
    if starts is not None:
        for i in sorted(worked, key=lambda i: (starts[g.keys[i]], i)):
            seqs[where[g.machine[i]]].append(i)
    else:
        for i in worked:
            seqs[where[g.machine[i]]].append(i)
    pos = [0] * g.n
    for seq in seqs:
        for k, i in enumerate(seq):
            pos[i] = k
    mp, ms = g.neighbours(seqs)
    state = g.evaluate(mp, ms)
    if state is None:  # the given order contradicts the routings: fall back on job order per machine
        seqs = [[] for _ in machines]
        for i in worked:
            seqs[where[g.machine[i]]].append(i)
        for seq in seqs:
            for k, i in enumerate(seq):
                pos[i] = k
        mp, ms = g.neighbours(seqs)
        state = g.evaluate(mp, ms)
    best_seqs = [s[:] for s in seqs]
    best = state[2]
    first = best
    tabu: dict[tuple[int, int], int] = {}
    it = 0
    since = 0
    restarts = 0
    patience = max(500, 4 * g.n)
    last_restart_best, idle = best, 0

    def swap(u: int, v: int) -> None:
        """u right before v on their machine -> v right before u."""
        seq = seqs[where[g.machine[u]]]
        a, b = pos[u], pos[v]
        seq[a], seq[b] = v, u
        pos[u], pos[v] = b, a
        before, after = mp[u], ms[v]
        mp[v], ms[v], mp[u], ms[u] = before, u, v, after
        if before >= 0:
            ms[before] = v
        if after >= 0:
            mp[after] = u

    while best > lower:
        if iterations is not None and it >= iterations:
            break
        if it % 32 == 0 and iterations is None and time.perf_counter() - began >= seconds:
            break
        it += 1
        r, q, cmax = state
        moves = _moves(g.critical_blocks(r, q, cmax, mp))
        if not moves:
            break
        chosen, chosen_value = None, None
        fallback, fallback_value = None, None
        for u, v in moves:  # u right before v on their machine; the move puts v before u
            a, b = mp[u], ms[v]
            ju, jv = g.jp[u], g.jp[v]
            rv = max(r[jv] + p[jv] if jv >= 0 else g.release[v], r[a] + p[a] if a >= 0 else 0, g.release[v])
            ru = max(r[ju] + p[ju] if ju >= 0 else g.release[u], rv + p[v])
            su, sv = g.js[u], g.js[v]
            qu = max(q[su] + p[su] if su >= 0 else 0, q[b] + p[b] if b >= 0 else 0)
            qv = max(q[sv] + p[sv] if sv >= 0 else 0, qu + p[u])
            value = max(rv + p[v] + qv, ru + p[u] + qu)
            if tabu.get((u, v), 0) > it and value >= best:
                if fallback is None or tabu[(u, v)] < fallback_value:
                    fallback, fallback_value = (u, v), tabu[(u, v)]
                continue
            if chosen is None or value < chosen_value or (value == chosen_value and rng.random() < 0.5):
                chosen, chosen_value = (u, v), value
        if chosen is None:
            chosen = fallback
        u, v = chosen
        swap(u, v)
        new = g.evaluate(mp, ms)
        if new is None:  # cannot happen with N5; undo to stay safe
            swap(v, u)
            tabu[(u, v)] = it + 10**9
            continue
        state = new
        tabu[(v, u)] = it + TENURE[0] + rng.randrange(TENURE[1])
        if state[2] < best:
            best, best_seqs, since = state[2], [s[:] for s in seqs], 0
        else:
            since += 1
        if since >= patience:  # restart from the best with a few random critical swaps
            restarts += 1
            if best < last_restart_best:
                last_restart_best, idle = best, 0
            else:
                idle += 1
                if idle >= max_idle:  # restarts no longer help: leave the time to the solver
                    break
            since = 0
            seqs = [s[:] for s in best_seqs]
            for seq in seqs:
                for k, i in enumerate(seq):
                    pos[i] = k
            mp[:], ms[:] = g.neighbours(seqs)
            state = g.evaluate(mp, ms)
            tabu.clear()
            for _ in range(2 + rng.randrange(4)):
                r, q, cmax = state
                moves = _moves(g.critical_blocks(r, q, cmax, mp))
                if not moves:
                    break
                u, v = rng.choice(moves)
                swap(u, v)
                state = g.evaluate(mp, ms)

    r, q, cmax = g.evaluate(*g.neighbours(best_seqs))
    out_starts = {g.keys[i]: r[i] for i in range(g.n)}
    out_ends = {g.keys[i]: r[i] + p[i] for i in range(g.n)}
    return Solution(
        starts=out_starts,
        ends=out_ends,
        method="tabu",
        status="feasible",
        objective=cmax,
        seconds=time.perf_counter() - began,
        stats={"makespan": cmax, "first": first, "iterations": it, "restarts": restarts, "lower": lower},
    )
