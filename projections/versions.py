"""The temporal read model, as pure data: how events become *versions* of view rows.

Every view row (an item, a board, a sprint...) is kept as a chain of versions. Event #N that
changes a row closes its current version and opens a new one, so each version knows when it held,
on two axes:

- **position**: from event ``from_pos`` up to (not including) ``to_pos``;
- **occurred time**: from ``from_t`` up to ``to_t`` — when the events happened in their source,
  which for imported or late-recorded history is earlier than when pmtui stored them.

A view row depends only on its own aggregate's events (and display numbers are fixed in Created
events), and an aggregate's events are applied in version order on both axes. An event that says
it occurred before its aggregate's previous event is taken to occur with that one (``effective``
time; imports can be careless), so each chain is append-only on both axes and a late event never
rewrites anything: "as of #N" is the versions with ``from_pos <= N < to_pos``, "as of T" those
with ``from_t <= T < to_t``. The append-only lists (check-ins, measurements, comments) are entries
stamped with their event's number and effective time.

``VersionFold`` applies records to a small working set of views (loaded on demand through a
``Loader``) with the same handlers as the in-memory fold (``projections.state``), and reports what
to write. Storage (SQL) lives in ``pmtui``; this module knows nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from projections.records import EventRecord
from projections.state import (
    HANDLERS, BoardView, CheckIn, Comment, DocumentView, ItemView, KpiView, Measurement, NoteView, ObjectiveView,
    ProductView, ReleaseView, RoadmapView, SprintView, Workspace,
)

# The view tables of the workspace, the type of their rows, and the aggregate whose events make them.
VIEW_TYPES: dict[str, Any] = {
    "products": ProductView, "boards": BoardView, "items": ItemView, "sprints": SprintView,
    "releases": ReleaseView, "roadmap": RoadmapView, "objectives": ObjectiveView, "kpis": KpiView,
    "users": dict[str, Any], "notes": NoteView, "documents": DocumentView,
}
AGGREGATE_TABLES: dict[str, str] = {
    "Product": "products", "Board": "boards", "WorkItem": "items", "Sprint": "sprints", "Release": "releases",
    "RoadmapItem": "roadmap", "Objective": "objectives", "Kpi": "kpis", "User": "users",
    "FeedbackNote": "notes", "Document": "documents",
}
# The append-only lists, the type of their entries and the field naming the row they belong to.
ENTRY_TYPES: dict[str, Any] = {"checkins": CheckIn, "measurements": Measurement, "comments": Comment,
                               "withdrawn": Measurement}
ENTRY_OWNER: dict[str, str] = {"checkins": "objective_id", "measurements": "kpi_id", "comments": "item_id",
                               "withdrawn": "kpi_id"}
# Tables that carry display numbers given in order of creation (``Workspace.number_for``).
# Notes (FB-n) and documents (DOC-n) carry their number in their Created events from the start.
NUMBERED = ("sprints", "roadmap", "objectives", "notes", "documents")

# Events that change a row of another aggregate than their own: (table, row id) for each.
EXTRA_ROWS: dict[str, Callable[[EventRecord], list[tuple[str, str]]]] = {
    "WorkItem.Created": lambda r: [("products", r.data["product_id"])],
}

OPEN_POS = 2**62  # to_pos of a version that still holds
OPEN_T = 1e18  # to_t of a version that still holds

_encoders: dict[str, Callable[[Any], bytes]] = {}
_decoders: dict[str, msgspec.msgpack.Decoder] = {}


def encode_view(table: str, view: Any) -> bytes:
    return msgspec.msgpack.encode(view)


def view_decoder(table: str) -> msgspec.msgpack.Decoder:
    """The decoder of a table's stored rows (made once)."""
    decoder = _decoders.get(table)
    if decoder is None:
        kind = VIEW_TYPES.get(table) or ENTRY_TYPES[table]
        decoder = _decoders[table] = msgspec.msgpack.Decoder(kind)
    return decoder


def decode_view(table: str, body: bytes) -> Any:
    return view_decoder(table).decode(body)


