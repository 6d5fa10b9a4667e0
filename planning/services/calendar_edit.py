"""Calendar edits (the Manager's): a work center's capacity, efficiency and shifts; the shop's and a work
center's holidays. Each a transaction with the work center row locked; a change asks for a new plan."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from jobs.models import WorkCenter
from mto.db import atomic_with_retry
from mto.transitions import User

from ..models import Holiday, Shift, WorkCenterCalendar
from .schedule import schedule_request_after_event

CAPABILITY = "manage_jobs"


def _require(by: User) -> None:
    if not by.has_perm(f"mto.{CAPABILITY}"):
        raise PermissionDenied("Your role does not allow this.")


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def _check_shifts(shifts: list[tuple[int, datetime.time, datetime.time]]) -> None:
    """No empty shift, and no two shifts of a day that overlap (a shift past midnight ends the next day)."""
    spans = []
    for weekday, start, end in shifts:
        if not 0 <= weekday <= 6:
            raise ValidationError("A shift's weekday is 0 (Monday) to 6 (Sunday).")
        if start == end:
            raise ValidationError("A shift must not start and end at the same time.")
        a = weekday * 1440 + _minutes(start)
        b = weekday * 1440 + _minutes(end) + (0 if end > start else 1440)
        spans.append((a, b))
    week = 7 * 1440
    spans += [(a - week, b - week) for a, b in spans if b > week]  # Sunday night runs into Monday
    spans.sort()
    for (_a1, b1), (a2, _b2) in zip(spans, spans[1:], strict=False):
        if a2 < b1:
            raise ValidationError("Two shifts overlap; a work center's shifts must follow one another.")


@atomic_with_retry
def calendar_save(*, work_center: WorkCenter, capacity: int, efficiency_percent: int,
                  shifts: list[tuple[int, datetime.time, datetime.time]], by: User) -> WorkCenterCalendar:  # fmt: skip
    """Replace a work center's calendar. No shifts at all means the defaults (Monday to Friday 07:00-15:00)."""
    _require(by)
    center = WorkCenter.objects.select_for_update().get(pk=work_center.pk)
    if center.is_outside:
        raise ValidationError("An outside work center has no calendar: its operations take the vendor's lead time.")
    errors = {}
    if not isinstance(capacity, int) or not 1 <= capacity <= 100:
        errors["capacity"] = "Capacity is 1 to 100 machines or people."
    if not isinstance(efficiency_percent, int) or not 1 <= efficiency_percent <= 500:
        errors["efficiency_percent"] = "Efficiency is 1 % to 500 %."
    if errors:
        raise ValidationError(errors)
    _check_shifts(shifts)
    calendar, _ = WorkCenterCalendar.objects.get_or_create(work_center=center)
    calendar.capacity, calendar.efficiency_percent = capacity, efficiency_percent
    calendar.full_clean()
    calendar.save()
    Shift.objects.filter(work_center=center).delete()
    Shift.objects.bulk_create([Shift(work_center=center, weekday=d, start=a, end=b) for d, a, b in sorted(shifts)])
    schedule_request_after_event(f"Calendar of {center.code} changed")
    return calendar


@atomic_with_retry
def holiday_add(*, date: datetime.date, work_center: WorkCenter | None = None, name: str = "", by: User) -> Holiday:
    _require(by)
    if work_center is not None:
        WorkCenter.objects.select_for_update().get(pk=work_center.pk)
    if Holiday.objects.filter(date=date, work_center=work_center).exists():
        raise ValidationError({"date": f"{date:%Y-%m-%d} is a holiday there already."})
    holiday = Holiday(date=date, work_center=work_center, name=(name or "").strip())
    holiday.full_clean(validate_unique=False, validate_constraints=False)
    holiday.save()
    schedule_request_after_event("Holiday added")
    return holiday


@atomic_with_retry
def holiday_remove(*, holiday: Holiday, by: User) -> None:
    _require(by)
    Holiday.objects.filter(pk=holiday.pk).delete()
    schedule_request_after_event("Holiday removed")
