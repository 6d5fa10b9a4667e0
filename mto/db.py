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


def trigram_index_create(schema_editor, *, name: str, table: str, column: str) -> bool:
    """A GIN trigram index of UPPER(column) for `icontains` searches (Django compiles them to
    UPPER("column"::text) LIKE UPPER('%...%') on PostgreSQL), for a migration's RunPython. PostgreSQL only;
    where the role may not create the (trusted) pg_trgm extension the index is left out and the search still
    works, more slowly. Returns whether the index exists now."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return False
    expression = f"(UPPER({column}::text)) gin_trgm_ops"
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")
    return True


def index_drop(schema_editor, *, name: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
