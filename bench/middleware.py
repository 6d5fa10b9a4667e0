"""Server time and query count of each request, for the benchmark (enabled by bench.settings only)."""

import threading
import time

from django.db import connections
from django.template import base as template_base
from django.template import loader_tags

_request = threading.local()


def _timed_render(render, name_of):
    """A render method timed under name_of(node, context), exclusive of the templates and blocks rendered inside it,
    so the figures of one request add up to its template time (SQL a template's loop runs is in its figure).
    Blocks are timed apart because a child template's blocks render inside its parent's render."""

    def timed(self, context):
        times = getattr(_request, "templates", None)
        if times is None:
            return render(self, context)
        stack = _request.stack
        start = time.perf_counter()
        stack.append(0.0)
        try:
            return render(self, context)
        finally:
            elapsed = time.perf_counter() - start
            nested = stack.pop()
            if stack:
                stack[-1] += elapsed
            entry = times.setdefault(name_of(self, context), [0.0, 0])
            entry[0] += elapsed - nested
            entry[1] += 1

    return timed


template_base.Template._render = _timed_render(
    template_base.Template._render, lambda template, context: template.origin.template_name or "<string>"
)
# A block renders the page's override when there is one: named after the page's template (context.template).
loader_tags.BlockNode.render = _timed_render(
    loader_tags.BlockNode.render, lambda block, context: f"{context.template.origin.template_name} block {block.name}"
)


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
    """Adds `Server-Timing: app;dur=<ms>, db;dur=<ms>, cpu;dur=<ms>` and `X-Queries: <n>` to every response.

    The time runs from this middleware (the first) receiving the request to the response leaving it: URL
    routing, every other middleware, the view, the SQL and the template. It leaves out gunicorn's parsing
    and the network. The SQL time is what the database driver took, round trips included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        _request.templates, _request.stack = {}, []
        start, cpu_start = time.perf_counter(), time.thread_time()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            if getattr(response, "streaming", False) is False and hasattr(response, "render"):
                response.render()  # a TemplateResponse renders here, inside the timing
        elapsed = (time.perf_counter() - start) * 1000
        # This thread's own CPU time: under load, app time also holds waits for the GIL and the cores.
        cpu = (time.thread_time() - cpu_start) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}, db;dur={counter.seconds * 1000:.2f}, cpu;dur={cpu:.2f}"
        response["X-Queries"] = str(counter.queries)
        # name=ms/renders for each template, slowest first (bench/profile.py reads it).
        ranked = sorted(_request.templates.items(), key=lambda kv: -kv[1][0])
        response["X-Template-Times"] = ",".join(f"{name}={t * 1000:.2f}/{n}" for name, (t, n) in ranked[:12])
        _request.templates = None
        return response
