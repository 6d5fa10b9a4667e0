"""gunicorn's configuration for MTO (read by gunicorn from the working directory, or with `-c gunicorn.conf.py`).

The defaults: gthread workers, one process per core, 4 threads each. On the shared 2-core machine the load test
could not tell them from 4 sync workers (both saturated at the same rate under a load average of 15; see
docs/performance.md, "Round two, steps 4 and 5"), so they are chosen for what is known: a request spends part
of its time waiting on PostgreSQL, which a thread fills, keep-alive works (sync workers close every
connection), and two processes use half the memory of four. Re-measure on the production host with
`bench/loadtest.py --capacity --workers N --threads M`. Override per host with the environment:

    WEB_CONCURRENCY   worker processes (default: the number of cores)
    GUNICORN_THREADS  threads per worker (default 4; 1 means plain sync workers)
    GUNICORN_WORKER_CLASS  "gthread" (default) or "sync"
    GUNICORN_BIND     address (default 127.0.0.1:8000: behind the TLS proxy of the README)

Each thread holds its own PostgreSQL connection (CONN_MAX_AGE keeps it), so the database needs
workers x threads connections per web host, plus Celery's.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
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
