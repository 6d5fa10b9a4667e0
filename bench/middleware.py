"""Server time and query count of each request, for the benchmark (enabled by bench.settings only)."""

import time

from django.db import connections


class _Counter:
    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>, db;dur=<ms>` and `X-Queries: <n>` to every response.

    The time runs from this middleware (the first) receiving the request to the response leaving it: URL
    routing, every other middleware, the view, the SQL and the template. It leaves out gunicorn's parsing
    and the network. The SQL time is what the database driver took, round trips included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        start = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            if getattr(response, "streaming", False) is False and hasattr(response, "render"):
                response.render()  # a TemplateResponse renders here, inside the timing
        elapsed = (time.perf_counter() - start) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}, db;dur={counter.seconds * 1000:.2f}"
        response["X-Queries"] = str(counter.queries)
        return response
