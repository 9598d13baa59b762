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


def _case(column: str, categories: dict[tuple[str, str], str], params: list[Any]) -> str:
    """SQL for the category of ``column`` (a status column) by the fixed map; todo otherwise."""
    if not categories:
        return "'todo'"
    arms = []
    for (board, status), category in categories.items():
        arms.append(f"WHEN board = ? AND {column} = ? THEN '{category}'")
        params.extend([board, status])
    return f"(CASE {' '.join(arms)} ELSE 'todo' END)"


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


def item_flows(source: Any, board_id: str | None = None) -> Any:
    """``projections.metrics.cycle.item_flows`` from the stored changes, or ``NotImplemented``."""
    from projections.metrics import cycle

    model, point = source.model, source.point
    if model.postgres or not flow_queries.ready(model):
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
    # Items with a change before their board's first version: walked (see _Early).
    early_cond = " OR ".join(["(board = ? AND (from_t < ? OR (from_t = ? AND from_pos < ?)))"] * len(versions)
                             + [f"board NOT IN ({','.join('?' * len(versions))})" if versions else "1 = 1"])
    early_params: list[Any] = [x for b, chain in versions.items()
                               for x in (b, chain[0].from_t, chain[0].from_t, chain[0].from_pos)] + list(versions)
    early = [r[0] for r in model.query(f"SELECT DISTINCT id FROM {{f}} WHERE ({early_cond}) AND {where}",
                                       [*early_params, *params])]
    case_params: list[Any] = []
    cat = _case("status", categories, case_params)
    before = _case("prev_status", categories, case_params)
    # SQLite: the bare columns beside MAX(from_pos) are those of the item's last change.
    rows = model.query(
        f"SELECT id, MIN(from_t), MIN(from_pos), MIN(CASE WHEN c = 'doing' THEN from_t END), "
        "MAX(CASE WHEN c = 'done' AND (p IS NULL OR p != 'done') THEN from_t END), "
        "SUM(CASE WHEN p = 'done' AND c != 'done' THEN 1 ELSE 0 END), MAX(from_pos), c, archived "
        f"FROM (SELECT id, from_pos, from_t, archived, {cat} AS c, CASE WHEN prev_status IS NULL THEN NULL "
        f"ELSE {before} END AS p FROM {{f}} WHERE {where}) GROUP BY id", [*case_params, *params])
    facts = source.rows("items")
    skip = set(early)
    out: list[tuple[float, int, ItemFlow]] = []
    for row_id, first_t, first_pos, started, entered_done, reopened, _, last, archived in rows:
        if row_id in skip:
            continue
        f = facts[row_id]
        done = entered_done if last == "done" else None
        out.append((first_t, first_pos, ItemFlow(f.key, f.kind, f.created, started, done, reopened,
                                                 bool(archived) and last != "done")))
    if early:
        sub = _Early(source, early, where, params)
        firsts: dict[str, tuple[float, int]] = {}
        for t, pos, row_id, *_ in sub.places:
            firsts.setdefault(row_id, (t, pos))
        keys = {facts[row_id].key: at for row_id, at in firsts.items()}
        out.extend((*keys[flow.key], flow) for flow in cycle.item_flows(sub, board_id))
    out.sort(key=lambda r: (r[0], r[1]))  # in order of creation, as the walk meets them
    return [flow for _, _, flow in out]
