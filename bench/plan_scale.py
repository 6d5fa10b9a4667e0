"""The shop-scale benchmark of planning (issue #20): the open work of a seed_scale data set scheduled end to end,
and capable to promise for a 10-line order.

Run after seed_scale, against PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mto_scale .venv/bin/python bench/plan_scale.py --seconds 10

In this one process, with bench.settings, the same code as a schedule run of the shop (planning.services.
schedule: build_problem, the engine's call site _solve, the check _checked, schedule_store) on a run row of
its own, each stage timed: load (the open work read into the engine's Problem), model and solve (CP-SAT
warm-started from the earliest-due-date dispatch, its time limit --seconds), check, store (the planned
operations, jobs and the operations' planned times in one transaction). It prints the seconds of each stage and
in all, the peak memory of the process (resource.getrusage: the maximum resident set size), and the total
weighted tardiness (minutes late x priority weight, summed over jobs) of the engine's schedule beside the
dispatching rule's (earliest due date) on the same Problem. The schedule it makes is stored (it is the shop's
schedule from then on, as "Plan now" would make it).

Then a draft order of 10 lines (standard items with routings) is made in a transaction that is rolled back at
the end, and capable to promise is timed on it: the first figure (its jobs into the current schedule,
committed work where it is), the second (committed work may move where no other order becomes late), and
"what if it gets priority". Targets (the issue): end to end at most 60 s, memory under 2 GiB, tardiness at
least 30% below the dispatching rule's, capable to promise at most 2 s.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def schedule(seconds: int) -> dict:
    from planning.models import ScheduleRun
    from planning.services.build import build_problem
    from planning.services.schedule import _checked, _solve, run_lock, schedule_store

    run = ScheduleRun.objects.create(trigger=ScheduleRun.Trigger.ON_DEMAND, requested_at=timezone.now(),
                                     reason="bench/plan_scale.py", status=ScheduleRun.Status.RUNNING,
                                     started_at=timezone.now())  # fmt: skip
    out = {"run": run.pk}
    began = time.perf_counter()
    with run_lock():
        t = time.perf_counter()
        built = build_problem()
        out["load"] = time.perf_counter() - t
        out["jobs"] = len(built.problem.jobs)
        out["operations"] = sum(len(job.tasks) for job in built.problem.jobs)
        out["resources"] = len(built.problem.resources)
        out["horizon_days"] = built.problem.horizon // (24 * 60)
        t = time.perf_counter()
        solution, first = _solve(built.problem, seconds)
        out["solve"] = time.perf_counter() - t
        t = time.perf_counter()
        checked = _checked(built, solution, first)
        out["check"] = time.perf_counter() - t
        t = time.perf_counter()
        schedule_store(run_id=run.pk, built=built, solution=checked, seconds=time.perf_counter() - began)
        out["store"] = time.perf_counter() - t
    out["total"] = time.perf_counter() - began
    out["engine_tardiness"] = checked.objective if checked is solution else first.objective
    out["engine_stored"] = "cp-sat" if checked is solution else "dispatch (the solver's schedule did not validate)"
    out["dispatch_tardiness"] = first.objective
    out["dispatch_seconds"] = first.seconds
    out["status"] = solution.status
    out["chosen"] = solution.stats.get("chosen")
    out["hint_rule"] = solution.stats.get("hint_rule")
    out["phases"] = solution.stats.get("phases")
    out["late_engine"] = sum(1 for job in built.problem.jobs if job.tasks and checked.job_finish(job) > job.due)
    out["late_dispatch"] = sum(1 for job in built.problem.jobs if job.tasks and first.job_finish(job) > job.due)
    out["makespan_engine"] = checked.stats.get("makespan")
    out["makespan_dispatch"] = first.stats.get("makespan")
    return out


def draft_order(lines: int):
    from django.contrib.auth import get_user_model

    from sales import services
    from sales.models import Customer, Item

    office = get_user_model().objects.get(username="office")
    items = list(Item.objects.filter(is_active=True, routing_steps__isnull=False).distinct().order_by("id")[:lines])
    customer = Customer.objects.filter(is_active=True).order_by("id").first()
    due = timezone.localdate() + timezone.timedelta(days=21)
    rows = [{"item": items[n % len(items)], "quantity": 10 + 5 * n, "due_date": due} for n in range(lines)]
    return services.sales_order_create(by=office, customer=customer, customer_po="BENCH-CTP", lines=rows)


def promise(lines: int, rounds: int) -> dict:
    from planning.selectors import current_run
    from planning.services.priority import order_priority_what_if
    from planning.services.promise import capable_to_promise, promise_moving_work

    out = {"first": [], "second": [], "what_if": []}
    with transaction.atomic():
        order = draft_order(lines)
        run = current_run()
        for _ in range(rounds):
            t = time.perf_counter()
            first = capable_to_promise(order=order, run=run)
            out["first"].append(time.perf_counter() - t)
            t = time.perf_counter()
            second = promise_moving_work(order=order, run=run)
            out["second"].append(time.perf_counter() - t)
            t = time.perf_counter()
            what_if = order_priority_what_if(order=order, run=run)
            out["what_if"].append(time.perf_counter() - t)
        out["first_date"], out["second_date"] = first.ship_date, second.ship_date
        out["second_too_far"] = second.too_far
        out["tries"] = second.tries
        out["moved"] = len(second.moved)
        out["slips"] = len(what_if.slips)
        out["late_slips"] = len(what_if.late_slips)
        transaction.set_rollback(True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=None, help="the solver's time limit (PLANNING_SOLVER_SECONDS)")
    parser.add_argument("--lines", type=int, default=10, help="lines of the order capable to promise is timed on")
    parser.add_argument("--rounds", type=int, default=3, help="capable to promise: times each figure is made")
    parser.add_argument("--skip-schedule", action="store_true", help="only capable to promise (on the stored run)")
    args = parser.parse_args()
    from django.conf import settings

    from sales.models import SalesOrder

    seconds = settings.PLANNING_SOLVER_SECONDS if args.seconds is None else args.seconds
    load = os.getloadavg()
    print(f"data: {SalesOrder.objects.count():,} orders; solver limit {seconds} s, "
          f"{settings.PLANNING_SOLVER_WORKERS} workers; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    if not args.skip_schedule:
        s = schedule(seconds)
        print(f"open work: {s['jobs']:,} jobs, {s['operations']:,} operations, {s['resources']} work centers, "
              f"horizon {s['horizon_days']} days")  # fmt: skip
        print(f"schedule end to end: {s['total']:.1f} s (load {s['load']:.1f}, model and solve {s['solve']:.1f}, "
              f"check {s['check']:.1f}, store {s['store']:.1f}); target 60 s: "
              f"{'met' if s['total'] <= 60 else 'missed'}")  # fmt: skip
        print(f"peak memory: {peak_mib():.0f} MiB; target under 2048 MiB: {'met' if peak_mib() < 2048 else 'missed'}")
        d, e = s["dispatch_tardiness"], s["engine_tardiness"]
        cut = 100 * (d - e) / d if d else 0.0
        print(
            f"total weighted tardiness (minutes x weight): dispatch (EDD) {d:,}, engine {e:,} "
            f"({cut:.1f}% below; target 30%: {'met' if d and cut >= 30 else 'missed' if d else 'n/a: none late'})"
        )
        print(f"late jobs: dispatch {s['late_dispatch']:,}, engine {s['late_engine']:,}; makespan (minutes): "
              f"dispatch {s['makespan_dispatch']:,}, engine {s['makespan_engine']:,}")  # fmt: skip
        print(f"solver: status {s['status']}, schedule stored: {s['engine_stored']} (the engine's pick: "
              f"{s['chosen']}; its warm start: the {s['hint_rule']} loading order); phases:")  # fmt: skip
        for phase in s["phases"] or ():
            print(f"  {phase['objective']}: {phase['status']}, value {phase['value']}, bound {phase['bound']}, "
                  f"{phase['seconds']} s")  # fmt: skip
    p = promise(args.lines, args.rounds)
    for name, label in (("first", "first figure (committed work stays)"),
                        ("second", "second figure (work may move, nobody late)"),
                        ("what_if", "what if it gets priority")):  # fmt: skip
        times = sorted(p[name])
        print(f"capable to promise, {args.lines}-line order, {label}: median {times[len(times) // 2]:.2f} s, "
              f"max {times[-1]:.2f} s; target 2 s: {'met' if times[-1] <= 2 else 'missed'}")  # fmt: skip
    print(
        f"  ship dates: first {p['first_date']}, second {p['second_date']} ({p['tries']} schedules tried, "
        f"{p['moved']} other orders moved); what if: {p['slips']} orders slip, {p['late_slips']} of them late"
    )
    print(f"peak memory at the end: {peak_mib():.0f} MiB; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
