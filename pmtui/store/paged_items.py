"""A sequence of item views read from the store a page at a time: the Board's columns and the
Backlog's rows index, slice and iterate the same way; each says how long it is and how to read
one page (``_page``)."""

from __future__ import annotations

from collections.abc import Iterator

from pmtui.sequences import ComputedSequence
from projections.state import ItemView


class PagedItems(ComputedSequence[ItemView]):
    page_size: int

    def _page(self, number: int) -> list[ItemView]:
        raise NotImplementedError

    def _at(self, index: int) -> ItemView:
        page = self._page(index // self.page_size)
        at = index % self.page_size
        if at >= len(page):  # the store moved on under a pinned point: cannot happen, but never crash
            raise IndexError(index)
        return page[at]

    def __iter__(self) -> Iterator[ItemView]:
        for number in range(-(-len(self) // self.page_size)):
            yield from self._page(number)
