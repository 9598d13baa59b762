"""The history view's rows, paged from the read model's log: event numbers newest first (by when
they took effect, ties by number), as of a point and through the view's filters, read a page at
a time when the table paints or the cursor reaches them, never the whole log.

``ReadModel.log_order`` returns every number at once: at 540,000 events that is a list of 540k
Python ints built from a sort of the whole log (~1 s and ~60 MB at the TUI's first frame). Here
a page is one query down the log's time index (``rm_log_t``: ``(t, seq)``, read backwards, so the
order costs no sort), from the end of the page before it when that one was read (keyset), else
by offset from the nearer end (a jump: the scrollbar, ``G``). A row's place is a count of the
rows before it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from pmtui.sequences import ComputedSequence

if TYPE_CHECKING:
    from pmtui.store.readmodel import ReadModel

PAGE = 256  # event numbers read at a time: a few screens of the tallest terminal
_ORDER = " ORDER BY t DESC, seq DESC"


def log_where(upto: int, moment: float | None = None, *, actor: str = "", kind: str = "",
              since: float | None = None, until: float | None = None,
              aggregates: Sequence[str] = ()) -> tuple[str, list[object]]:
    """The conditions of ``ReadModel.log_order`` on the log's lines (the same, term by term);
    ``aggregates``: only the events of these (``pmtui log --item``)."""
    where, params = ["seq <= ?"], [upto]
    if aggregates:
        where.append(f"aggregate_id IN ({','.join('?' * len(aggregates))})")
        params.extend(aggregates)
    if moment is not None:
        where.append("t <= ?")
        params.append(moment)
    if since is not None:
        where.append("t >= ?")
        params.append(since)
    if until is not None:
        where.append("t <= ?")
        params.append(until)
    if actor:
        where.append("LOWER(actor) = ?")
        params.append(actor.lower())
    if kind:
        where.append("LOWER(name) LIKE ?")
        params.append("%" + kind.lower().replace("%", "").replace("_", "") + "%")
    return " AND ".join(where), params


class LogPages(ComputedSequence[int]):
    """``ReadModel.log_order(...)`` as a lazy sequence: its length is one count (or ``count``, when
    the caller knows it: every event as of a point is the workspace's own count), its items are
    read a page at a time and kept while this sequence is shown."""

    def __init__(self, model: ReadModel, upto: int, moment: float | None = None, *, actor: str = "",
                 kind: str = "", since: float | None = None, until: float | None = None,
                 aggregates: Sequence[str] = (), count: int | None = None, size: int = PAGE) -> None:
        self.model, self.size = model, size
        self.where, self.params = log_where(upto, moment, actor=actor, kind=kind, since=since, until=until,
                                            aggregates=aggregates)
        self._count = count
        self.pages: dict[int, list[tuple[int, float]]] = {}  # page number -> (seq, t) in order

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.model.query(f"SELECT COUNT(*) FROM {{l}} WHERE {self.where}", self.params)[0][0]
        return self._count

    def _page(self, number: int) -> list[tuple[int, float]]:
        found = self.pages.get(number)
        if found is not None:
            return found
        before = self.pages.get(number - 1)
        if before:  # the next page starts after the last row of the one before: no offset to skip
            t, seq = before[-1][1], before[-1][0]
            # "t <= ?" bounds the index's range; the OR alone would scan it from the top (~0.3 s
            # 300k rows down).
            rows = self.model.query(
                f"SELECT seq, t FROM {{l}} WHERE {self.where} AND t <= ? AND (t < ? OR seq < ?){_ORDER} LIMIT ?",
                [*self.params, t, t, seq, self.size])
        elif number and number * self.size * 2 > len(self):
            # In the older half: counted from the oldest end (an offset is a walk of the index),
            # so G, the end of the log, costs a page, not a walk of the whole log.
            end = min(len(self), (number + 1) * self.size)
            rows = self.model.query(f"SELECT seq, t FROM {{l}} WHERE {self.where} ORDER BY t, seq LIMIT ? OFFSET ?",
                                    [*self.params, end - number * self.size, len(self) - end])[::-1]
        else:
            rows = self.model.query(f"SELECT seq, t FROM {{l}} WHERE {self.where}{_ORDER} LIMIT ? OFFSET ?",
                                    [*self.params, self.size, number * self.size])
        found = self.pages[number] = [(row[0], row[1]) for row in rows]
        return found

    def head(self, n: int) -> list[int]:
        """The first ``n`` numbers, read page by page from the newest without counting the rows
        (a count of a 1M-event log is ~0.1 s: more than the pages of a ``log --limit``)."""
        out: list[int] = []
        number = 0
        while len(out) < n:
            page = self._page(number)
            out.extend(seq for seq, _ in page[: n - len(out)])
            if len(page) < self.size:
                break
            number += 1
        return out

    def _slice(self, start: int, stop: int, step: int) -> list[int]:
        if step != 1:
            return super()._slice(start, stop, step)
        out: list[int] = []
        for number in range(start // self.size, -(-stop // self.size)):  # a page at a time
            page = self._page(number)
            low = max(start - number * self.size, 0)
            out.extend(seq for seq, _ in page[low: stop - number * self.size])
        return out

    def _at(self, index: int) -> int:
        page = self._page(index // self.size)
        at = index % self.size
        if at >= len(page):  # the log moved under a count read before: cannot happen, never crash
            raise IndexError(index)
        return page[at][0]

    def __iter__(self) -> Iterator[int]:
        for number in range(-(-len(self) // self.size)):
            for seq, _ in self._page(number):
                yield seq

    def __contains__(self, seq: object) -> bool:
        return self._line(seq) is not None

    def _line(self, seq: object) -> float | None:
        """When the event ``seq`` took effect, if it is one of these rows."""
        if not isinstance(seq, int):
            return None
        for page in self.pages.values():  # on a page read already: no query
            for row in page:
                if row[0] == seq:
                    return row[1]
        rows = self.model.query(f"SELECT t FROM {{l}} WHERE seq = ? AND {self.where}", [seq, *self.params])
        return rows[0][0] if rows else None

    def index(self, seq: object, start: int = 0, stop: int | None = None) -> int:
        """Where event ``seq`` stands (a count of the rows before it); ValueError if absent."""
        for number, page in self.pages.items():
            for at, row in enumerate(page):
                if row[0] == seq:
                    return self._within(number * self.size + at, seq, start, stop)
        t = self._line(seq)
        if t is None:
            raise ValueError(f"{seq} is not among these events")
        before = self.model.query(f"SELECT COUNT(*) FROM {{l}} WHERE {self.where} AND t >= ? AND (t > ? OR seq > ?)",
                                  [*self.params, t, t, seq])[0][0]
        return self._within(before, seq, start, stop)

    def _within(self, at: int, seq: object, start: int, stop: int | None) -> int:
        if at < start or (stop is not None and at >= stop):
            raise ValueError(f"{seq} is not among these events")
        return at
