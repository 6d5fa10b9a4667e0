from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a Content-Security-Policy and a Permissions-Policy.

    Scripts only from our own origin (no inline script, no eval), so injected markup cannot run code.
    Inline style attributes stay allowed: progress bars and charts set widths with them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response


NUL_MESSAGE = "The request contains a NUL character (\\x00), which no field or search takes. Remove it and try again."


class RefuseNulMiddleware:
    """A NUL in any query or form value (or name, or uploaded file name) gets a 400 with the reason.

    PostgreSQL refuses NUL in text, so a search or a field reaching the database with one would be a 500;
    no text anybody types contains it, so refusing the request once here covers every page and form.
    Runs as process_view after LoginRequiredMiddleware: anonymous requests still go to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        values = [*request.GET.lists()]
        if request.method == "POST":
            values += [*request.POST.lists()]
            values += [(name, [f.name or "" for f in files]) for name, files in request.FILES.lists()]
        if not any("\x00" in name or any("\x00" in value for value in vals) for name, vals in values):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": NUL_MESSAGE}, status=400)
        return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)
