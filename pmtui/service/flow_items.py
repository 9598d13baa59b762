"""Cycle and lead times, throughput: each item's start and finish from its stored column changes,
summed per item in SQL instead of walked in Python.

``projections.metrics.cycle.item_flows`` walks every place of every item, with each board's
versions among them: a board version that changes a column's category moves the items in it
from then. When no board version in the point's window changes the category of a column its
items use (and no item was placed before its board existed), an item's category is a fixed
function of its column, and its flow is a few aggregates over its own changes (``rm_flow``,
clustered by item: one pass, no sort):

- started: the first change into a doing column;
- done: if its last change left it in a done column, the last change into done from elsewhere;
- reopened: the changes from a done column to another category;
- abandoned: its last change left it archived outside done.

Now (a point that sees every event) those aggregates are kept per item as the changes are
written (``rm_flow_sum``, pmtui/store/flow_sums.py) and read as they are; at other points they
are summed from ``rm_flow`` (the bounds of the point in the WHERE). Otherwise ``NotImplemented``:
the walk answers. tests/storage/test_flow_places.py and test_flow_sums.py hold them to a naive walk.
"""

from __future__ import annotations

from typing import Any

import itertools
import operator

import msgspec

from pmtui.service import flow_queries
from pmtui.store import flow_sums
from projections.metrics.cycle import ItemFlow
from projections.metrics.flow import category_in
from projections.metrics.source import ItemFacts

_FACTS = msgspec.msgpack.Decoder(ItemFacts)
_first, _second = operator.itemgetter(0), operator.itemgetter(1)


def _categories(model: Any, versions: dict[str, list[Any]]) -> dict[tuple[str, str], str] | None:
    """(board, column) -> category for every column an item of the window used, or None when a
    board version in the window changes one of them (the walk is needed)."""
    used: dict[str, set[str]] = {}
    for board, status in model.query("SELECT DISTINCT board, status FROM {fh}"):
        used.setdefault(board, set()).add(status)
    out: dict[tuple[str, str], str] = {}
    for board, statuses in used.items():
        chain = versions.get(board)
        if not chain:
            continue  # no version of the board by then: every column counts as todo
        for status in statuses:
            seen = {category_in(span.view, status) for span in chain}
            if len(seen) > 1:
                return None
            category = seen.pop()
            if category != "todo":
                out[(board, status)] = category
    return out


class _Early:
    """A source of the items placed before their board's first version (or on a board with none
    by then), for the walk: such an item counts as todo until a place or a later version of its
    board moves it, which the sums above cannot tell. They are few: history imported from before
    the board was made (the demo's first weeks)."""

    def __init__(self, source: Any, ids: list[str], where: str, params: list[Any], facts: Any) -> None:
        self.source, self.moment, self.facts = source, source.moment, facts
        places: list[Any] = []
        for n in range(0, len(ids), 500):
            part = ids[n:n + 500]
            places.extend((t, pos, row_id, status, board, archived == 1) for t, pos, row_id, status, board, archived in
                          source.model.query(f"SELECT from_t, from_pos, id, status, board, archived FROM {{f}} "
                                             f"WHERE id IN ({','.join('?' * len(part))}) AND {where}", [*part, *params]))
        places.sort(key=lambda p: (p[0], p[1]))
        self.places = places

    def item_places(self, board_id: str | None, end_t: float) -> list[Any]:
        return self.places

    def versions(self, *args: Any, **kwargs: Any) -> Any:
        return self.source.versions(*args, **kwargs)

    def rows(self, table: str) -> Any:
        return self.facts if table == "items" else self.source.rows(table)


class _Facts(dict):  # type: ignore[type-arg]
    """The facts of a few items as of now (their current rows), for the walk of ``_Early``."""

    def __init__(self, model: Any, ids: list[str]) -> None:
        super().__init__()
        wanted = sorted(set(ids))
        for n in range(0, len(wanted), 500):
            part = wanted[n:n + 500]
            for row_id, body in model.query(f"SELECT id, body FROM {{c}} WHERE tbl = 'items' AND id IN "
                                            f"({','.join('?' * len(part))})", part):
                self[row_id] = _FACTS.decode(bytes(body))


def _sees_everything(model: Any, point: Any) -> bool:
    """Whether the point sees every event of the log (the stored sums are of all of them): as of
    an event number at or past the tables' position, or a moment at or after the latest event."""
    if point.pos is not None:
        return point.pos >= model.position()
    if point.moment is not None:
        latest = model.query("SELECT MAX(t) FROM {l}")[0][0]
        return latest is None or latest <= point.moment
    return True


