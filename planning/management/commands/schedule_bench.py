"""Run the planning engine on the classic job-shop benchmarks (objective makespan) beside the textbook
CP-SAT model and the dispatching rule, and print makespan, best known, gap, status and seconds of each,
and the makespan of the engine's warm start (the tabu search's, on these pure job shops).

    python manage.py schedule_bench --instances ft06,ft10,la01-la40 --seconds 10

The engine's schedules go through the independent validator (planning.engine.validate) too."""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from planning.engine import benchmarks, tabu
from planning.engine.cpsat import solve
from planning.engine.dispatch import dispatch
from planning.engine.textbook import solve_textbook
from planning.engine.validate import validate


def _gap(value: int | None, best: int) -> float | None:
    return None if value is None else 100.0 * (value - best) / best


def _fmt(gap: float | None) -> str:
    return "    -" if gap is None else f"{gap:5.2f}"


class Command(BaseCommand):
    help = "Benchmark the scheduling engine on the classic job-shop instances (makespan) against the textbook model."

    def add_arguments(self, parser):
        parser.add_argument("--instances", default="ft06,ft10,la01-la40", help="e.g. ft06,ft10,la01-la40")
        parser.add_argument("--seconds", type=float, default=10.0, help="time limit per instance and model")
        parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers for both models")
        parser.add_argument("--no-textbook", action="store_true", help="skip the textbook model (faster)")

    def handle(self, *args, instances, seconds, workers, no_textbook, **options):
        if seconds <= 0 or workers <= 0:
            raise CommandError("--seconds and --workers must be positive")
        names = benchmarks.expand(instances)
        try:
            for name in names:
                benchmarks.best_known(name)
        except benchmarks.MissingInstances as exc:
            raise CommandError(str(exc)) from exc
        except KeyError as exc:
            raise CommandError(f"unknown instance {exc}") from exc

        out = self.stdout
        out.write(
            f"schedule_bench: {len(names)} instances, {seconds:g} s and {workers} workers per model; "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )
        header = f"{'instance':8} {'best':>5} | {'engine':>6} {'gap%':>5} {'status':10} {'s':>5}"
        if not no_textbook:
            header += f" | {'textbk':>6} {'gap%':>5} {'status':10} {'s':>5}"
        header += f" | {'dispatch':>8} {'gap%':>6} | {'warm':>5}"
        out.write(header)
        rows = []
        tabu.warm_up()  # numba compiles the tabu search once per machine: not inside an instance's time
        began = time.perf_counter()
        for name in names:
            problem, best = benchmarks.load(name), benchmarks.best_known(name)
            rule = dispatch(problem)
            engine = solve(problem, seconds=seconds, workers=workers, objective="makespan", hint=rule)
            errors = validate(problem, engine) + validate(problem, rule)
            row = {
                "name": name,
                "best": best,
                "engine": engine.objective,
                "engine_gap": _gap(engine.objective, best),
                "dispatch": rule.stats["makespan"],
                "dispatch_gap": _gap(rule.stats["makespan"], best),
                "invalid": errors,
            }
            line = (
                f"{name:8} {best:5d} | {engine.objective or 0:6d} {_fmt(row['engine_gap'])} "
                f"{engine.status:10} {engine.seconds:5.1f}"
            )
            if not no_textbook:
                book = solve_textbook(problem, seconds=seconds, workers=workers)
                errors += validate(problem, book) if book.starts else []
                row.update(textbook=book.objective, textbook_gap=_gap(book.objective, best))
                line += f" | {book.objective or 0:6d} {_fmt(row['textbook_gap'])} {book.status:10} {book.seconds:5.1f}"
            line += f" | {row['dispatch']:8d} {row['dispatch_gap']:6.2f}"
            # The warm start the solver was given: the tabu search's makespan (the best rule's elsewhere).
            line += f" | {engine.stats.get('hint') or 0:5d}"
            if errors:
                line += f"  INVALID: {errors[0]}"
            out.write(line)
            rows.append(row)

        def mean(key):
            values = [r[key] for r in rows if r.get(key) is not None]
            return sum(values) / len(values) if values else float("nan")

        out.write(
            f"mean gap %: engine {mean('engine_gap'):.2f}"
            + ("" if no_textbook else f", textbook {mean('textbook_gap'):.2f}")
            + f", dispatch {mean('dispatch_gap'):.2f}"
        )
        worst = max(rows, key=lambda r: r["engine_gap"] if r["engine_gap"] is not None else -1)
        out.write(f"engine worst: {worst['name']} {_fmt(worst['engine_gap'])} %")
        at_best = sum(1 for r in rows if r["engine"] is not None and r["engine"] <= r["best"])
        out.write(f"engine at the best known: {at_best} of {len(rows)}")
        if not no_textbook:
            worse = [r["name"] for r in rows if (r["engine"] or 10**9) > (r["textbook"] or 10**9)]
            better = sum(1 for r in rows if (r["engine"] or 10**9) < (r["textbook"] or 10**9))
            out.write(f"engine better than textbook on {better}, worse on {len(worse)} {worse}")
        not_better = [r["name"] for r in rows if (r["engine"] or 10**9) >= r["dispatch"]]
        out.write(f"engine not better than dispatch on: {not_better or 'none'}")
        invalid = [r["name"] for r in rows if r["invalid"]]
        out.write(f"invalid schedules: {invalid or 'none'}")
        out.write(f"total {time.perf_counter() - began:.0f} s; load average {os.getloadavg()[0]:.2f} at the end")
