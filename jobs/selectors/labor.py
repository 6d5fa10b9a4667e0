"""Reads of operators, kiosks and labor: the kiosk's screens, the operators' day, labor per operator on a job."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Attendance, IndirectTime, Job, KioskDevice, LaborEntry, OperatorProfile
from .common import CENT
from .jobs import floor_job, floor_job_token


def _hours(seconds: float) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def entry_cost(entry, now) -> Decimal:
    """What a labor entry cost, at the rate it started with."""
    seconds = ((entry.stopped_at or now) - entry.started_at).total_seconds()
    return Decimal(seconds) / Decimal(3600) * entry.hourly_rate


def kiosk_job(*, pk: int, work_center_id: int) -> Job | None:
    """The kiosk's job screen: the floor's job screen, with who is on each operation now (None: the job has no
    operation at the tablet's work center, which the kiosk may not open)."""
    job = floor_job(pk=pk)
    here = [op for op in job.ops if op.work_center_id == work_center_id]
    if not here:
        return None
    on_now = LaborEntry.objects.filter(operation__in=here, stopped_at=None).select_related("operator")
    by_op: dict[int, list] = {}
    for entry in on_now:
        by_op.setdefault(entry.operation_id, []).append(entry)
    for op in job.ops:
        op.here = op.work_center_id == work_center_id
        op.on_now = by_op.get(op.pk, [])
    job.kiosk_token = _kiosk_token(job.token, (e.pk for e in on_now))
    return job


def _kiosk_token(floor_token: str, open_entry_ids) -> str:
    return f"{floor_token}.{'-'.join(str(pk) for pk in sorted(open_entry_ids))}"


def kiosk_job_token(*, pk: int, work_center_id: int) -> str:
    """What changes whenever the kiosk's job screen would: the job, its operations, who is on them (the kiosk
    polls it; an operator joining a running operation moves no version)."""
    open_ids = LaborEntry.objects.filter(
        operation__job_id=pk, operation__work_center_id=work_center_id, stopped_at=None
    ).values_list("pk", flat=True)
    return _kiosk_token(floor_job_token(pk=pk), open_ids)


@dataclass
class OperatorNow:
    """Where an operator is now: on the clock since, on which operation, on what indirect time."""

    attendance: Attendance | None
    labor: LaborEntry | None
    indirect: IndirectTime | None


def operator_now(*, operator) -> OperatorNow:
    attendance = Attendance.objects.filter(operator=operator, clock_out=None).first()
    labor = LaborEntry.objects.select_related("operation__job").filter(operator=operator, stopped_at=None).first()
    indirect = IndirectTime.objects.filter(operator=operator, stopped_at=None).first()
    return OperatorNow(attendance, labor, indirect)


def kiosk_operators() -> list[OperatorProfile]:
    """Who may badge in with a PIN (the badge screen lists them)."""
    return list(
        OperatorProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .exclude(pin_hash="")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def operator_list() -> QuerySet[OperatorProfile]:
    return OperatorProfile.objects.select_related("user", "labor_class").order_by(
        "-user__is_active", "user__first_name", "user__last_name", "user__username"
    )


def kiosk_devices() -> QuerySet[KioskDevice]:
    return KioskDevice.objects.select_related("work_center", "enrolled_by", "revoked_by").order_by(
        "revoked_at", "work_center__code", "name", "id"
    )


@dataclass
class OperatorLabor:
    """One operator's labor on a job: hours and cost (each entry at the rate it started with), pieces."""

    name: str
    labor_class: str
    hours: Decimal
    cost: Decimal
    good: int
    scrap: int
    rates: list[Decimal]
    running: bool


def labor_by_operator(entries: list[LaborEntry], now=None) -> list[OperatorLabor]:
    """Labor per operator from a job's labor entries (prefetched with their operators)."""
    now = now or timezone.now()
    rows: dict[int, dict] = {}
    for e in entries:
        fresh = {"operator": e.operator, "seconds": 0.0, "cost": Decimal(0), "good": 0, "scrap": 0, "rates": [],
                 "classes": [], "running": False}  # fmt: skip
        row = rows.setdefault(e.operator_id, fresh)
        row["seconds"] += ((e.stopped_at or now) - e.started_at).total_seconds()
        row["cost"] += entry_cost(e, now)
        row["good"] += e.good_qty
        row["scrap"] += e.scrap_qty
        row["running"] |= e.stopped_at is None
        if e.hourly_rate not in row["rates"]:
            row["rates"].append(e.hourly_rate)
        if e.labor_class and e.labor_class not in row["classes"]:
            row["classes"].append(e.labor_class)
    result = [
        OperatorLabor(r["operator"].get_full_name() or r["operator"].username, ", ".join(r["classes"]),
                      _hours(r["seconds"]), r["cost"].quantize(CENT, ROUND_HALF_UP), r["good"], r["scrap"],
                      r["rates"], r["running"])
        for r in rows.values()
    ]  # fmt: skip
    return sorted(result, key=lambda r: r.name)


def labor_entries(*, job_id: int) -> QuerySet[LaborEntry]:
    """The job page's labor entries (every operation's, with operators), as job_detail reads them."""
    return LaborEntry.objects.filter(operation__job_id=job_id).select_related("operator")


@dataclass
class OperatorDay:
    """An operator's shift against what filled it: job (labor) time, indirect time, and the gap left."""

    clocked_hours: Decimal
    job_hours: Decimal
    indirect_hours: Decimal

    @property
    def unaccounted_hours(self) -> Decimal:
        return max(self.clocked_hours - self.job_hours - self.indirect_hours, Decimal(0))


def operator_days(*, operator, since) -> OperatorDay:
    """Attendance, job and indirect time of an operator since `since` (open ones up to now)."""
    now = timezone.now()

    def seconds(rows, start, stop):
        return sum(((getattr(r, stop) or now) - max(getattr(r, start), since)).total_seconds() for r in rows)

    attendance = Attendance.objects.filter(operator=operator).exclude(clock_out__lt=since)
    labor = LaborEntry.objects.filter(operator=operator).exclude(stopped_at__lt=since)
    indirect = IndirectTime.objects.filter(operator=operator).exclude(stopped_at__lt=since)
    return OperatorDay(
        _hours(seconds(attendance, "clock_in", "clock_out")),
        _hours(seconds(labor, "started_at", "stopped_at")),
        _hours(seconds(indirect, "started_at", "stopped_at")),
    )
