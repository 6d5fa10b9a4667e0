"""Every write of the planning app: schedule requests and runs (schedule), the Problem of the shop's open work
(build), calendars as working windows (calendars), the check of a solution (validate)."""

from .build import Built, build_problem
from .calendar_edit import calendar_save, holiday_add, holiday_remove
from .schedule import (
    Busy,
    schedule_execute,
    schedule_now,
    schedule_request,
    schedule_request_after_event,
    schedule_store,
)
from .validate import InvalidSchedule, validate

__all__ = [
    "Built",
    "Busy",
    "InvalidSchedule",
    "build_problem",
    "calendar_save",
    "holiday_add",
    "holiday_remove",
    "schedule_execute",
    "schedule_now",
    "schedule_request",
    "schedule_request_after_event",
    "schedule_store",
    "validate",
]
