"""One record per form submission: a double click or a re-sent POST finds the first result.

The form carries a one-time token, or the request an Idempotency-Key header (the shop floor's offline queue
sends one with every action it replays); the key's row is written in the same transaction as the record it
guards, so a concurrent twin waits on the unique key and then finds the first record.
"""

import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import IdempotencyKey

FIELD = "submit_token"
HEADER = "Idempotency-Key"


def new_token() -> str:
    return uuid.uuid4().hex


def _url(result) -> str:
    return result if isinstance(result, str) else result.get_absolute_url()


def request_token(request) -> str:
    """The key of this POST: the Idempotency-Key header if sent, else the form's one-time token ("" if neither).

    The header wins: the floor's queue gives each tap its own key, while a form the tablet could not redraw
    offline carries the same token for two different notes."""
    header = request.headers.get(HEADER, "")
    if header and len(header) <= 64 and header.isprintable():
        return header
    return (request.POST.get(FIELD) or "")[:64]


def already_sent(request) -> str | None:
    """Where the first POST with this form's token went, if one was saved: a twin goes there too.

    Asked before the form is validated, so a twin is not refused by the first one's result ("code taken").
    """
    token = request_token(request)
    if not token:
        return None
    row = IdempotencyKey.objects.filter(user=request.user, key=f"form:{token}", status_code__isnull=False).first()
    return (row.response_body or {}).get("location", "/") if row else None


def run_once(request, run: Callable[[], dict], *, status: int = 200) -> tuple[dict, bool]:
    """Run `run` once per key (request_token); return (what it returned, whether it ran now).

    `run` returns what a twin gets instead of a second run (JSON). A `run` that raises leaves no key behind
    (its transaction rolls back with the row), so the same request sent again is tried again.
    """
    token = request_token(request)
    if not token:
        return run(), True
    key = f"form:{token}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=request.user, key=key, method="POST", path=request.path[:500], request_hash="form"
                )
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=request.user, key=key)
            return row.response_body or {}, False
        result = run()
        row.status_code, row.response_body = status, result
        row.save(update_fields=["status_code", "response_body"])
        return result, True


def submit_once(request, create: Callable[[], object]) -> tuple[str, bool]:
    """Run `create` once per token; return (url, created).

    `create` returns where to go next: a model with get_absolute_url, or the URL itself.
    """
    result, created = run_once(request, lambda: {"location": _url(create())}, status=302)
    return result.get("location", "/"), created