def _early_ids(model: Any, versions: dict[str, list[Any]], where: str, params: list[Any]) -> list[str]:
    """The items with a change before their board's first version (or on a board with none):
    one range of rm_flow's board index per board, so no change of the other items is read."""
    early: set[str] = set()
    for (board,) in model.query("SELECT DISTINCT board FROM {fh}"):
        chain = versions.get(board)
        if chain is None:
            found = model.query(f"SELECT id FROM {{f}} WHERE board = ? AND {where}", [board, *params])
        else:
            first = chain[0]
            # Bounded "from_t <= first" first: SQLite then reads that range of the index alone.
            found = model.query(f"SELECT id FROM {{f}} WHERE board = ? AND from_t <= ? AND (from_t < ? OR "
                                f"from_pos < ?) AND {where}", [board, first.from_t, first.from_t, first.from_pos, *params])
        early.update(row_id for (row_id,) in found)
    return sorted(early)


def item_flows(source: Any, board_id: str | None = None) -> Any:
    """``projections.metrics.cycle.item_flows`` from the stored changes, or ``NotImplemented``."""
    from projections.metrics import cycle

    model, point = source.model, source.point
    if not flow_queries.ready(model):
        return NotImplemented
    cond, cut_params = flow_queries.cut(point)
    where, params = f"{cond} AND from_t <= ?", [*cut_params, max(min(source.moment, 1.7e308), -1.7e308)]
    if board_id is not None:
        where, params = f"board = ? AND {where}", [board_id, *params]
    versions: dict[str, list[Any]] = {}
    for span in source.versions("boards", float("-inf"), source.moment, grp=None):
        versions.setdefault(span.id, []).append(span)
    categories = _categories(model, versions)
    if categories is None:
        return NotImplemented
    early = _early_ids(model, versions, where, params)
    skip = set(early)
    out: list[tuple[float, int, ItemFlow]] = []
    if _sees_everything(model, point) and flow_queries.filled_once(
            model, "_sums_ready", flow_sums, flow_sums.sums_ddl, "summing the items' flow for the cycle-time charts"):
        # Now: each item's stored sums (pmtui/store/flow_sums.py), its key, kind and creation with them.
        text = ("SELECT id, key, kind, created, first_t, first_pos, started, entered, reopened, last, known FROM {s}"
                + (" WHERE board = ?" if board_id is not None else ""))
        kinds: dict[str, str] = {}  # one string per kind, not one per item
        rows = itertools.chain.from_iterable(model.chunks(text, [board_id] if board_id is not None else []))
        for row_id, key, kind, created, first_t, first_pos, started, entered, reopened, last, whole in rows:
            kind = kinds.setdefault(kind, kind)
            if not whole:  # summed with no board to tell categories: walked (see _Early)
                early.append(row_id)
                continue
            if row_id in skip:
                continue
            in_done = bool(last & 2)
            out.append((first_t, first_pos, ItemFlow(key, kind, created, started, entered if in_done else None,
                                                     reopened, bool(last & 1) and not in_done)))
        facts: Any = _Facts(model, early)
    else:
        text, sums_params = flow_sums.sums_query(categories, where)
        rows = model.query(text, [*sums_params, *params])
        facts = source.rows("items")
        for row_id, first_t, first_pos, started, entered_done, reopened, last in rows:
            if row_id in skip:
                continue
            f = facts[row_id]
            in_done = bool(last & 2)
            out.append((first_t, first_pos, ItemFlow(f.key, f.kind, f.created, started,
                                                     entered_done if in_done else None, reopened,
                                                     bool(last & 1) and not in_done)))
    if early:
        sub = _Early(source, sorted(set(early)), where, params, facts)
        firsts: dict[str, tuple[float, int]] = {}
        for t, pos, row_id, *_ in sub.places:
            firsts.setdefault(row_id, (t, pos))
        keys = {facts[row_id].key: at for row_id, at in firsts.items()}  # the walked items' keys
        out.extend((*keys[flow.key], flow) for flow in cycle.item_flows(sub, board_id))
    # In order of creation, as the walk meets them: two stable sorts of plain numbers (a key of
    # tuples compares them element by element, several times slower).
    out.sort(key=_second)
    out.sort(key=_first)
    return [flow for _, _, flow in out]
