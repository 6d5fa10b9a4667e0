"""Settings for the benchmark and the load test only: never used in production.

On top of the project's settings: DEBUG off (as in production, so templates are cached and no query log
is kept), a middleware that reports server time and queries in a Server-Timing header, and a URLconf
that adds the raw-SQL baseline views of bench/baseline/ to the real URLs.
"""

import os

# The project's development defaults (a local secret key, plain http, unhashed static files), DEBUG itself
# then off below: the benchmark talks plain http to 127.0.0.1. mto.settings defaults to production.
os.environ["DEBUG"] = "1"

from mto.settings import *  # noqa: E402, F403
from mto.settings import MIDDLEWARE, TEMPLATES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# First, so the time covers every other middleware (sessions, auth, CSRF, messages, ...).
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]
# The bell's count comes from the baseline's single query on baseline pages (see bench/baseline/).
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    "bench.baseline.notifications" if p == "mto.context_processors.notifications" else p
    for p in TEMPLATES[0]["OPTIONS"]["context_processors"]
]
# Static files as in production: whitenoise serves the hashed, compressed copies that collectstatic made (the
# bench scripts run it first, bench.run.collect_static) from memory, before any Django view runs; the pages
# name them by their hashed URLs. Its own directory, so a benchmark never touches a deployment's files.
STATIC_ROOT = BASE_DIR / "staticfiles-bench"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = False
WHITENOISE_USE_FINDERS = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# The benchmark measures pages, not the planner: its own approvals (bench/run.py's 50-line order) would
# otherwise run the schedule inside the request (Celery is eager without REDIS_URL) and give the pages a
# schedule panel their raw-SQL baselines do not draw.
PLANNING_AFTER_EVENTS = False
# The hand-written raw-SQL baselines (bench/baseline) do not draw quality's first-article panel yet: the bench
# measures the job page without first articles, as the tests' settings do.
QUALITY_FIRST_ARTICLE = False
