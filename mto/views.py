from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token

from .signals import home_panels


class HomeView(TemplateView):
    """Each role's first question of the day, answered by the widgets the apps contribute."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        widgets = []
        for _receiver, response in home_panels.send(sender=HomeView, request=self.request):
            widgets.extend(response or [])
        widgets.sort(key=lambda pair: pair[0])
        return super().get_context_data(widgets=[html for _order, html in widgets], **kwargs)


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
        token = Token.objects.filter(user=self.request.user).first()
        return super().get_context_data(token=token, **kwargs)

    @transaction.atomic
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            Token.objects.create(user=request.user)
            messages.success(request, "A new API token was made; the old one no longer works.")
        else:
            messages.success(request, "Your API token was revoked.")
        return redirect("profile")
