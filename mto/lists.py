"""The shared shape of the big list pages: django-filter filters, capped paging, streamed CSV export."""

import csv
from collections.abc import Iterable
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from django.views.generic import ListView

from .pagination import CappedPaginator
from .roles import CapabilityRequiredMixin

# What spreadsheets read as the start of a formula (OWASP "CSV injection"); tab and CR as well, since
# some spreadsheets drop them and read the = that follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text made safe for spreadsheets: a leading formula character gets a ' so it is shown, not run."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def csv_row(values: Iterable) -> list:
    """Every text cell of a row made safe; numbers and dates stay as they are (a -5 is a number)."""
    return [csv_text(value) if isinstance(value, str) else value for value in values]


class SearchListView(CapabilityRequiredMixin, ListView):
    """A short list searched by one box (`q`), paged without counting every row."""

    paginate_by = 25
    paginator_class = CappedPaginator

    def search(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    def get_context_data(self, **kwargs):
        q = self.search()
        return super().get_context_data(q=q, query=urlencode({"q": q}) if q else "", **kwargs)


class _Echo:
    """A file-like object for csv.writer that hands each row back instead of storing it."""

    def write(self, value):
        return value


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable], stream: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """The one way a page exports CSV, every text cell escaped (see csv_row).

    Lists stream (they can be long); a report's rows are already in memory and go out in one piece.
    """
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(csv_row(header))
        for row in rows:
            yield writer.writerow(csv_row(row))

    kind = "text/csv; charset=utf-8"
    response = StreamingHttpResponse(lines(), content_type=kind) if stream else HttpResponse("".join(lines()), kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FilteredListView(CapabilityRequiredMixin, ListView):
    filterset_class = None
    base_queryset = None  # a callable: the selector
    default_ordering: tuple[str, ...] = ("-id",)
    paginate_by = 25
    paginator_class = CappedPaginator
    csv_filename = "export.csv"
    csv_header: list[str] = []

    def csv_row(self, obj) -> list:
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=type(self).base_queryset())
        filters = self.filterset
        qs = filters.qs if filters.is_bound else filters.queryset
        sorted_by_user = filters.is_bound and filters.is_valid() and filters.form.cleaned_data.get("sort")
        return qs if sorted_by_user else qs.order_by(*self.default_ordering)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def csv_response(self):
        rows = (self.csv_row(obj) for obj in self.get_queryset().iterator(chunk_size=2000))
        return csv_response(filename=self.csv_filename, header=self.csv_header, rows=rows)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)
