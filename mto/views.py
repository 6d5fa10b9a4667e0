from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from . import panels, selectors, services


class HomeView(TemplateView):
    """Each role's first question of the day, answered by the widgets the apps register (mto/panels.py)."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(widgets=panels.render(self.request, page="home"), **kwargs)


def page_not_found(request, exception=None):
    """API clients get JSON, people get the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    message = str(exception) if exception and str(exception) else "Your role does not allow this page or action."
    return render(request, "403.html", {"message": message}, status=403)


class ProfileView(TemplateView):
    """Who I am, my roles, and my API token (create, replace, revoke)."""

    template_name = "profile.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(token=selectors.api_token(user=self.request.user), **kwargs)

    def post(self, request):
        if request.POST.get("action") == "create":
            services.api_token_replace(user=request.user)
            messages.success(request, "A new API token was made; the old one no longer works.")
        else:
            services.api_token_revoke(user=request.user)
            messages.success(request, "Your API token was revoked.")
        return redirect("profile")
