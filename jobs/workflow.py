"""Job and operation lifecycles of DESIGN.md as plain maps."""

from .models import Job, Operation

J = Job.Status
O = Operation.Status  # noqa: E741

OPEN = (J.PLANNED, J.RELEASED, J.IN_PROGRESS, J.ON_HOLD)

# Job moves people make, with the capability each needs. Started/completed come from the operations.
JOB_ACTIONS = {
    "release": {"source": (J.PLANNED,), "target": J.RELEASED, "capability": "manage_jobs", "label": "Release"},
    "hold": {
        "source": (J.PLANNED, J.RELEASED, J.IN_PROGRESS),
        "target": J.ON_HOLD,
        "capability": ("run_floor", "manage_jobs"),
        "label": "Put on hold",
    },
    "resume": {"source": (J.ON_HOLD,), "target": None, "capability": ("run_floor", "manage_jobs"), "label": "Resume"},
    "cancel": {
        "source": (J.PLANNED, J.RELEASED, J.ON_HOLD),
        "target": J.CANCELLED,
        "capability": "manage_jobs",
        "label": "Cancel job",
    },
}

JOB_SYSTEM_MOVES = {
    J.RELEASED: {J.IN_PROGRESS},
    J.IN_PROGRESS: {J.COMPLETE},
}

OPERATION_MOVES = {
    "start": ((O.PENDING,), O.RUNNING),
    "resume": ((O.PAUSED,), O.RUNNING),
    "pause": ((O.RUNNING,), O.PAUSED),
    "finish": ((O.RUNNING, O.PAUSED), O.DONE),
}

HOLD_REASONS = [
    "Waiting for material",
    "Waiting for tooling",
    "Machine down",
    "Quality problem",
    "Drawing question",
    "Customer request",
    "Revision changed",
    "Other",
]
SCRAP_REASONS = [
    "Dimension out of tolerance",
    "Surface damage",
    "Wrong material",
    "Setup piece",
    "Machine fault",
    "Operator error",
    "Other",
]


def _has(user, capability) -> bool:
    caps = (capability,) if isinstance(capability, str) else capability
    return any(user.has_perm(f"mto.{c}") for c in caps)


def available_job_actions(job: Job, user) -> list[tuple[str, dict]]:
    return [
        (name, action)
        for name, action in JOB_ACTIONS.items()
        if job.status in action["source"] and _has(user, action["capability"])
    ]