@dataclass(slots=True)
class Version:
    """A new version of one row, opened by event ``seq`` at effective time ``t``."""

    table: str
    row_id: str
    seq: int
    t: float
    view: Any


@dataclass(slots=True)
class Entry:
    """One entry of an append-only list, added by event ``seq`` at effective time ``t``."""

    table: str
    seq: int
    t: float
    owner: str
    entry: Any


@dataclass(slots=True)
class LogLine:
    """What the read model keeps of every event: enough to filter and count without decoding it."""

    seq: int
    t: float  # effective occurred time
    occurred: float
    recorded: float
    aggregate_id: str
    name: str
    actor: str


class Loader:
    """Where a fold finds rows and facts it has not seen in this batch (the store; nothing in tests)."""

    def view(self, table: str, row_id: str) -> tuple[Any, float] | None:
        """The current version of a row and its from_t, if any."""
        return None

    def last_time(self, aggregate_id: str) -> float | None:
        """The effective time of the aggregate's latest event, if it has one."""
        return None

    def last_number(self, table: str) -> int:
        return 0


@dataclass(slots=True)
class Batch:
    """What a run of records changes: new versions (in order), list entries and log lines."""

    versions: list[Version]
    entries: list[Entry]
    lines: list[LogLine]


class VersionFold:
    """Applies records in log order to a working set of rows and reports the versions they make.

    The working set starts empty and fills from the ``Loader`` as records name rows; a rebuild
    keeps one fold for the whole log (the working set then is the current state), a writer makes
    one per transaction."""

    def __init__(self, loader: Loader | None = None) -> None:
        self.loader = loader or Loader()
        self.ws = Workspace()
        self.loaded: set[tuple[str, str]] = set()
        self.existing: set[tuple[str, str]] = set()  # rows the loader had (a store writes over them)
        self.row_t: dict[tuple[str, str], float] = {}  # from_t of each row's current version
        self.agg_t: dict[str, float] = {}  # effective time of each aggregate's latest event
        self.numbers_loaded: set[str] = set()
        self.no_history: set[str] = set()  # aggregates known to have no earlier event

    def preload(self, rows: dict[tuple[str, str], tuple[Any, float]], times: dict[str, float],
                asked: Iterable[tuple[str, str]]) -> None:
        """Seed the working set with rows and aggregate times read in bulk; ``asked`` are the rows
        looked for (those not in ``rows`` do not exist yet, so nobody asks the loader again)."""
        for key in asked:
            if key in self.loaded:
                continue
            self.loaded.add(key)
            found = rows.get(key)
            if found is not None:
                getattr(self.ws, key[0])[key[1]] = found[0]
                self.row_t[key] = found[1]
                self.existing.add(key)
        for aggregate_id, t in times.items():
            self.agg_t.setdefault(aggregate_id, t)

    def rows_named(self, records: Iterable[EventRecord]) -> list[tuple[str, str]]:
        """The rows these records would touch (for a bulk read before ``apply``)."""
        out = []
        for record in records:
            table = AGGREGATE_TABLES.get(record.aggregate)
            if table and record.name in HANDLERS:
                out.append((table, record.aggregate_id))
            extra = EXTRA_ROWS.get(record.name)
            if extra is not None:
                out.extend(extra(record))
        return out

    def _load(self, table: str, row_id: str) -> None:
        key = (table, row_id)
        if key in self.loaded:
            return
        self.loaded.add(key)
        found = self.loader.view(table, row_id)
        if found is not None:
            getattr(self.ws, table)[row_id] = found[0]
            self.row_t[key] = found[1]
            self.existing.add(key)

    def effective_time(self, record: EventRecord) -> float:
        last = self.agg_t.get(record.aggregate_id)
        if last is None and record.aggregate_id not in self.no_history:
            last = self.loader.last_time(record.aggregate_id)
        t = record.occurred if last is None or record.occurred >= last else last
        self.agg_t[record.aggregate_id] = t
        return t

    def apply(self, records: Iterable[EventRecord]) -> Batch:
        batch = Batch([], [], [])
        ws, handlers = self.ws, HANDLERS
        for record in records:
            t = self.effective_time(record)
            batch.lines.append(LogLine(record.seq, t, record.occurred, record.recorded, record.aggregate_id,
                                       record.name, record.actor))
            handler = handlers.get(record.name)
            if handler is None:
                continue
            table = AGGREGATE_TABLES.get(record.aggregate)
            touched = [(table, record.aggregate_id)] if table else []
            extra = EXTRA_ROWS.get(record.name)
            if extra is not None:
                touched.extend(extra(record))
            before = []
            for name, row_id in touched:
                self._load(name, row_id)
                if name in NUMBERED and name not in self.numbers_loaded:
                    self.numbers_loaded.add(name)
                    ws.numbers[name] = max(ws.numbers.get(name, 0), self.loader.last_number(name))
                before.append(getattr(ws, name).get(row_id))
            lengths = [len(getattr(ws, name)) for name in ENTRY_TYPES]
            handler(ws, record)
            for (name, row_id), old in zip(touched, before):
                new = getattr(ws, name).get(row_id)
                if new is not old and new is not None:
                    # A row's versions never go back in time (see the module doc).
                    row_t = max(t, self.row_t.get((name, row_id), t))
                    self.row_t[(name, row_id)] = row_t
                    batch.versions.append(Version(name, row_id, record.seq, row_t, new))
            for name, length in zip(ENTRY_TYPES, lengths):
                entries = getattr(ws, name)
                if len(entries) > length:
                    owner_field = ENTRY_OWNER[name]
                    for entry in entries[length:]:
                        batch.entries.append(Entry(name, record.seq, t, getattr(entry, owner_field), entry))
                    del entries[:]  # kept in the store, not in the working set
        return batch

    def forget(self) -> None:
        """Drop the working set (a long rebuild keeps it bounded this way; rows reload on demand)."""
        self.ws = Workspace(numbers=self.ws.numbers)
        self.loaded.clear()
        self.existing.clear()
        self.row_t.clear()


