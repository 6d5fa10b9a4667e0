"""Pagination that never counts every row of a big table.

Django's Paginator runs COUNT(*) over the whole filtered set on each request, which grows with ten years
of orders. CappedPaginator counts at most `cap` rows (COUNT over a LIMIT subquery, served by the same index
as the page), in the same statement as the page's rows, and, past the cap, still lets people page on: a
page is allowed while the previous one was full.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models.expressions import RawSQL


class CappedPaginator(Paginator):
    cap = 1000

    @cached_property
    def count(self) -> int:
        return (
            self.object_list[: self.cap + 1].count() if hasattr(self.object_list, "query") else len(self.object_list)
        )

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.is_capped:
            return 1 + (self.cap - 1) // self.per_page + 1
        return super().num_pages

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if not self.is_capped and number > self.num_pages:
            if number == 1 and self.allow_empty_first_page:
                return number
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> Page:
        if "count" not in self.__dict__ and hasattr(self.object_list, "query"):
            rows = self._rows_with_count(number)
            number = self.validate_number(number)
        else:
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _rows_with_count(self, number) -> list:
        """The page's rows, each carrying the capped count: one query where a count and a page took two.

        The count is an uncorrelated subquery, which the database runs once for the statement. An empty page
        past the first carries no count; validate_number then counts on its own.
        """
        try:
            bottom = (max(int(number), 1) - 1) * self.per_page
        except (TypeError, ValueError):
            return []  # validate_number raises the right error
        inner = self.object_list.order_by().values("pk")[: self.cap + 1]
        sql, params = inner.query.sql_with_params()
        counted = self.object_list.annotate(capped_row_count=RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params))
        rows = list(counted[bottom : bottom + self.per_page + 1])
        if rows:
            self.__dict__["count"] = rows[0].capped_row_count
        elif bottom == 0:
            self.__dict__["count"] = 0  # an empty first page: nothing to count
        return rows


class CappedPage(Page):
    more = False

    def has_next(self) -> bool:
        return self.more

    def count_label(self) -> str:
        return f"more than {self.paginator.cap:,}" if self.paginator.is_capped else f"{self.paginator.count:,}"
