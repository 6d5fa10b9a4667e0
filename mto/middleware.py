from django.conf import settings


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
