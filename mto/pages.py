"""Helpers of the pages that show one row: every detail page finds its row through a selector."""

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


def selected_or_404(selector: Callable, *, what: str, **lookup):
    """The selector's row, or a 404 that says what was not found (selectors raise the model's DoesNotExist)."""
    try:
        return selector(**lookup)
    except ObjectDoesNotExist:
        raise Http404(f"No such {what}") from None