def effective_order(records: Iterable[EventRecord]) -> list[tuple[float, EventRecord]]:
    """Every record with its effective time, in log order: the naive reference for "as of T"."""
    last: dict[str, float] = {}
    out = []
    for record in sorted(records, key=lambda r: r.seq):
        previous = last.get(record.aggregate_id)
        t = record.occurred if previous is None or record.occurred >= previous else previous
        last[record.aggregate_id] = t
        out.append((t, record))
    return out


def fold_as_of_time(records: Iterable[EventRecord], moment: float) -> Workspace:
    """The naive fold of "as of T": every record whose effective time is at most ``moment``,
    in (effective time, number) order. Display numbers follow log order, as the store gives them."""
    timed = effective_order(records)
    numbers = _numbers_in_log_order([r for _, r in timed])
    chosen = sorted(((t, r) for t, r in timed if t <= moment), key=lambda pair: (pair[0], pair[1].seq))
    ws = Workspace()
    for t, record in chosen:
        ws.apply(numbers.get(record.seq, record))
        if t > ws.at:
            ws.at = t
    return ws


def _numbers_in_log_order(records: list[EventRecord]) -> dict[int, EventRecord]:
    """Records of Created events without a number, given the number they get in log order."""
    probe = Workspace()
    out: dict[int, EventRecord] = {}
    tables = {"Sprint.Planned": "sprints", "RoadmapItem.Proposed": "roadmap", "Objective.Created": "objectives"}
    for record in records:
        table = tables.get(record.name)
        if table is not None:
            number = probe.number_for(table, record)
            if not record.data.get("number"):
                out[record.seq] = msgspec.structs.replace(record, data={**record.data, "number": number})
    return out


# (table, row id, from_pos, to_pos, from_t, to_t, view): a version and when it ended.
Closed = tuple[str, str, int, int, float, float, Any]


