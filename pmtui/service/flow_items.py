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

Otherwise (or on PostgreSQL, which lacks SQLite's bare columns beside MAX) ``NotImplemented``:
the walk answers. tests/storage/test_flow_places.py holds both to a naive walk.
"""

from __future__ import annotations

from typing import Any

from pmtui.service import flow_queries
from projections.metrics.cycle import ItemFlow
from projections.metrics.flow import category_in


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


def _is(category: str, column: str, categories: dict[tuple[str, str], str]) -> tuple[str, list[Any]]:
    """SQL that is true when ``column`` (a status column of rm_flow) is a column of ``category`` by
    the fixed map: a list of names per board (an IN list is a few times cheaper per row than a
    CASE over every (board, column), and the flow charts test it on every change)."""
    boards: dict[str, list[str]] = {}
    for (board, status), found in categories.items():
        if found == category:
            boards.setdefault(board, []).append(status)
    if not boards:
        return "0 = 1", []
    arms, params = [], []
    for board, statuses in boards.items():
        arms.append(f"(board = ? AND {column} IN ({', '.join('?' * len(statuses))}))")
        params.extend([board, *statuses])
    return f"({' OR '.join(arms)})", params


class _Early:
    """A source of the items placed before their board's first version (or on a board with none
    by then), for the walk: such an item counts as todo until a place or a later version of its
    board moves it, which the sums above cannot tell. They are few: history imported from before
    the board was made (the demo's first weeks)."""

    def __init__(self, source: Any, ids: list[str], where: str, params: list[Any]) -> None:
        self.source, self.moment = source, source.moment
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
        return self.source.rows(table)


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
    (doing, p_doing), (done, p_done) = _is("doing", "status", categories), _is("done", "status", categories)
    was_done, p_was_done = _is("done", "prev_status", categories)
    # The item's last change, without SQLite's bare columns (which follow one of several MIN/MAX
    # arbitrarily, and PostgreSQL has none): its number packed with "in done" and "archived"
    # into one integer whose MAX is the last change's.
    rows = model.query(
        f"SELECT id, MIN(from_t) AS first_t, MIN(from_pos) AS first_pos, MIN(CASE WHEN {doing} THEN from_t END) "
        f"AS started, MAX(CASE WHEN {done} AND (prev_status IS NULL OR NOT {was_done}) THEN from_t END) AS entered, "
        f"SUM(CASE WHEN prev_status IS NOT NULL AND {was_done} AND NOT {done} THEN 1 ELSE 0 END) AS reopened, "
        f"MAX(from_pos * 4 + (CASE WHEN {done} THEN 2 ELSE 0 END) + archived) AS last "
        f"FROM {{f}} WHERE {where} GROUP BY id",
        [*p_doing, *p_done, *p_was_done, *p_was_done, *p_done, *p_done, *params])
    facts = source.rows("items")
    skip = set(early)
    out: list[tuple[float, int, ItemFlow]] = []
    for row_id, first_t, first_pos, started, entered_done, reopened, last in rows:
        if row_id in skip:
            continue
        f = facts[row_id]
        in_done = bool(last & 2)
        out.append((first_t, first_pos, ItemFlow(f.key, f.kind, f.created, started, entered_done if in_done else None,
                                                 reopened, bool(last & 1) and not in_done)))
    if early:
        sub = _Early(source, early, where, params)
        firsts: dict[str, tuple[float, int]] = {}
        for t, pos, row_id, *_ in sub.places:
            firsts.setdefault(row_id, (t, pos))
        keys = {facts[row_id].key: at for row_id, at in firsts.items()}
        out.extend((*keys[flow.key], flow) for flow in cycle.item_flows(sub, board_id))
    out.sort(key=lambda r: (r[0], r[1]))  # in order of creation, as the walk meets them
    return [flow for _, _, flow in out]
