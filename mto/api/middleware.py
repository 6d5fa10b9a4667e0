"""Errors: JSON everywhere under /api/."""

from django.http import JsonResponse

# --- errors: JSON everywhere under /api/ ---------------------------------------------------------------------


class ApiErrorsMiddleware:
    """Under /api/ every answer is JSON, errors included: Django's own 404 (HTML under DEBUG), 405, 403, 413 and
    500 pages are replaced by {"detail": ...}. (mto.middleware.RefuseNulMiddleware refuses a NUL in the query.)"""

    KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type:
            replaced = JsonResponse({"detail": response.reason_phrase}, status=response.status_code)
            for header in self.KEPT_HEADERS:
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
