"""A read-only sequence that computes its items on demand (paged from the store, spliced over
another): Python's indexing rules (negative indexes, slices, IndexError past the end) are kept
here once, so each kind says only how to find the item at a valid index (``_at``), and, if it has
a faster way, the items of a slice (``_slice``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class ComputedSequence(Sequence[T]):
    def _at(self, index: int) -> T:
        """The item at ``0 <= index < len(self)``."""
        raise NotImplementedError

    def _slice(self, start: int, stop: int, step: int) -> list[T]:
        """The items of ``range(start, stop, step)`` (already clipped to this sequence)."""
        return [self._at(n) for n in range(start, stop, step)]

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return self._slice(*index.indices(len(self)))
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(index)
        return self._at(index)
