"""Load test of issue #7 for locust (run it through bench/loadtest.py, which prepares what it reads).

Every simulated user does, by weight: 70% list and detail pages (signed in as the manager or the clerk),
20% tablet status updates through the API as the demo lead (start, pause, resume and piece reports on
operations of its own, so two users never race for one), 10% order approvals through the API (Office
creates and submits an order, a Manager approves it).

Two ways to pace them. Without BENCH_LOAD_STEPS, a closed model: each user waits 0.05-0.15 s between tasks
(the issue's 20-user figures). With BENCH_LOAD_STEPS (JSON: [[tasks per second, seconds], ...]), an open
model for the capacity figure: the users start tasks at the step's rate together, each at exponential
intervals (so arrivals are Poisson, bursts included) whatever the answers take, while a LoadTestShape walks
the steps and stops after the last one (or after a step whose p95 went far past BENCH_LOAD_STOP_MS, since
every later step would only be worse). A user that falls behind does not catch up in a burst: the system
is then past its capacity, which the step's achieved rate below its target shows.

It reads BENCH_LOAD_PLAN (JSON written by loadtest.py: sessions, tokens, operations, ids) and, when locust
stops, writes BENCH_LOAD_RESULT: every response time per kind, the pieces it reported and were accepted,
the orders it approved. locust runs as its own process: nothing imports this module but locust.
"""

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict

from locust import HttpUser, LoadTestShape, between, events, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())
STEPS = json.loads(os.environ.get("BENCH_LOAD_STEPS") or "[]")
STOP_MS = float(os.environ.get("BENCH_LOAD_STOP_MS") or 0)
USERS = int(os.environ.get("BENCH_LOAD_USERS") or 20)
# events: [seconds since the first user started (the request's start), kind:name, ms, failed] per request.
RESULT = {"times": defaultdict(list), "errors": defaultdict(int), "refused": defaultdict(int),
          "pieces_reported": 0, "pieces_sent": 0, "approved": [], "unexpected": [], "events": [], "tasks": [],
          "steps": STEPS, "cpu": defaultdict(list)}  # fmt: skip
_CPU = re.compile(r"cpu;dur=([\d.]+)")
_next_slice = itertools.count()
_started = time.time()


@events.request.add_listener
def _record(request_type, name, response_time, exception, response=None, context=None, **kwargs):
    kind = name.split(":", 1)[0]
    RESULT["times"][kind].append(response_time)
    if exception is not None:
        RESULT["errors"][kind] += 1
    # The app thread's own CPU time (bench.middleware), per request name: where the cores went.
    timing = _CPU.search(response.headers.get("Server-Timing", "")) if response is not None else None
    if timing:
        RESULT["cpu"][name].append(float(timing.group(1)))
    begun = time.time() - response_time / 1000 - _started
    RESULT["events"].append((round(begun, 4), name, round(response_time, 2), exception is not None))


@events.test_start.add_listener
def _test_start(environment, **kwargs):
    global _started
    _started = time.time()


def current_rate() -> float:
    """The step's target rate in tasks per second (all users together), or 0 after the last step."""
    elapsed = time.time() - _started
    for rate, seconds in STEPS:
        if elapsed < seconds:
            return rate
        elapsed -= seconds
    return 0.0


def paced(user) -> float:
    """Wait until this user's next arrival: exponential gaps at rate/USERS each, never catching up in a burst."""
    rate = current_rate() or 1.0
    now = time.time()
    RESULT["tasks"].append(round(now - _started, 3))  # a task has just ended
    gap = random.expovariate(rate / USERS)
    user.next_start = max(getattr(user, "next_start", now), now - USERS / rate) + gap
    return max(0.0, user.next_start - now)


