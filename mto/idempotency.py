"""One record per form submission: a double click or a re-sent POST finds the first result.

The form carries a one-time token; the token's row is written in the same transaction as the record it
guards, so a concurrent twin waits on the unique key and then finds the first record.
"""

import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import IdempotencyKey

FIELD = "submit_token"


def new_token() -> str:
    return uuid.uuid4().hex


def _url(result) -> str:
    return result if isinstance(result, str) else result.get_absolute_url()


def already_sent(request) -> str | None:
    """Where the first POST with this form's token went, if one was saved: a twin goes there too.

    Asked before the form is validated, so a twin is not refused by the first one's result ("code taken").
    """
    token = (request.POST.get(FIELD) or "")[:64]
    if not token:
        return None
    row = IdempotencyKey.objects.filter(user=request.user, key=f"form:{token}", status_code__isnull=False).first()
    return (row.response_body or {}).get("location", "/") if row else None


def submit_once(request, create: Callable[[], object]) -> tuple[str, bool]:
    """Run `create` once per token; return (url, created).

    `create` returns where to go next: a model with get_absolute_url, or the URL itself.
    """
    token = (request.POST.get(FIELD) or "")[:64]
    if not token:
        return _url(create()), True
    key = f"form:{token}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=request.user, key=key, method="POST", path=request.path[:500], request_hash="form"
                )
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=request.user, key=key)
            return (row.response_body or {}).get("location", "/"), False
        url = _url(create())
        row.status_code, row.response_body = 302, {"location": url}
        row.save(update_fields=["status_code", "response_body"])
        return url, True
