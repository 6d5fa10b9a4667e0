from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


def permission_denied(request, exception=None):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    message = str(exception) if exception and str(exception) else "Your role does not allow this page or action."
    return render(request, "403.html", {"message": message}, status=403)
