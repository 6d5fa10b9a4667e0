"""One action endpoint for a service call."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from .core import ACTION_ERROR_RESPONSES, check_if_match, etag_for, idempotent

# --- one action endpoint for a service call ------------------------------------------------------------------


def _target(view):
    """The row the action acts on, by the URL's id. A view's `target_read` (an mto.reads.CompiledQuery by the key:
    the row alone, without the reads only its answer needs, e.g. an order's lines, which the service locks and
    reads again) or `detail_read` (the same read for the row and the answer) reads it without compiling; else
    DRF's get_object."""
    read = getattr(view, "target_read", None) or getattr(view, "detail_read", None)
    if read is None:
        return view.get_object()
    try:
        obj = read.get(int(view.kwargs["pk"]))
    except (TypeError, ValueError, read.model.DoesNotExist):  # a malformed id is a 404, as in get_object
        raise Http404(f"No {read.model._meta.object_name} matches the given query.") from None
    view.check_object_permissions(view.request, obj)
    return obj


def _answer(view, pk: int):
    """The object as the action's answer shows it, read again after the service's transaction: the view's
    `answer_read(pk)` or `detail_read`, else its queryset."""
    if hasattr(view, "answer_read"):
        return view.answer_read(pk)
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
