import datetime

from django import forms
from django.utils import timezone

from jobs.models import WorkCenter

from .models import WEEKDAYS

SHIFTS_PER_DAY = 2


def _time(label):
    return forms.TimeField(label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class CalendarForm(forms.Form):
    """Capacity, efficiency and up to two shifts a weekday (start and end; an end before the start runs past
    midnight). Every shift left empty: the defaults (Monday to Friday 07:00-15:00)."""

    capacity = forms.IntegerField(min_value=1, max_value=100, help_text="Identical machines or people.")
    efficiency_percent = forms.IntegerField(label="Efficiency %", min_value=1, max_value=500,
                                            help_text="Standard hours done per hour worked.")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in WEEKDAYS:
            for n in range(SHIFTS_PER_DAY):
                self.fields[f"d{day}_{n}_start"] = _time(f"{name} shift {n + 1} start")
                self.fields[f"d{day}_{n}_end"] = _time(f"{name} shift {n + 1} end")

    def rows(self):
        """(weekday name, [(start field, end field) per shift]) for the template's table."""
        return [(name, [(self[f"d{day}_{n}_start"], self[f"d{day}_{n}_end"]) for n in range(SHIFTS_PER_DAY)])
                for day, name in WEEKDAYS]  # fmt: skip

    def clean(self):
        data = super().clean()
        shifts = []
        for day, name in WEEKDAYS:
            for n in range(SHIFTS_PER_DAY):
                start, end = data.get(f"d{day}_{n}_start"), data.get(f"d{day}_{n}_end")
                if (start is None) != (end is None):
                    self.add_error(f"d{day}_{n}_start", f"{name}: give both the start and the end of the shift.")
                elif start is not None:
                    shifts.append((day, start, end))
        data["shifts"] = shifts
        return data

    @staticmethod
    def initial_for(calendar, shifts) -> dict:
        initial = {"capacity": calendar.capacity, "efficiency_percent": calendar.efficiency_percent}
        seen: dict[int, int] = {}
        for day, start, end in shifts:
            n = seen.get(day, 0)
            if n < SHIFTS_PER_DAY:
                initial[f"d{day}_{n}_start"], initial[f"d{day}_{n}_end"] = start, end
            seen[day] = n + 1
        return initial


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    work_center = forms.ModelChoiceField(queryset=WorkCenter.objects.filter(is_outside=False).order_by("code"),
                                         required=False, empty_label="The whole shop")  # fmt: skip
    name = forms.CharField(max_length=100, required=False)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate() - datetime.timedelta(days=366):
            raise forms.ValidationError("A holiday more than a year ago changes no plan.")
        return date


class PromiseDateForm(forms.Form):
    """A capable-to-promise figure, one click from being the order's promised date."""

    promised_date = forms.DateField()
