"""Growth (issue #22, step 5): bench/run.py on data sets of several sizes, each hot page's median per size.

    .venv/bin/python bench/growth.py --rounds 20 --passes 2 \
        postgres://postgres@127.0.0.1:5432/mto_10k postgres://postgres@127.0.0.1:5432/mto_100k \
        postgres://postgres@127.0.0.1:5432/mto_300k

Each DATABASE_URL is a `seed_scale` data set (any order; they are sorted by their number of orders). The
machine's load drifts, so the sizes take turns: each pass runs bench/run.py once on every data set (its own
gunicorn, one worker, the same pages, `--approvals 0`), and a page's figure per size is the median of its
medians over the passes. Prints one row per page: the median per size, the queries, and the ratio of the
largest size to the smallest, flagged when it is above --limit (1.2, the issue's target: cost flat with
data). The load average is printed before and after every run. Exits non-zero when a run failed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", help="DATABASE_URLs of seed_scale data sets")
    parser.add_argument("--rounds", type=int, default=20, help="bench/run.py rounds per pass")
    parser.add_argument("--passes", type=int, default=2, help="runs per data set, the sizes taking turns")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--limit", type=float, default=1.2, help="flag a largest/smallest ratio above this")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    runs: dict[int, list[dict]] = {i: [] for i in range(len(args.databases))}
    failed = False
    with tempfile.TemporaryDirectory(prefix="mto-growth-") as tmp:
        for n in range(args.passes):
            for i, url in enumerate(args.databases):
                out = Path(tmp) / f"{n}-{i}.json"
                print(f"pass {n + 1}, {url.rsplit('/', 1)[-1]}: {load()}", flush=True)
                command = [sys.executable, str(ROOT / "bench" / "run.py"), "--rounds", str(args.rounds),
                           "--approvals", "0", "--port", str(args.port), "--json", str(out)]  # fmt: skip
                if args.only:
                    command += ["--only", args.only]
                done = subprocess.run(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                                      capture_output=True, text=True)  # fmt: skip
                if done.returncode != 0 or not out.exists():
                    failed = True
                    print(f"  bench/run.py failed ({done.returncode}):\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
                    continue
                runs[i].append(json.loads(out.read_text()))
        print(f"after the runs: {load()}")
    sizes = sorted((r[0]["orders"], i) for i, r in runs.items() if r)
    if len(sizes) < 2:
        print("fewer than two data sets measured: no growth to report")
        return 1
    pages = list(runs[sizes[0][1]][0]["pages"])
    head = "".join(f"{orders:>12,}" for orders, _ in sizes)
    print(f"\nmedian server time (ms) per data set (orders), median of {args.passes} pass(es) x {args.rounds} rounds")
    print(f"{'page':36}{head}  {'queries':>9}  {'ratio':>6}")
    flagged = []
    for page in pages:
        medians, queries = [], []
        for _, i in sizes:
            figures = [r["pages"][page] for r in runs[i] if page in r["pages"]]
            medians.append(statistics.median(f["median"] for f in figures) if figures else float("nan"))
            queries.append(max(f["queries"] for f in figures) if figures else -1)
        ratio = medians[-1] / medians[0]
        flag = f"  > {args.limit}x" if ratio > args.limit else ""
        if flag:
            flagged.append(page)
        counts = "/".join(str(q) for q in sorted(set(queries)))
        print(f"{page:36}" + "".join(f"{m:12.1f}" for m in medians) + f"  {counts:>9}  {ratio:6.2f}{flag}")
    print(f"\n{len(flagged)} of {len(pages)} pages grew more than {args.limit}x from {sizes[0][0]:,} to "
          f"{sizes[-1][0]:,} orders" + (f": {', '.join(flagged)}" if flagged else ""))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
