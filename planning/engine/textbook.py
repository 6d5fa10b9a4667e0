"""The textbook CP-SAT job-shop model (the OR-Tools guide's): the yardstick schedule_bench prints beside the
engine. No hint, no tuning, no calendars: one fixed-size interval per task, NoOverlap per machine,
precedence, makespan = max of the jobs' last ends, horizon = the sum of all durations."""

import time

from ortools.sat.python import cp_model

from .cpsat import STATUS
from .problem import Problem, Solution


def solve_textbook(problem: Problem, *, seconds: float = 10.0, workers: int = 2) -> Solution:
    began = time.perf_counter()
    model = cp_model.CpModel()
    horizon = sum(t.duration for j in problem.jobs for t in j.tasks)
    starts, ends, per_machine = {}, {}, {}
    for job in problem.jobs:
        for task in job.tasks:
            s = model.new_int_var(0, horizon, f"s_{task.key}")
            e = model.new_int_var(0, horizon, f"e_{task.key}")
            per_machine.setdefault(task.resource, []).append(
                model.new_interval_var(s, task.duration, e, f"i_{task.key}")
            )
            starts[task.key], ends[task.key] = s, e
        for pred, task in zip(job.tasks, job.tasks[1:], strict=False):
            model.add(starts[task.key] >= ends[pred.key])
    for intervals in per_machine.values():
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [ends[j.tasks[-1].key] for j in problem.jobs if j.tasks])
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    code = solver.solve(model)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Solution(
        starts={k: int(solver.value(v)) for k, v in starts.items()} if found else {},
        ends={k: int(solver.value(v)) for k, v in ends.items()} if found else {},
        method="cp-sat-textbook",
        status=STATUS[code],
        objective=int(solver.objective_value) if found else None,
        bound=int(solver.best_objective_bound) if found else None,
        seconds=time.perf_counter() - began,
    )
