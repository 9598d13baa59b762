"""What the metrics read: versions of view rows in a window of time, and list entries, as of a point.

A metric never folds events. The read model (``projections.versions``) already keeps every view row
as a chain of versions, each valid over ``[from_t, to_t)`` of effective occurred time (and
``[from_pos, to_pos)`` of event numbers); a metric asks for the versions that held during its
window (a sprint, the board's life) and walks them. ``MetricSource`` is that read interface:
pmtui implements it with indexed SQL over the store's tables (``pmtui.service.metric_source``), and
``FoldedSource`` here folds records in memory with the store's own fold (``VersionFold``), for
tests and for anyone holding records.

A source stands at one point (now, after event #N, or at moment T): versions opened after it are
not there, and a version closed after it is still open (as the log was at that point).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

import msgspec

from projections.records import EventRecord
from projections.state import ItemView
from projections.versions import ENTRY_TYPES, OPEN_POS, OPEN_T, VIEW_TYPES, VersionFold, encode_view


class ItemFacts(msgspec.Struct, frozen=True, gc=False):
    """The fields of an item version the metrics read (decoding a stored ItemView into this
    skips its text: descriptions, titles, labels)."""

    id: str
    key: str
    board_id: str
    kind: str
    status: str
    created: float
    points: float | None = None
    sprint: str | None = None
    archived: bool = False


# The type each table's versions are read as: items as their facts, the others whole.
METRIC_TYPES: dict[str, Any] = {**VIEW_TYPES, "items": ItemFacts}


class Span(NamedTuple):
    """One version of a row: valid from (from_t, from_pos) up to (to_t, to_pos), both excluded at
    the end. Versions sort by (from_t, from_pos): the order the events that made them occurred."""

    from_t: float
    from_pos: int
    to_t: float
    to_pos: int
    table: str
    id: str
    view: Any


class Stamped(NamedTuple):
    """One entry of an append-only list with its event's effective time and number."""

    t: float
    seq: int
    entry: Any


class MetricSource(Protocol):
    """The read interface of the metrics (see the module note)."""

    @property
    def moment(self) -> float:
        """The source's point as a moment: the metrics' "today" (for #N, the latest time up to it)."""
        ...

    def versions(self, table: str, start_t: float, end_t: float, grp: str | None = None,
                 ids: Iterable[str] | None = None) -> list[Span]:
        """Every version of the table's rows (of board/product ``grp``, or of these ``ids``) that
        held at some moment in [start_t, end_t], instants included (a version opened and closed
        at the same time is there: its event happened), sorted by (from_t, from_pos)."""
        ...

    def item_places(self, board_id: str | None, end_t: float) -> list[Place]:
        """Where the items (of the board) stood, version by version up to ``end_t``, as ``Place``
        tuples sorted by (from_t, from_pos): each item's first and last version, those that
        changed its column, board or archived flag, and every version of an epic (the rest
        change nothing a flow metric reads). Plain tuples, no views: cumulative flow and the
        cycle times walk a few hundred thousand of them at a million events."""
        ...

    def entries(self, table: str, start_t: float, end_t: float, owner: str | None = None) -> list[Stamped]:
        """The list's entries (of one owner) with effective time in [start_t, end_t], by (t, seq)."""
        ...

    def rows(self, table: str) -> Mapping[str, Any]:
        """The table's rows as of the point, by id (sprints, boards, KPIs, objectives; items as
        their ``ItemFacts``)."""
        ...


# (from_t, from_pos, item id, status, board id, archived): an item version as ``item_places`` gives it.
Place = tuple[float, int, str, str, str, bool]


def places_of(chain: list[Span]) -> list[Place]:
    """``item_places`` of one item's versions (in order), by their content."""
    out: list[Place] = []
    last = len(chain) - 1
    before: Any = None
    for n, span in enumerate(chain):
        v = span.view
        if (before is None or n == last or v.kind == "epic" or before.kind == "epic" or v.status != before.status
                or v.board_id != before.board_id or v.archived != before.archived):
            out.append((span.from_t, span.from_pos, span.id, v.status, v.board_id, v.archived))
        before = v
    return out


