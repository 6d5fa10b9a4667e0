"""Calendar edits: capacity, efficiency and shifts of a work center, holidays; refused input changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jobs.models import WorkCenter
from planning.models import Holiday, Shift, WorkCenterCalendar
from planning.services import calendar_save, holiday_add, holiday_remove
from planning.services.calendars import calendars_for
from tests.scenarios import approved_order, page_queries

pytestmark = pytest.mark.django_db
T = datetime.time


@pytest.fixture
def centers(office, manager):
    approved_order(office, manager)
    return {c.code: c for c in WorkCenter.objects.all()}


def test_save_a_calendar_and_back_to_the_defaults(manager, centers):
    cnc = centers["CNC"]
    shifts = [(d, T(6), T(14)) for d in range(5)] + [(d, T(14), T(22)) for d in range(5)] + [(6, T(22), T(5))]
    calendar_save(work_center=cnc, capacity=2, efficiency_percent=85, shifts=shifts, by=manager)
    calendar = calendars_for([cnc])[cnc.pk]
    assert (calendar.capacity, calendar.efficiency_percent, len(calendar.shifts)) == (2, 85, 11)
    calendar_save(work_center=cnc, capacity=1, efficiency_percent=100, shifts=[], by=manager)
    assert not Shift.objects.filter(work_center=cnc).exists()
    assert calendars_for([cnc])[cnc.pk].shifts[0] == (0, T(7), T(15))  # the defaults again


@pytest.mark.parametrize("shifts, capacity, efficiency", [
    ([(0, T(6), T(14)), (0, T(13), T(20))], 1, 100),  # overlap within a day
    ([(6, T(22), T(7)), (0, T(6), T(14))], 1, 100),  # Sunday night runs into Monday's first shift
    ([(0, T(6), T(6))], 1, 100),  # empty
    ([(7, T(6), T(8))], 1, 100),  # no such weekday
    ([], 0, 100),
    ([], 1, 0),
])  # fmt: skip
def test_bad_calendars_change_nothing(manager, centers, shifts, capacity, efficiency):
    cnc = centers["CNC"]
    with pytest.raises(ValidationError):
        calendar_save(work_center=cnc, capacity=capacity, efficiency_percent=efficiency, shifts=shifts, by=manager)
    assert not WorkCenterCalendar.objects.exists() and not Shift.objects.exists()


def test_outside_work_centers_and_roles_are_refused(manager, office, lead, centers):
    plate = WorkCenter.objects.create(code="PLATE", name="Plating", hourly_rate=0, is_outside=True)
    with pytest.raises(ValidationError):
        calendar_save(work_center=plate, capacity=1, efficiency_percent=100, shifts=[], by=manager)
    for user in (office, lead):
        with pytest.raises(PermissionDenied):
            calendar_save(work_center=centers["CNC"], capacity=2, efficiency_percent=100, shifts=[], by=user)
        with pytest.raises(PermissionDenied):
            holiday_add(date=timezone.localdate(), by=user)
    assert not WorkCenterCalendar.objects.exists() and not Holiday.objects.exists()


def test_holidays_for_the_shop_and_a_work_center(manager, centers):
    day = timezone.localdate() + datetime.timedelta(days=10)
    shop = holiday_add(date=day, name="Founders' day", by=manager)
    saw = holiday_add(date=day, work_center=centers["SAW"], by=manager)
    with pytest.raises(ValidationError):
        holiday_add(date=day, by=manager)
    assert day in calendars_for([centers["CNC"]])[centers["CNC"].pk].holidays
    holiday_remove(holiday=shop, by=manager)
    assert day not in calendars_for([centers["CNC"]])[centers["CNC"].pk].holidays
    assert day in calendars_for([centers["SAW"]])[centers["SAW"].pk].holidays
    assert list(Holiday.objects.all()) == [saw]


def test_calendar_pages(client, manager, centers):
    client.force_login(manager)
    cnc = centers["CNC"]
    url = reverse("planning:calendar-edit", args=[cnc.pk])
    bad = client.post(url, {"capacity": 2, "efficiency_percent": 100, "d0_0_start": "06:00"})
    assert bad.status_code == 200 and "give both the start and the end" in bad.content.decode()
    good = client.post(url, {"capacity": 2, "efficiency_percent": 90, "d0_0_start": "06:00", "d0_0_end": "14:00",
                             "d1_0_start": "22:00", "d1_0_end": "06:00"})  # fmt: skip
    assert good.status_code == 302
    assert list(Shift.objects.filter(work_center=cnc).values_list("weekday", "start", "end")) == [
        (0, T(6), T(14)), (1, T(22), T(6))]  # fmt: skip
    assert 'value="22:00"' in client.get(url).content.decode()
    added = client.post(reverse("planning:holiday-add"), {"date": "2030-01-01", "name": "New year"})
    assert added.status_code == 302
    again = client.post(reverse("planning:holiday-add"), {"date": "2030-01-01"})
    assert again.status_code == 400 and "is a holiday there already" in again.content.decode()
    small = page_queries(client, reverse("planning:calendars"))
    for n in range(5):
        holiday_add(date=datetime.date(2030, 2, 1 + n), work_center=centers["SAW"], by=manager)
    WorkCenter.objects.create(code="EDM", name="Wire EDM", hourly_rate=90)
    assert page_queries(client, reverse("planning:calendars")) == small
    assert page_queries(client, url) == page_queries(
        client, reverse("planning:calendar-edit", args=[centers["SAW"].pk])
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Chicago"])
def test_windows_extended_from_a_shorter_horizon_are_the_windows_made_at_once(settings, zone):
    # Capable to promise's scenario extends the problem's windows instead of making them again: the same
    # windows, night shifts across the seam and a DST change included.
    from planning.services.calendars import Calendar, windows

    settings.TIME_ZONE = zone
    timezone.deactivate()
    night = Calendar(capacity=1, efficiency_percent=100, holidays=frozenset(),
                     shifts=tuple((d, datetime.time(22), datetime.time(6)) for d in range(5))
                     + tuple((d, datetime.time(7, 30), datetime.time(16)) for d in range(6)))  # fmt: skip
    origin = datetime.datetime(2026, 3, 20, 13, 7, tzinfo=datetime.UTC)
    for short in (0, 1, 1440 * 3 + 17, 1440 * 10 + 600):
        known = windows(night, origin=origin, horizon=short)
        extended = windows(night, origin=origin, horizon=1440 * 40, since=short, known=known)
        assert extended == windows(night, origin=origin, horizon=1440 * 40), short
