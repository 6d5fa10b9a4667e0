"""What the engine schedules and what it answers, in exact integer minutes from the horizon's start.

Time 0 is the moment the plan is made (rounded to the minute). A resource (work center) has a capacity
(identical machines or people) and a calendar of working windows; a task (one operation) needs one unit
of its resource for `duration` minutes of work, which may run across consecutive windows (it pauses
outside them: an operation left at the end of a shift goes on in the next). Tasks of a job run in routing
order: a task starts when its predecessor ends, or `overlap_minutes` after the predecessor starts when
the routing lets pieces pass on early (then it also cannot end before its predecessor ends).
"""

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Resource:
    key: Hashable
    capacity: int = 1
    # Sorted, non-overlapping (start, end) working windows in minutes; None: always working (benchmarks).
    windows: tuple[tuple[int, int], ...] | None = None
    # An outside resource (a vendor) has unlimited capacity and no calendar: its tasks are lead times.
    unlimited: bool = False


@dataclass(frozen=True)
class Task:
    key: Hashable  # the operation's id
    resource: Hashable
    duration: int  # working minutes (remaining hours / efficiency); calendar minutes for an outside task
    earliest_start: int = 0  # material not yet received, a vendor's promised date
    fixed_start: int | None = None  # a running operation stays where it is (usually 0)
    overlap_minutes: int | None = None  # may start this long after the predecessor starts


@dataclass(frozen=True)
class Job:
    key: Hashable  # the job's id
    tasks: tuple[Task, ...]  # in routing order
    due: int  # minute of the due date's end of day
    weight: int = 1  # priority as a weight: urgent work weighs more


@dataclass(frozen=True)
class Problem:
    resources: tuple[Resource, ...]
    jobs: tuple[Job, ...]
    horizon: int  # no task may end after it


@dataclass
class Solution:
    starts: dict[Hashable, int]  # task key -> start minute
    ends: dict[Hashable, int]  # task key -> end minute (start + duration + the pauses outside its windows)
    method: str  # "dispatch" (earliest due date) or "cp-sat"
    status: str  # "optimal", "feasible", "time_limit", "infeasible"
    objective: int | None = None  # total weighted tardiness (minutes x weight), or the makespan
    bound: int | None = None  # the solver's best bound on the objective
    seconds: float = 0.0
    stats: dict = field(default_factory=dict)

    def job_finish(self, job: Job) -> int:
        return self.ends[job.tasks[-1].key]
