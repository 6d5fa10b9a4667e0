"""The shared shape of the big list pages: django-filter filters, capped paging, streamed CSV export."""

import csv
from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.views.generic import ListView

from .pagination import CappedPaginator
from .roles import CapabilityRequiredMixin


def csv_text(value: str) -> str:
    """Text typed by people, made safe for spreadsheets: a leading =, +, -, @ would start a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(self.csv_header)
            for obj in self.get_queryset().iterator(chunk_size=2000):
                yield writer.writerow(self.csv_row(obj))

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)
