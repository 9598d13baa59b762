"""Cumulative flow and WIP from the stored column changes: sums per day, no walk of the items.

``projections.metrics.flow.cumulative_flow`` walks every place of every item (a few hundred
thousand at a million events: seconds). Its count at a day's end depends only on how many items
then sit in each (column, archived) state and on the board's version then: an item counts in its
column if it is not archived, or if archived in a done column; WIP is the live items in doing
columns. So a day's sample is the running sum of the net entries into each state up to the day's
end (``rm_flow_hour``: per hour, for every zone whose days start on the hour; else per quarter
hour, or as of #N, summed in SQL from the changes themselves, ``rm_flow``), read against the
board version of that moment. Same result as the walk (tests/storage/test_flow_places.py holds
both to a naive walk of every version, for random histories with late events).
"""

from __future__ import annotations

import bisect
from typing import Any

from pmtui.service import flow_queries
from pmtui.store.readmodel import Point
from projections.metrics.days import Zone, day_end, day_of, days
from projections.metrics.flow import CumulativeFlow, FlowDay, category_in, charted_board

State = tuple[str, int]  # (column, archived)


def _bucket_sql(size: int, postgres: bool) -> str:
    """floor(from_t / size) in SQL: PostgreSQL has FLOOR; SQLite's CAST truncates toward zero
    (one less below zero), and its FLOOR needs a build with the math functions."""
    if postgres:
        return f"CAST(FLOOR(from_t / {size}) AS BIGINT)"
    q = f"CAST(from_t / {size} AS INTEGER)"
    return f"({q} - (CASE WHEN from_t < 0 AND {q} * {size} > from_t THEN 1 ELSE 0 END))"