class LogFold:
    """``VersionFold`` from an empty store, specialised for folding a whole log (``pmtui rebuild``,
    a first open, a generated demo): the same versions, entries and log lines, made in one tight
    loop without a loader, and handed out as each version *closes*, so every past version is
    written once, never updated. ``open`` holds the versions still valid (the current rows).

    A property test holds it to ``VersionFold`` record for record (tests/readmodel)."""

    def __init__(self) -> None:
        self.ws = Workspace()
        self.agg_t: dict[str, float] = {}  # effective time of each aggregate's latest event
        # (table, row id) -> [from_pos, from_t, view] of the version that holds now
        self.open: dict[tuple[str, str], tuple[int, float, Any]] = {}
        self._plans: dict[str, tuple[Any, str | None, Any]] = {}
        self._lists = [(name, ENTRY_OWNER[name]) for name in ENTRY_TYPES]

    def _plan(self, name: str) -> tuple[Any, str | None, Any]:
        """(handler, its aggregate's table, the extra rows it touches) of an event name, once."""
        plan = self._plans.get(name)
        if plan is None:
            plan = self._plans[name] = (HANDLERS.get(name), AGGREGATE_TABLES.get(name.split(".", 1)[0]),
                                        EXTRA_ROWS.get(name))
        return plan

    def apply(self, records: Iterable[EventRecord]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[Closed]]:
        """Fold records in log order; returns (log lines, entries, versions closed by them).
        Log lines are (seq, t, occurred, recorded, aggregate_id, name, actor); entries are
        (table, seq, t, owner, entry)."""
        ws, agg_t, opened, plans = self.ws, self.agg_t, self.open, self._plans
        # The lists handlers append entries to (they never replace them): held, so the check
        # after each event is a truth test, not a lookup.
        lists = [(name, owner, getattr(ws, name)) for name, owner in self._lists]
        comments, checkins, measurements, withdrawn = (getattr(ws, name) for name in
                                                       ("comments", "checkins", "measurements", "withdrawn"))
        lines: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        closed: list[Closed] = []
        append_line, append_closed = lines.append, closed.append
        for record in records:
            aggregate_id, occurred, seq = record.aggregate_id, record.occurred, record.seq
            last = agg_t.get(aggregate_id)
            t = occurred if last is None or occurred >= last else last
            agg_t[aggregate_id] = t
            name = record.name
            append_line((seq, t, occurred, record.recorded, aggregate_id, name, record.actor))
            handler, table, extra = plans.get(name) or self._plan(name)
            if handler is None:
                continue
            if extra is None and table is not None:  # the common case: the event's own row
                touched: list[tuple[str, str]] = [(table, aggregate_id)]
                before = [getattr(ws, table).get(aggregate_id)]
            else:
                touched = [(table, aggregate_id)] if table else []
                if extra is not None:
                    touched.extend(extra(record))
                before = [getattr(ws, row_table).get(row_id) for row_table, row_id in touched]
            handler(ws, record)
            for (row_table, row_id), old in zip(touched, before):
                new = getattr(ws, row_table).get(row_id)
                if new is not old and new is not None:
                    key = (row_table, row_id)
                    previous = opened.get(key)
                    if previous is None:
                        opened[key] = (seq, t, new)
                    else:
                        # A row's versions never go back in time (see the module doc).
                        row_t = t if t >= previous[1] else previous[1]
                        append_closed((row_table, row_id, previous[0], seq, previous[1], row_t, previous[2]))
                        opened[key] = (seq, row_t, new)
            if comments or checkins or measurements or withdrawn:
                for list_name, owner_field, added in lists:
                    for entry in added:
                        entries.append((list_name, seq, t, getattr(entry, owner_field), entry))
                    del added[:]  # kept in the store, not in the working set
        ws.keys.clear()  # key -> id: the fold never reads it, and the store keeps keys in a column
        if any(getattr(ws, name) is not added for name, _, added in lists):
            raise RuntimeError("a handler replaced an entry list of the workspace instead of appending to it")
        return lines, entries, closed
