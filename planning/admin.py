from django.contrib import admin

from .models import Holiday, ScheduleRun, Shift, WorkCenterCalendar


@admin.register(WorkCenterCalendar)
class WorkCenterCalendarAdmin(admin.ModelAdmin):
    list_display = ["work_center", "capacity", "efficiency_percent"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["work_center", "weekday", "start", "end"]
    list_filter = ["work_center", "weekday"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "work_center", "name"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "trigger", "status", "requested_at", "solver_status", "objective", "seconds"]
    readonly_fields = [f.name for f in ScheduleRun._meta.fields]
