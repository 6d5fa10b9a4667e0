"""gunicorn's configuration for MTO (read by gunicorn from the working directory, or with `-c gunicorn.conf.py`).

The defaults: plain sync workers, one process per core plus one. Measured on the 2-core machine at 100,000 orders
(docs/performance.md, round eight: the 20-user load test, three runs of each, interleaved): 3 sync workers served
48.9-52.2 requests/s with p95 429-482 ms and used 98-99 % of the cores; 2 gthread workers x 4 threads served
42.0-49.5 requests/s with p95 572-929 ms and left 4-14 % idle (the threads of one process take turns on one
interpreter lock, and a page waits behind its siblings' rendering). The extra process fills a core while another
waits on PostgreSQL. Sync workers close every connection (no keep-alive), so they belong behind a proxy that
buffers requests and answers (the README's TLS proxy does). Re-measure on the production host with
`bench/loadtest.py --workers N --threads M`. Override per host with the environment:

    WEB_CONCURRENCY   worker processes (default: the number of cores + 1)
    GUNICORN_THREADS  threads per worker (default 1, sync workers; more means gthread workers)
    GUNICORN_WORKER_CLASS  "sync" (default with one thread) or "gthread"
    GUNICORN_BIND     address (default 127.0.0.1:8000: behind the TLS proxy of the README)
    GUNICORN_GC_GEN0  the garbage collector's first threshold in a worker (default 10000; 0 leaves Python's
                      collector as it is, unfrozen, at 700)

The collector: each worker freezes what loading the app made (gc.freeze: Django, the apps, their modules, half
a million objects the collector would otherwise walk at every full collection) and collects the youngest
generation every 10,000 allocations instead of 700. A request allocates tens of thousands of objects, almost
none of them in reference cycles, so at 700 the collector ran about twice a request, and a full collection now
and then walked everything loaded. Measured in-process over the benchmark's pages at 100,000 orders: 2.2-2.5 ms
of a request's 24-27 ms went to the collector, 0.9 with this (docs/performance.md, round nine).

Each thread holds its own PostgreSQL connection (CONN_MAX_AGE keeps it), so the database needs
workers x threads connections per web host, plus Celery's.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
# Keep-alive matters only to gthread (sync workers close every connection); the proxy reuses connections.
keepalive = 5
# A request that takes this long is stuck (the certificate pack, the slowest page, takes a few seconds).
timeout = 60
graceful_timeout = 20
# Recycle a worker now and then, so a slow leak in a dependency cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# The application is loaded in each worker (not preloaded in the master): database connections are never
# shared across a fork, and a restart (HUP) reloads the code.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

GC_GEN0 = int(os.environ.get("GUNICORN_GC_GEN0", 10_000))


def post_worker_init(worker):
    """After the worker loaded the app: freeze what it loaded, and collect the young generation less often."""
    if GC_GEN0:
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_GEN0, 10, 10)
