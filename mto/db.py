import functools
import logging
import random
import time

from django.db import OperationalError, transaction

log = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs worth retrying: serialization_failure, deadlock_detected.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


def _is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES or getattr(cause, "pgcode", None) in (
        RETRYABLE_SQLSTATES
    )


def atomic_with_retry(func=None, *, attempts: int = 4, base_delay: float = 0.02):
    """Run func in its own transaction, retrying with jitter on serialization failure or deadlock only.

    Only the outermost call retries: inside an enclosing transaction a retry could not undo the caller's
    work, so the error goes up to whoever owns the transaction.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if transaction.get_connection().in_atomic_block:
                return transaction.atomic(fn)(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return fn(*args, **kwargs)
                except OperationalError as exc:
                    if attempt == attempts or not _is_retryable(exc):
                        raise
                    delay = base_delay * 2 ** (attempt - 1) * (0.5 + random.random())  # noqa: S311
                    log.warning("retrying %s after %s (attempt %d)", fn.__name__, exc, attempt)
                    time.sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func else decorate
