from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.ScheduleView.as_view(), name="schedule"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("run/", views.PlanNowView.as_view(), name="run"),
    path("gantt/", views.GanttView.as_view(), name="gantt"),
    path("orders/<int:pk>/", views.OrderGanttView.as_view(), name="order-gantt"),
    path("orders/<int:pk>/promise/", views.OrderPromiseView.as_view(), name="order-promise"),
    path("orders/<int:pk>/promise/set/", views.OrderPromiseSetView.as_view(), name="order-promise-set"),
    path("orders/<int:pk>/what-if/", views.OrderWhatIfView.as_view(), name="order-what-if"),
    path("load/", views.LoadView.as_view(), name="load"),
    path("calendars/", views.CalendarListView.as_view(), name="calendars"),
    path("calendars/<int:pk>/", views.CalendarEditView.as_view(), name="calendar-edit"),
    path("holidays/new/", views.HolidayAddView.as_view(), name="holiday-add"),
    path("holidays/<int:pk>/remove/", views.HolidayRemoveView.as_view(), name="holiday-remove"),
]
