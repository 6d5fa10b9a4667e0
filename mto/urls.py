from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sales/", include("sales.urls")),
    path("jobs/", include("jobs.urls")),
    path("shipping/", include("shipping.urls")),
    path("quotes/", include("quotes.urls")),
    path("purchasing/", include("purchasing.urls")),
    path("quality/", include("quality.urls")),
    path("planning/", include("planning.urls")),
    path("kiosk/quality/", include("quality.kiosk_urls")),
    path("kiosk/", include("jobs.kiosk_urls")),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("notifications/", include("mto.notification_urls")),
    path("api/v1/", include("mto.api_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "mto.views.permission_denied"
handler404 = "mto.views.page_not_found"