def cumulative_flow(source: Any, tz: Zone = None, board_id: str | None = None, first: Any = None) -> Any:
    """``projections.metrics.flow.cumulative_flow`` over the stored changes of a ``StoreSource``;
    ``NotImplemented`` when they are not there (the caller walks the versions)."""
    model, point = source.model, source.point
    if not flow_queries.ready(model):
        return NotImplemented
    as_of = source.moment
    boards = source.versions("boards", float("-inf"), as_of)
    board_id = charted_board(boards, board_id)
    if board_id is None:
        return None
    cond, cut_params = flow_queries.cut(point)
    where, params = f"board = ? AND {cond} AND from_t <= ?", [board_id, *cut_params, _finite(as_of)]
    if first is not None:
        start = first
    else:
        found = model.query(f"SELECT from_t FROM {{f}} WHERE {where} ORDER BY from_t, from_pos LIMIT 1", params)
        if found:
            start = day_of(found[0][0], tz)
        else:  # no items yet: from the first thing that happened in the workspace
            products = source.versions("products", float("-inf"), as_of)
            start = day_of(min(s.from_t for s in [*products, *boards]), tz)
    mine = [s for s in boards if s.id == board_id]
    sample_days = days(start, day_of(as_of, tz))
    if not sample_days or not mine:
        return None
    ends = [day_end(day, tz) for day in sample_days]
    size = next((n for n in (3600, 900) if all(end % n == 0 for end in ends)), None)
    if size is None:  # a zone whose days start off the quarter hour: walk the versions
        return NotImplemented
    # deltas[k]: net entries into each state during day k (before the first day: into day 0).
    deltas: list[dict[State, int]] = [{} for _ in sample_days]
    bucket_ends = [int(end // size) for end in ends]  # bucket b is in day bisect_right(bucket_ends, b)

    def add(bucket: int, state: State, n: int) -> None:
        day = deltas[bisect.bisect_right(bucket_ends, bucket)]
        day[state] = day.get(state, 0) + n

    live_seen: set[str] = set()  # every column an item entered unarchived (see ``order`` below)
    if size == 3600 and point.pos is None:
        # Whole hours before the point's from the hourly sums; the point's own hour from the rows.
        cut_hour = int(as_of // 3600) if point.moment is None else int(min(as_of, point.moment) // 3600)
        last_hour, day_index = None, 0
        for chunk in model.chunks("SELECT hour, status, archived, n FROM {fh} WHERE board = ? AND hour < ?",
                                  [board_id, cut_hour]):
            for hour, status, archived, n in chunk:
                if hour != last_hour:
                    last_hour, day_index = hour, bisect.bisect_right(bucket_ends, hour)
                    day = deltas[day_index]
                if not archived:
                    live_seen.add(status)
                if n:
                    state = (status, archived)
                    day[state] = day.get(state, 0) + n
        rows = model.query(f"SELECT {_bucket_sql(3600, model.postgres)}, status, archived, prev_status, prev_archived, COUNT(*) "
                           f"FROM {{f}} WHERE {where} AND from_t >= ? GROUP BY 1, 2, 3, 4, 5",
                           [*params, cut_hour * 3600.0])
    else:
        rows = model.query(f"SELECT {_bucket_sql(size, model.postgres)}, status, archived, prev_status, prev_archived, COUNT(*) "
                           f"FROM {{f}} WHERE {where} GROUP BY 1, 2, 3, 4, 5", params)
    for bucket, status, archived, prev_status, prev_archived, n in rows:
        add(bucket, (status, archived), n)
        if not archived:
            live_seen.add(status)
        if prev_status is not None:
            add(bucket, (prev_status, prev_archived), -n)

    categories: dict[tuple[int, str], str] = {}  # (board version, column) -> its category

    def category(version: int, status: str) -> str:
        found = categories.get((version, status))
        if found is None:
            found = categories[(version, status)] = category_in(mine[version].view if version >= 0 else None, status)
        return found

    live: dict[str, int] = {}
    archived_in: dict[str, int] = {}
    samples: list[tuple[int, dict[str, int], dict[str, int], int]] = []  # (board version, live, archived, wip)
    b = 0
    for k, end in enumerate(ends):
        for (status, archived), n in deltas[k].items():
            into = archived_in if archived else live
            into[status] = into.get(status, 0) + n
        while b < len(mine) and mine[b].from_t < end:
            b += 1
        wip = sum(n for status, n in live.items() if n and category(b - 1, status) == "doing")
        samples.append((b - 1, dict(live), dict(archived_in), wip))
    if samples[-1][0] < 0:
        return None
    board = mine[samples[-1][0]].view
    order, seen_category = _order(source, model, where, params, mine, board, live_seen)
    categories_out = [board.column(c)["category"] if board.column(c) else seen_category[c] for c in order]
    days_out = []
    for day, (version, live_now, archived_now, wip) in zip(sample_days, samples):
        counts = [live_now.get(c, 0) + (archived_now.get(c, 0) if category(version, c) == "done" else 0)
                  for c in order]
        days_out.append(FlowDay(day, counts, wip))
    return CumulativeFlow(board.name, order, categories_out, days_out)


def _order(source: Any, model: Any, where: str, params: list[Any], mine: list[Any], board: Any,
           live_seen: set[str]) -> tuple[list[str], dict[str, str]]:
    """The columns as the walk lists them: the board's, then every other column named so far in
    the order it was first met (a column of a board version, or an item entering it unarchived;
    at one (time, number) the item goes first), with its category then."""
    names = board.column_names
    first_met: dict[str, tuple[tuple[float, int, int, int], str]] = {}
    for version in mine:
        for n, col in enumerate(version.view.columns):
            key = (version.from_t, version.from_pos, 1, n)
            if col["name"] not in names and (col["name"] not in first_met or key < first_met[col["name"]][0]):
                first_met[col["name"]] = (key, col["category"])
    for status in live_seen - set(names):
        found = model.query(f"SELECT from_t, from_pos FROM {{f}} WHERE {where} AND status = ? AND archived = 0 "
                            "ORDER BY from_t, from_pos LIMIT 1", [*params, status])
        if not found:
            continue
        t, pos = found[0]
        key = (t, pos, 0, 0)
        if status not in first_met or key < first_met[status][0]:
            before = [v for v in mine if (v.from_t, v.from_pos) < (t, pos)]
            first_met[status] = (key, category_in(before[-1].view if before else None, status))
    extra = sorted(first_met, key=lambda c: first_met[c][0])
    return names + extra, {c: first_met[c][1] for c in extra}


def _finite(t: float) -> float:
    return max(min(t, 1.7e308), -1.7e308)
