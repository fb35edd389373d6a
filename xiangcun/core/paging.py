"""Pagination of lists that may hold a province's million rows: count at most a cap, exactly below it.

Counting a province's million cases on every page view cost more than the page itself; nobody pages
past 200 pages of 50 (filters and the Excel export serve that). Pages run to the cap.
"""
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose count is exact up to `cap` rows and "more than cap" beyond it (`capped`)."""

    def __init__(self, object_list, per_page, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the count shown is "more than cap" and the pages stop there."""
        return self._counted > self.cap