if STEPS:

    class Steps(LoadTestShape):
        """All USERS at once, for the steps' total time; stops early after a step whose p95 passed STOP_MS."""

        checked = 0  # steps looked at (each once: the events list grows long)

        def tick(self):
            elapsed = self.get_run_time()
            boundary = 0.0
            for n, (rate, seconds) in enumerate(STEPS):
                end = boundary + seconds
                if STOP_MS and n == self.checked and elapsed >= end:
                    # Far behind its target (tasks end too slowly): saturated, every later step only worse.
                    ended = sum(1 for t in RESULT["tasks"] if boundary + 2 <= t < end)
                    if ended < 0.5 * rate * (seconds - 2):
                        return None
                    # Answers of the step's requests arrive after it: look once they are in (or 30 s on).
                    step = sorted(e[2] for e in RESULT["events"] if boundary + 2 <= e[0] < end)
                    if len(step) >= 20 or elapsed >= end + 30:
                        self.checked += 1
                        if step and step[max(0, int(len(step) * 0.95) - 1)] > STOP_MS:
                            return None
                boundary = end
            return (USERS, USERS) if elapsed < boundary else None


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(os.environ["BENCH_LOAD_RESULT"], "w") as out:
        json.dump(RESULT, out)


class ShopUser(HttpUser):
    wait_time = paced if STEPS else between(0.05, 0.15)

    def on_start(self):
        n = next(_next_slice)
        slices = PLAN["operations"]
        self.operations = [dict(op) for op in slices[n % len(slices)]]
        self.current = 0

    # --- 70%: pages --------------------------------------------------------------------------------------

    @task(70)
    def pages(self):
        name, path, who = random.choice(PLAN["pages"])
        if isinstance(path, list):  # a detail page of a random recent order or job
            path = random.choice(path)
        cookies = {"sessionid": PLAN["sessions"][who]}
        self.client.get(path, name=f"pages:{name}", cookies=cookies)

    # --- 20%: tablet status updates ------------------------------------------------------------------------

    def _api(self, method, path, name, token, expect=(200, 201), **kwargs):
        headers = {"Authorization": f"Token {PLAN['tokens'][token]}"}
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code in expect:
                r.success()
            elif r.status_code in (400, 409):
                # A refusal the shop floor sees too (e.g. nothing left to report): not a server error.
                RESULT["refused"][name] += 1
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")
            return r

    @task(20)
    def tablet(self):
        if self.current >= len(self.operations):
            return
        op = self.operations[self.current]
        base = f"/api/v1/operations/{op['id']}"
        if op["status"] == "pending":
            action = "start"
        elif op["status"] == "paused":
            action = "resume"
        elif op["available"] > 0 and random.random() < 0.7:
            good = min(op["available"], random.randint(1, 3))
            RESULT["pieces_sent"] += good  # an answer lost when locust stops must not look like a lost update
            r = self._api("post", f"{base}/report/", "tablet:report", "lead", json={"good": good})
            if r.status_code == 200:
                RESULT["pieces_reported"] += good
                op["available"] -= good
            else:
                self._sync(op)
            if op["available"] <= 0:
                self.current += 1
            return
        else:
            action = "pause"
        r = self._api("post", f"{base}/{action}/", f"tablet:{action}", "lead")
        if r.status_code == 200:
            op["status"] = r.json()["status"]
        else:
            self._sync(op)

    def _sync(self, op):
        r = self._api("get", f"/api/v1/operations/{op['id']}/", "tablet:read", "lead")
        if r.status_code == 200:
            data = r.json()
            if data["status"] not in ("pending", "running", "paused"):
                self.current += 1
            op["status"] = data["status"]

    # --- 10%: approvals ------------------------------------------------------------------------------------

    @task(10)
    def approval(self):
        lines = [{"item": random.choice(PLAN["items"]), "quantity": random.randint(1, 20),
                  "due_date": PLAN["due_date"]} for _ in range(random.randint(1, 5))]  # fmt: skip
        body = {"customer": PLAN["customer"], "customer_po": f"LOAD-{random.getrandbits(40):x}", "lines": lines}
        r = self._api("post", "/api/v1/sales-orders/", "approval:create", "office", json=body)
        if r.status_code != 201:
            return
        order = r.json()["id"]
        r = self._api("post", f"/api/v1/sales-orders/{order}/submit/", "approval:submit", "office")
        if r.status_code != 200:
            return
        r = self._api("post", f"/api/v1/sales-orders/{order}/approve/", "approval:approve", "manager")
        if r.status_code == 200:
            RESULT["approved"].append(order)
        else:
            RESULT["unexpected"].append(f"approve {order}: {r.status_code}")
