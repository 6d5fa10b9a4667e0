"""The schedule as a Celery task: one run at a time (planning.services.schedule.run_lock), the newest request
wins, nightly from beat (CELERY_BEAT_SCHEDULE "plan-nightly")."""

from celery import shared_task
from django.conf import settings

from .models import ScheduleRun
from .services.schedule import Busy, schedule_execute, schedule_request


@shared_task(bind=True, name="planning.tasks.run_schedule", max_retries=None, acks_late=True,
             soft_time_limit=settings.PLANNING_TASK_SOFT_SECONDS,
             time_limit=settings.PLANNING_TASK_SOFT_SECONDS + 30)  # fmt: skip
def run_schedule(self, run_id: int) -> str:
    try:
        return schedule_execute(run_id=run_id)
    except Busy:
        # Another run is on: this request waits for it (unless a newer one supersedes it meanwhile).
        raise self.retry(countdown=settings.PLANNING_BUSY_RETRY_SECONDS) from None


@shared_task(name="planning.tasks.plan_nightly")
def plan_nightly() -> int:
    return schedule_request(trigger=ScheduleRun.Trigger.NIGHTLY, reason="Nightly").pk
