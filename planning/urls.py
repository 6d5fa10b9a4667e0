from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.ScheduleView.as_view(), name="schedule"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("run/", views.PlanNowView.as_view(), name="run"),
    path("gantt/", views.GanttView.as_view(), name="gantt"),
    path("orders/<int:pk>/", views.OrderGanttView.as_view(), name="order-gantt"),
    path("load/", views.LoadView.as_view(), name="load"),
]
