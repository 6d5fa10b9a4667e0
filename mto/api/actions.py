"""One action endpoint for a service call."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from .core import ACTION_ERROR_RESPONSES, check_if_match, etag_for, idempotent

# --- one action endpoint for a service call ------------------------------------------------------------------


def _target(view):
    """The row the action acts on. A view's `detail_read` (an mto.reads.CompiledQuery of the row by its key) reads
    it without compiling; a `target_queryset()` gives the row alone, without the reads only its answer needs (an
    order's lines: the service locks and reads them again); else DRF's get_object."""
    if not hasattr(view, "detail_read") and not hasattr(view, "target_queryset"):
        return view.get_object()
    # DRF's (a malformed id is a 404, as in get_object); its module imports DRF's views: not at import time.
    from rest_framework.generics import get_object_or_404

    if hasattr(view, "detail_read"):
        obj = _detail(view, view.kwargs["pk"])
    else:
        obj = get_object_or_404(view.target_queryset(), pk=view.kwargs["pk"])
    view.check_object_permissions(view.request, obj)
    return obj


def _detail(view, pk):
    """The object by its id through the view's detail_read: a 404 for an id that is none (as get_object)."""
    from django.http import Http404

    model = view.detail_read.model
    try:
        return view.detail_read.get(int(pk))
    except (TypeError, ValueError, model.DoesNotExist):
        raise Http404(f"No {model._meta.object_name} matches the given query.") from None


def _answer(view, pk: int):
    """The object as the action's answer shows it, read again after the service's transaction."""
    if hasattr(view, "detail_read"):
        return view.detail_read.get(pk)
    return view.get_queryset().get(pk=pk)


def service_action(
    name: str, run, *, request=None, response=None, summary: str | None = None, idempotency: bool = True,
    parsers=None,
):  # fmt: skip
    """A detail POST action `name` that calls a service: `run(obj, user, data)` with the validated body.

    The answer is the object as `response` serializes it (with its ETag), or an error the exception handler
    maps: bad input 400, illegal transition or lost race 409, If-Match naming an older version 412; with an
    Idempotency-Key a retried request gets the first answer. `parsers` (DRF parser classes) replace the JSON
    parser, e.g. for a file upload as multipart/form-data.
    """

    def handler(self, http_request, pk=None):
        obj = _target(self)
        if getattr(obj, "updated_at", None):
            check_if_match(http_request, obj)
        data = {}
        if request is not None:
            body = request(data=http_request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            data = body.validated_data
        run(obj, http_request.user, data)
        obj = _answer(self, obj.pk)
        serializer = (response or self.get_serializer_class())(obj, context=self.get_serializer_context())
        answer = Response(serializer.data)
        if getattr(obj, "updated_at", None):
            answer["ETag"] = etag_for(obj)
        return answer

    from rest_framework.decorators import action  # imports DRF's views, which import this module's settings

    # The router maps the URL to the attribute named like the function: name it before decorating.
    handler.__name__ = name.replace("-", "_")
    if idempotency:
        handler = idempotent(handler)
    extra = {"parser_classes": parsers} if parsers else {}
    handler = action(detail=True, methods=["post"], url_path=name, **extra)(handler)
    return extend_schema(
        request={"multipart/form-data": request} if parsers and request else request,
        responses={200: response, **ACTION_ERROR_RESPONSES} if response else {**ACTION_ERROR_RESPONSES},
        summary=summary,
    )(handler)
