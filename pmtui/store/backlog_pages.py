"""The backlog as of a point, paged from the read model: the order of the items a query selects,
kept as small entries, and the items themselves read a page at a time when the table paints them.

``projections.backlog_view.backlog`` filters and sorts every item's whole view: at 50,000 items
that is every body decoded into an ``ItemView`` and kept (~130 MB and most of a second at the TUI's
first frame). Here one pass over the versions valid at the point (narrowed by the indexed columns:
the backlog proper skips the done columns) decodes each body into a ``Line``, a struct of only the
fields the query language, the sorts and the epic tree read (descriptions, links and the rest are
skipped unread; a ``Brief``, fewer still, for the backlog proper in rank order), a chunk at a
time; of each match an ``Entry`` is kept (id, epic tree, sort key), not the line. The table's
rows are the full views of the entries it paints, read by id.

A time-travel step or a live update changes a few items: ``stepped`` reads only those again.
The answer is ``backlog(ws, query, sort, me, descending)``'s, item for item.
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from domain.exceptions import ValidationError
from projections.backlog_view import SORTS, parse_query
from projections.feedback_view import evidence_counts
from pmtui.store.paged_items import PagedItems
from projections.state import ItemView

from pmtui.store.readmodel import _damaged as damaged, paused_gc

if TYPE_CHECKING:
    from pmtui.store.readmodel import StoredWorkspace

PAGE = 64  # item views read at a time: a screen of the tallest terminal and some
STEP_LIMIT = 300  # aggregates a step may touch and still be read one by one (beyond: afresh)


class Line(msgspec.Struct, frozen=True, gc=False):
    """What filters, sorts and the epic tree read of an item (``ItemView``'s names and defaults)."""

    id: str
    key: str
    number: int
    board_id: str
    kind: str
    title: str
    status: str
    rank: str
    created: float
    updated: float
    points: float | None = None
    labels: list[str] = []
    assignee: str | None = None
    parent: str | None = None
    sprint: str | None = None
    release: str | None = None
    rice: dict[str, float] | None = None
    wsjf: dict[str, float] | None = None
    moscow: str | None = None
    archived: bool = False

    rice_score = ItemView.rice_score
    wsjf_score = ItemView.wsjf_score


class Brief(msgspec.Struct, frozen=True, gc=False):
    """Fewer fields, for the backlog proper in rank order and queries like it (decoded in a
    fraction of a ``Line``'s time: most of a first frame's pass is decoding)."""

    id: str
    number: int
    board_id: str
    kind: str
    status: str
    rank: str
    parent: str | None = None
    sprint: str | None = None
    archived: bool = False


# What a ``Brief`` holds enough of: query terms (``is:`` flags by value) and sorts.
_BRIEF_TERMS = {"kind", "status", "sprint", "epic", "parent"}
_BRIEF_FLAGS = {"backlog", "open", "archived", "epic"}
_BRIEF_SORTS = {"rank", "key", "kind", "status", "evidence"}
_TERM = re.compile(r"^([a-z]+)(<=|>=|:|=|<|>)(.*)$")


def brief_enough(query: str, sort: str) -> bool:
    """Whether ``query`` and ``sort`` read only fields a ``Brief`` holds (no words: titles)."""
    if sort not in _BRIEF_SORTS:
        return False
    for term in _terms(query):
        match = _TERM.match(term.lstrip("-"))
        if match is None:
            return False
        name, value = match.group(1), match.group(3)
        if not (name in _BRIEF_TERMS or (name == "is" and value in _BRIEF_FLAGS)):
            return False
    return True


class Entry(msgspec.Struct, frozen=True, gc=False):
    """One item of the answer: its place in the order and in the epic tree (``tree_rows``)."""

    id: str
    kind: str
    parent: str | None
    number: int
    order: Any  # the sort's key of the item


class _Named(msgspec.Struct, frozen=True, gc=False):
    """What a list prints of a sprint or of an epic: its name, or key and title (the rest is
    skipped unread)."""

    id: str
    name: str = ""
    key: str = ""
    title: str = ""
    kind: str = ""


_decoders: dict[type, msgspec.msgpack.Decoder[Any]] = {
    kind: msgspec.msgpack.Decoder(kind) for kind in (Line, Brief, _Named)}
_ORDER = SORTS  # the same keys as the unpaged backlog


def _terms(query: str) -> list[str]:
    try:
        return [t.lower() for t in shlex.split(query)]
    except ValueError:
        return []


class PagedBacklog:
    """``backlog(ws, query, sort, me, descending)`` as entries in order, read from the tables."""

    def __init__(self, ws: StoredWorkspace, query: str, sort: str, me: str, descending: bool, *,
                 archived: bool = False) -> None:
        """``archived``: archived items match too (``backlog(..., include_archived=True)``)."""
        self.ws, self.query, self.sort, self.me, self.descending = ws, query, sort, me, descending
        self.archived = archived
        self.matched: dict[str, Entry] = {}
        self.entries: list[Entry] = []
        self.decoder = _decoders[Brief if brief_enough(query, sort) else Line]

    @property
    def asks(self) -> tuple[str, str, str, bool, bool]:
        """The question this backlog answers (at its point)."""
        return self.query, self.sort, self.me, self.descending, self.archived

    # One pass over the items ----------------------------------------------------------------
    def _narrowed(self) -> tuple[str, list[Any]]:
        """SQL that only drops items the query would drop: the backlog proper (``is:backlog``,
        ANDed like every term) skips each board's done columns through the ``status`` column
        (empty for archived items and epics, which the query then judges by their lines)."""
        if "is:backlog" not in _terms(self.query):
            return "", []
        where, params = [], []
        for board in self.ws.boards.values():
            done = [c["name"] for c in board.columns if c["category"] == "done"]
            if done:
                where.append(f"(grp = ? AND status IN ({','.join('?' * len(done))}))")
                params += [board.id, *done]
        return (f" AND (status IS NULL OR NOT ({' OR '.join(where)}))", params) if where else ("", [])

    def _keep(self) -> Callable[[Any], bool]:
        wanted = parse_query(self.query, self.ws, self.me) if self.query.strip() else None
        show_archived = self.archived or "is:archived" in self.query.lower()  # as ``backlog`` reads it
        if wanted is None:
            return (lambda line: True) if show_archived else (lambda line: not line.archived)
        return wanted if show_archived else (lambda line: not line.archived and wanted(line))

    def _key(self) -> Callable[[Any], Any]:
        if self.sort == "evidence":  # most distinct customers, then quotes, then the rank
            counts, none = evidence_counts(self.ws), (0, 0)
            return lambda i: (-counts.get(i.id, none)[0], -counts.get(i.id, none)[1], i.rank)
        return _ORDER[self.sort]

    def _entries(self, lines: Iterator[Any], keep: Callable[[Any], bool], key: Callable[[Any], Any]) -> Iterator[Entry]:
        for line in lines:
            if keep(line):
                yield Entry(line.id, line.kind, line.parent, line.number, key(line))

    def _bodies(self) -> Iterator[list[tuple[Any, ...]]]:
        """The bodies of the items the query may keep, valid at the point, a chunk at a time."""
        if self.sort not in _ORDER:
            raise ValidationError(f"cannot sort by {self.sort!r} (sorts: {', '.join(_ORDER)})")
        where, params = self._narrowed()
        text, values = self.ws.point.versions("body", " AND tbl = 'items'" + where, params,
                                              intervals=self.ws.model.intervals)
        return self.ws.model.chunks(text, values)

    def build(self) -> PagedBacklog:
        keep, key = self._keep(), self._key()
        matched: dict[str, Entry] = {}
        for chunk in self._bodies():
            for entry in self._entries((self.decoder.decode(bytes(row[0])) for row in chunk), keep, key):
                matched[entry.id] = entry
        self.matched = matched
        self._order()
        return self

    def cells(self, make: Callable[[list[Line]], list[list[str]]]) -> tuple[list[list[str]], list[int]]:
        """Every item of the answer as the cells ``make`` gives for a chunk of lines (a list per
        column), and the answer's order (row numbers into them): a whole list as the CLI prints
        it, from the same one pass as ``build``. The lines are dropped a chunk at a time, so a
        100k-item list holds its cells, not its items' lines (half the memory)."""
        keep, key, decode = self._keep(), self._key(), _decoders[Line].decode
        columns: list[list[str]] = []
        keys: list[Any] = []
        numbers: list[int] = []
        try:
            with paused_gc():
                for chunk in self._bodies():
                    lines = list(filter(keep, map(decode, [row[0] for row in chunk])))
                    del chunk
                    made = make(lines)
                    if not columns:
                        columns = made
                    for mine, more in zip(columns, made) if made is not columns else ():
                        mine += more
                    keys += map(key, lines)
                    numbers += map(_number, lines)
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
            raise damaged("items") from None
        order = sorted(range(len(numbers)), key=numbers.__getitem__)  # the items' own order, as ``items`` iterates
        del numbers
        order.sort(key=keys.__getitem__, reverse=self.descending)  # stable: ties stay in that order
        return columns, order

    def lines(self) -> list[Line]:
        """Every item of the answer as its ``Line`` (all a list prints of it), in the answer's
        order: what the CLI prints whole, from the same one pass as ``build`` (no entries, no
        item read again by id)."""
        keep, key, decode = self._keep(), self._key(), _decoders[Line].decode
        found: list[Line] = []
        try:
            with paused_gc():
                for chunk in self._bodies():
                    found += filter(keep, map(decode, [row[0] for row in chunk]))
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
            raise damaged("items") from None
        found.sort(key=_number)  # the items' own order, as ``items`` iterates
        found.sort(key=key, reverse=self.descending)  # stable: ties stay in that order
        return found

    def _order(self) -> None:
        entries = sorted(self.matched.values(), key=_number)  # the items' own order, as ``items`` iterates
        entries.sort(key=_order_of, reverse=self.descending)  # stable: ties stay in that order
        self.entries = entries

    # A step: only the items touched -----------------------------------------------------------
    def stepped(self, before: PagedBacklog, touched: set[str]) -> PagedBacklog | None:
        """This backlog from ``before`` (the same query, at another point) and the aggregates the
        events between the two points touched. None when something besides items was touched (a
        board's columns, a sprint's name: the query may read them) or the sort reads the notes."""
        if before.asks != self.asks or self.sort == "evidence":
            return None
        others = touched - set(self.ws.products) - set(before.ws.products)
        lines = {line.id: line for line in self._lines(self.ws, others)}
        missing = others - lines.keys() - before.matched.keys()
        if missing and len(list(self._lines(before.ws, missing))) < len(missing):
            return None  # not an item at either point: a board, a sprint, a release...
        keep, key = self._keep(), self._key()
        matched = dict(before.matched)
        for item_id in others:
            matched.pop(item_id, None)
        for entry in self._entries(iter(lines.values()), keep, key):
            matched[entry.id] = entry
        self.matched = matched
        self._order()
        return self

    def _lines(self, ws: StoredWorkspace, ids: set[str]) -> list[Any]:
        if not ids:
            return []
        text, values = ws.point.versions("body", f" AND tbl = 'items' AND id IN ({','.join('?' * len(ids))})",
                                         sorted(ids), by_id=True)
        return [self.decoder.decode(bytes(row[0])) for row in ws.model.query(text, values)]


def sprint_names(ws: StoredWorkspace) -> dict[str, str]:
    """Each sprint's name by its id, as of the point (only the names decoded)."""
    return {s.id: s.name for s in ws.rows_as("sprints", _Named)}


def epics(ws: StoredWorkspace) -> list[_Named]:
    """The epics as of the point (``ws.epics()``), only their ids, keys and titles: epics are
    among the items whose ``status`` column is empty (with the archived ones), so only those
    rows are read."""
    text, values = ws.point.versions("body", " AND tbl = 'items' AND status IS NULL", intervals=ws.model.intervals)
    decode = _decoders[_Named].decode
    return [i for chunk in ws.model.chunks(text, values) for i in map(decode, [r[0] for r in chunk])
            if i.kind == "epic"]


def epic_keys(ws: StoredWorkspace) -> dict[str, str]:
    """Each epic's key by its id, as of the point."""
    return {epic.id: epic.key for epic in epics(ws)}


_number, _order_of = operator.attrgetter("number"), operator.attrgetter("order")  # C-level keys: 50k-entry sorts


class BacklogRows(PagedItems):
    """The table's rows: the entries in display order, each painted as the item's full view,
    read by id a page at a time (kept while these rows are shown)."""

    def __init__(self, ws: StoredWorkspace, entries: Sequence[Entry], size: int = PAGE) -> None:
        self.ws, self.entries, self.size = ws, entries, size
        self.page_size = size
        self.pages: dict[int, list[ItemView]] = {}
        self._places: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> list[str]:
        """Every row's id, in order (no item read)."""
        return [entry.id for entry in self.entries]

    def place(self, item_id: object, near: int = 0) -> int:
        """The index of the row with this id, or -1: looked for around ``near`` first (where the
        cursor's row stays after a redraw), then in a map of every row's place (made once)."""
        entries = self.entries
        if self._places is None:
            for index in range(max(0, near - 8), min(len(entries), near + 9)):
                if entries[index].id == item_id:
                    return index
            self._places = {entry.id: n for n, entry in enumerate(self.entries)}
        return self._places.get(item_id, -1)  # type: ignore[arg-type]

    def swapped(self, one: int, other: int) -> BacklogRows:
        """These rows with two swapped (a reorder drawn before the store has it), the pages read
        kept: the two rows' views are swapped in them, or their pages read again."""
        entries = list(self.entries)
        entries[one], entries[other] = entries[other], entries[one]
        rows = BacklogRows(self.ws, entries, self.size)
        rows.pages = {number: list(page) for number, page in self.pages.items()}
        pages = {one // self.size, other // self.size}
        if all(number in rows.pages for number in pages):
            first, second = rows.pages[one // self.size], rows.pages[other // self.size]
            first[one % self.size], second[other % self.size] = second[other % self.size], first[one % self.size]
        else:
            for number in pages:
                rows.pages.pop(number, None)
        return rows

    def _page(self, number: int) -> list[ItemView]:
        found = self.pages.get(number)
        if found is None:
            ids = [entry.id for entry in self.entries[number * self.size:(number + 1) * self.size]]
            clause = f" AND id IN ({','.join('?' * len(ids))})"
            views = {v.id: v for v in self.ws.model.views("items", self.ws.point, clause, ids, many=False)}
            found = self.pages[number] = [views[item_id] for item_id in ids]
        return found
