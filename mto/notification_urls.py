from django.urls import path

from . import notification_views as views

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification-list"),
    path("read/", views.NotificationReadView.as_view(), name="notification-read-all"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("preferences/", views.NotificationPreferencesView.as_view(), name="notification-preferences"),
]
