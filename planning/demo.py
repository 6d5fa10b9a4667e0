"""Demo planning: calendars that differ from the defaults (two shifts and two machines at the mills, the saw
at 90 %, the inspection bench four days a week, a shop holiday) and a schedule made now, so the Gantt, the
load chart and the projections have something to show. Idempotent: calendars keyed by work center."""

import datetime

from django.utils import timezone

from jobs.models import WorkCenter

from .models import Holiday, Shift, WorkCenterCalendar
from .services import schedule_now

TWO_SHIFTS = [(datetime.time(6, 0), datetime.time(14, 0)), (datetime.time(14, 0), datetime.time(22, 0))]


def seed_planning(*, users, seconds: int = 3):
    centers = {c.code: c for c in WorkCenter.objects.filter(is_outside=False)}
    for code, center in centers.items():
        if code.startswith(("CNC", "MILL")):
            WorkCenterCalendar.objects.get_or_create(work_center=center, defaults={"capacity": 2})
            if not center.shifts.exists():
                Shift.objects.bulk_create([Shift(work_center=center, weekday=d, start=a, end=b)
                                           for d in range(5) for a, b in TWO_SHIFTS])  # fmt: skip
        elif code.startswith("SAW"):
            WorkCenterCalendar.objects.get_or_create(work_center=center, defaults={"efficiency_percent": 90})
        elif code.startswith(("INSP", "QC")) and not center.shifts.exists():
            Shift.objects.bulk_create([Shift(work_center=center, weekday=d, start=datetime.time(8, 0),
                                             end=datetime.time(16, 0)) for d in range(4)])  # fmt: skip
    day = timezone.localdate() + datetime.timedelta(days=21)
    Holiday.objects.get_or_create(date=day, work_center=None, defaults={"name": "Shop closed (demo)"})
    return schedule_now(by=users["manager"], reason="Demo", seconds=seconds)
