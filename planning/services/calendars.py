"""Work-center calendars as the engine's working windows: integer minutes from the plan's origin."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from jobs.models import WorkCenter

from ..models import DEFAULT_CAPACITY, DEFAULT_EFFICIENCY, DEFAULT_SHIFTS, Holiday, Shift, WorkCenterCalendar


@dataclass(frozen=True)
class Calendar:
    capacity: int
    efficiency_percent: int
    shifts: tuple[tuple[int, datetime.time, datetime.time], ...]  # (weekday, start, end)
    holidays: frozenset[datetime.date]


def calendars_for(centers: list[WorkCenter]) -> dict[int, Calendar]:
    """Each work center's calendar, with the defaults where nothing is entered (three queries)."""
    ids = [c.pk for c in centers]
    settings_of = {c.work_center_id: c for c in WorkCenterCalendar.objects.filter(work_center_id__in=ids)}
    shifts = defaultdict(list)
    for shift in Shift.objects.filter(work_center_id__in=ids).order_by("weekday", "start"):
        shifts[shift.work_center_id].append((shift.weekday, shift.start, shift.end))
    shop_days, center_days = set(), defaultdict(set)
    for holiday in Holiday.objects.filter(date__gte=timezone.localdate() - datetime.timedelta(days=1)):
        (center_days[holiday.work_center_id] if holiday.work_center_id else shop_days).add(holiday.date)
    result = {}
    for pk in ids:
        entered = settings_of.get(pk)
        result[pk] = Calendar(
            capacity=entered.capacity if entered else DEFAULT_CAPACITY,
            efficiency_percent=entered.efficiency_percent if entered else DEFAULT_EFFICIENCY,
            shifts=tuple(shifts[pk]) or DEFAULT_SHIFTS,
            holidays=frozenset(shop_days | center_days[pk]),
        )
    return result


def minutes_between(origin: datetime.datetime, moment: datetime.datetime) -> int:
    return int((moment - origin).total_seconds() // 60)


def at_minute(origin: datetime.datetime, minute: int) -> datetime.datetime:
    return origin + datetime.timedelta(minutes=minute)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the shop's time zone (a due date means by the end of that day)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def windows(calendar: Calendar, *, origin: datetime.datetime, horizon: int, since: int = 0,
            known: tuple[tuple[int, int], ...] = ()) -> tuple[tuple[int, int], ...]:  # fmt: skip
    """The working windows in [0, horizon): each shift of each working day, merged where they touch.
    `known`, the windows of [0, since) already made (this function with horizon=since), is extended: only
    the days from `since` on are made (capable to promise's scenario extends the problem's horizon).

    A shift whose end is at or before its start runs past midnight into the next day. Days are the shop's
    local days (DST changes move the minutes, not the shifts' clock times)."""
    # The zone once (make_aware per shift and day was most of the time of a ten-year horizon); attaching it
    # to a local wall time is what make_aware does with a zoneinfo zone.
    zone = timezone.get_current_timezone()
    combine, one_day = datetime.datetime.combine, datetime.timedelta(days=1)
    local = timezone.localtime(origin, zone)
    first = local.date() - one_day  # last night's shift may still be on
    days = horizon // (24 * 60) + 2
    by_weekday = defaultdict(list)
    for weekday, start, end in calendar.shifts:
        by_weekday[weekday].append((start, end))
    spans = []
    # A day's shifts start no earlier than the day before it in minutes (the zone's offset, a night shift).
    for n in range(max(0, since // (24 * 60) - 3) if known else 0, days + 1):
        day = first + datetime.timedelta(days=n)
        if day in calendar.holidays:
            continue
        for start, end in by_weekday.get(day.weekday(), ()):
            begin = combine(day, start, tzinfo=zone)
            finish = combine(day if end > start else day + one_day, end, tzinfo=zone)
            a = max(minutes_between(origin, begin), since if known else 0)
            b = min(minutes_between(origin, finish), horizon)
            if a < b:
                spans.append((a, b))
    spans.sort()
    merged: list[list[int]] = [list(w) for w in known]
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


def minutes_per_week(calendar: Calendar) -> int:
    """Working minutes of one machine in a week without holidays."""
    total = 0
    for _weekday, start, end in calendar.shifts:
        a = start.hour * 60 + start.minute
        b = end.hour * 60 + end.minute
        total += b - a if b > a else b + 24 * 60 - a
    return total


def work_span(start: int, duration: int, windows) -> tuple[int, int]:
    """(first working minute at or after `start`, end) of `duration` working minutes in `windows`
    (None: always working). Raises ValueError when the windows end before the work does."""
    if windows is None or duration == 0:
        return start, start + duration
    left, begin = duration, None
    for a, b in windows:
        if b <= start:
            continue
        s = max(a, start)
        if begin is None:
            begin = s
        take = min(b - s, left)
        left -= take
        if left == 0:
            return begin, s + take
    raise ValueError("no working time left in the horizon")
