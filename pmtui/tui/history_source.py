"""The history view's data, read lazily from the event log so 100k+ events stay fast.

The read model's log table holds every event's number, time, actor and kind, indexed: the
newest-first order and every filter are indexed queries, read a page at a time as the table paints
(``pmtui.store.log_pages``), without reading a single event. Entries (who,
why, the field diff) are decoded only for the rows on screen, a window at a time, and cached.
"""

from __future__ import annotations

import re
import shlex
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.store.log_pages import LogPages
from pmtui.timespec import parse_as_of
from projections.history import HistoryEntry, entry
from projections.okr_progress import find_objective
from projections.records import EventRecord
from projections.roadmap_view import find_roadmap_item
from projections.state import Workspace

FILTER_WORDS = ("item", "actor", "kind", "since", "until")
_TERM = re.compile(r"^([a-z]+):(.+)$")
CACHE_SIZE = 4000


@dataclass
class HistoryFilter:
    subject: str = ""  # item key, RM-n or O-n
    actor: str = ""
    kind: str = ""  # part of the event name: Moved, WorkItem, Decided...
    since: float | None = None
    until: float | None = None
    text: str = ""
    subject_id: str | None = field(default=None, compare=False)

    @property
    def empty(self) -> bool:
        return not (self.subject or self.actor or self.kind or self.since is not None or self.until is not None)


def parse_filter(text: str, ws: Workspace, now: datetime | None = None) -> HistoryFilter:
    """``item:PM-3 actor:bob kind:Moved since:-7d until:2026-11-10``; a mistake raises UserError."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise UserError(f"cannot read the filter: {error}") from None
    found = HistoryFilter(text=text.strip())
    for word in words:
        match = _TERM.match(word)
        if not match or match.group(1).lower() not in FILTER_WORDS:
            raise UserError(f"unknown filter {word!r}: use item:KEY actor:NAME kind:Moved since:-7d until:2026-11-10")
        name, value = match.group(1).lower(), match.group(2)
        if name == "item":
            found.subject, found.subject_id = value, _subject_id(ws, value)
        elif name in ("actor", "kind"):
            setattr(found, name, value)
        else:
            point = parse_as_of(value, now)
            if point.moment is None:
                raise UserError(f"{name}: takes a time such as -7d or 2026-11-10 (got {value!r})")
            setattr(found, name, point.moment)
    return found


def _subject_id(ws: Workspace, ref: str) -> str:
    item = ws.item_by_key(ref)
    if item is not None:
        return item.id
    if ref.upper().startswith("RM-"):
        roadmap = find_roadmap_item(ws, ref)
        if roadmap is not None:
            return roadmap.id
    if ref.upper().startswith("O-"):
        objective = find_objective(ws, ref)
        if objective is not None:
            return objective.id
    raise UserError(f"no item {ref!r} (item: takes a key like PM-3, a roadmap item RM-2 or an objective O-1)")


class HistorySource:
    """Orders, filters and reads history entries for one workbench."""

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self._cache: OrderedDict[int, HistoryEntry] = OrderedDict()
        self._counted: tuple[int, float | None, int] | None = None  # (position, moment, events) last counted

    # Which events, in which order --------------------------------------------------------------
    def order(self, ws: Workspace, moment: float | None, wanted: HistoryFilter) -> Sequence[int]:
        """Event numbers, newest first (by when they occurred), of the events matching ``wanted``,
        among those the shown workspace holds: a page of the read model's log at a time."""
        if wanted.subject_id:
            records = [r for r in self.wb.records_of(wanted.subject_id) if self._matches(r, ws, moment, wanted)]
            records.sort(key=lambda r: (r.occurred, r.seq), reverse=True)
            self._remember(ws, records)
            return array("q", [r.seq for r in records])
        # Paged from the log (the table reads the rows it paints); every event as of the point
        # is the workspace's own count, which a live workspace carries forward from change to change.
        return LogPages(self.wb.read, ws.position, moment, actor=wanted.actor, kind=wanted.kind,
                        since=wanted.since, until=wanted.until, count=self._count(ws, moment) if wanted.empty else None)

    def _count(self, ws: Workspace, moment: float | None) -> int:
        """Every event as of the point: the count of the point shown before plus (or minus) the
        events between the two, when both lie on one axis (a time-travel step, a live update:
        a short range of the log's number or time index), else the workspace's own count (the
        whole log counted: ~40-200 ms at 540k events, once)."""
        position, last = ws.position, self._counted
        count: int | None = None
        if last is not None and (last[1] is None) == (moment is None):
            axis, was, now = ("seq", last[0], position) if moment is None else ("t", last[1], moment)
            low, high = sorted((was, now))  # type: ignore[type-var]
            between = self.wb.read.query(f"SELECT COUNT(*) FROM {{l}} WHERE {axis} > ? AND {axis} <= ?",
                                         [low, high])[0][0]
            count = last[2] + (between if now >= was else -between)  # type: ignore[operator]
        if count is None:
            count = ws.count
        self._counted = (position, moment, count)
        return count

    @staticmethod
    def _matches(record: EventRecord, ws: Workspace, moment: float | None, wanted: HistoryFilter) -> bool:
        if record.seq > ws.position or (moment is not None and record.occurred > moment):
            return False
        if wanted.actor and record.actor.lower() != wanted.actor.lower():
            return False
        if wanted.kind and wanted.kind.lower() not in record.name.lower():
            return False
        if wanted.since is not None and record.occurred < wanted.since:
            return False
        return wanted.until is None or record.occurred <= wanted.until

    # Reading entries ---------------------------------------------------------------------------
    def _remember(self, ws: Workspace, records: Iterable[EventRecord]) -> None:
        # An event's entry never changes, so entries stay cached across time-travel steps; only
        # the subject's display name is taken from the workspace shown when it was first read.
        for record in records:
            self._cache[record.seq] = entry(ws, record)
            self._cache.move_to_end(record.seq)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def cached(self, ws: Workspace, seq: int) -> HistoryEntry | None:
        return self._cache.get(seq)

    def get(self, ws: Workspace, seq: int, window: Sequence[int] = ()) -> HistoryEntry:
        """The entry for ``seq``, reading ``window`` (the rows around it) in the same go."""
        found = self.cached(ws, seq)
        if found is not None:
            return found
        wanted = sorted({seq, *(s for s in window if self.cached(ws, s) is None)})
        self._remember(ws, self._read(wanted))
        return self._cache[seq]

    def _read(self, seqs: list[int]) -> list[EventRecord]:
        return self.wb.records_numbered(seqs)

    def clear(self) -> None:
        self._cache.clear()