def as_facts(view: ItemView) -> ItemFacts:
    """An item view as the metrics see it: through its stored form, as the store reads it."""
    return _FACTS.decode(encode_view("items", view))


_FACTS = msgspec.msgpack.Decoder(ItemFacts)


class FoldedSource:
    """A ``MetricSource`` over records in memory: folded with ``VersionFold`` (the fold that fills
    the store's tables) into version chains, then cut at the point (``upto`` event number, else
    ``as_of`` moment; both None: everything)."""

    def __init__(self, records: Iterable[EventRecord], as_of: float | None = None, upto: int | None = None) -> None:
        fold = VersionFold()
        batch = fold.apply(sorted(records, key=lambda r: r.seq))
        chains: dict[tuple[str, str], list[Any]] = {}
        for v in batch.versions:
            chains.setdefault((v.table, v.row_id), []).append(v)
        spans: list[Span] = []
        for (table, row_id), chain in chains.items():
            for v, after in zip(chain, [*chain[1:], None]):
                to_t, to_pos = (after.t, after.seq) if after is not None else (OPEN_T, OPEN_POS)
                view = as_facts(v.view) if table == "items" else v.view
                spans.append(Span(v.t, v.seq, to_t, to_pos, table, row_id, view))
        entries = [(e.table, e.owner, Stamped(e.t, e.seq, e.entry)) for e in batch.entries]
        if upto is not None:
            lines = [line for line in batch.lines if line.seq <= upto]
            self._moment = max((line.t for line in lines), default=0.0)
            spans = [s for s in spans if s.from_pos <= upto]
            spans = [s if s.to_pos <= upto else s._replace(to_t=OPEN_T, to_pos=OPEN_POS) for s in spans]
            entries = [e for e in entries if e[2].seq <= upto]
        else:
            self._moment = as_of if as_of is not None else max((line.t for line in batch.lines), default=0.0)
            cut = self._moment
            spans = [s for s in spans if s.from_t <= cut]
            spans = [s if s.to_t <= cut else s._replace(to_t=OPEN_T, to_pos=OPEN_POS) for s in spans]
            entries = [e for e in entries if e[2].t <= cut]
        spans.sort(key=lambda s: (s.from_t, s.from_pos))
        entries.sort(key=lambda e: (e[2].t, e[2].seq))
        self._spans, self._entries = spans, entries

    @property
    def moment(self) -> float:
        return self._moment

    def versions(self, table: str, start_t: float, end_t: float, grp: str | None = None,
                 ids: Iterable[str] | None = None) -> list[Span]:
        wanted = set(ids) if ids is not None else None
        return [s for s in self._spans if s.table == table and s.from_t <= end_t and s.to_t >= start_t
                and (grp is None or _group(s.view) == grp) and (wanted is None or s.id in wanted)]

    def item_places(self, board_id: str | None, end_t: float) -> list[Place]:
        by_item: dict[str, list[Span]] = {}
        for span in self.versions("items", float("-inf"), end_t, grp=board_id):
            by_item.setdefault(span.id, []).append(span)
        out = [place for chain in by_item.values() for place in places_of(chain)]
        out.sort(key=lambda p: (p[0], p[1]))
        return out

    def entries(self, table: str, start_t: float, end_t: float, owner: str | None = None) -> list[Stamped]:
        assert table in ENTRY_TYPES
        return [e for name, who, e in self._entries
                if name == table and start_t <= e.t <= end_t and (owner is None or who == owner)]

    def rows(self, table: str) -> dict[str, Any]:
        return {s.id: s.view for s in self._spans if s.table == table and s.to_pos == OPEN_POS}


def _group(view: Any) -> str | None:
    """The row's group as the store keeps it (``grp``: the board, else the product)."""
    return getattr(view, "board_id", None) or getattr(view, "product_id", None)
