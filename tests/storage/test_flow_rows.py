"""The stored column changes (rm_flow) and their hourly sums (rm_flow_hour), pmtui/store/flow_rows.py.

For random histories with moves, archiving, epics, column changes and events recorded late:
- the rows written with each command equal the changes of a naive fold's item versions, the rows
  a bulk fold makes (``pmtui verify`` compares them with a fresh fold), and the rows ``fill``
  makes from the stored versions (a store made before the table);
- cumulative flow and the items' flows from them equal the walk of an in-memory fold in zones
  with daylight saving and with a half-hour offset (the hourly sums, and the per-quarter-hour
  sums of the changes), now, as of event numbers and as of moments.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings

from pmtui.service.metric_source import store_source
from pmtui.service.workbench import Workbench
from pmtui.store import flow_rows
from pmtui.store.readmodel import Point, Sql, first_difference
from projections import metrics
from projections.metrics import FoldedSource
from projections.versions import effective_order
from tests.storage.test_flow_places import plan, run

UTC = timezone.utc


def _history(wb: Workbench, steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    wb.init_product("Shop", "PM")
    for days_back, op in steps:
        if days_back:
            with wb.recorded_as("ann", datetime.now(UTC) + timedelta(hours=days_back * 6)):
                run(wb, op)
        else:
            run(wb, op)
    wb.refresh()


def naive_changes(records: list[Any]) -> list[tuple[Any, ...]]:
    """Every item version whose (status, archived) differs from the one before it, from a fold."""
    chains: dict[str, list[Any]] = {}
    for span in FoldedSource(records).versions("items", float("-inf"), float("inf")):
        chains.setdefault(span.id, []).append(span)
    out = []
    for row_id, chain in chains.items():
        prev = None
        for span in sorted(chain, key=lambda s: s.from_pos):
            state = (span.view.status, int(span.view.archived))
            if state != prev:
                out.append((row_id, span.from_pos, span.view.board_id, span.from_t, *state,
                            *(prev if prev else (None, None))))
                prev = state
    return sorted(out, key=lambda r: (r[0], r[1]))


def stored(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT id, from_pos, board, from_t, status, archived, prev_status, prev_archived "
                             "FROM rm_flow ORDER BY id, from_pos").fetchall(),
                conn.execute("SELECT board, hour, status, archived, n FROM rm_flow_hour "
                             "ORDER BY board, hour, status, archived").fetchall())
    finally:
        conn.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_stored_changes_equal_a_naive_fold_a_bulk_fold_and_a_fill(steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-flowrows-") as tmp:
        db = Path(tmp) / "f.db"
        wb = Workbench(db=str(db), actor="ann")
        try:
            _history(wb, steps)
            records = list(wb.records())
            assert first_difference(wb.log) is None  # the same rows as a bulk fold of the log
        finally:
            wb.close()
        changes, hours = stored(db)
        assert changes == naive_changes(records)
        sums: dict[tuple[Any, ...], int] = {}
        flow_rows.add_hours(sums, [(r[2], r[0], r[1], r[3], *r[4:]) for r in changes])
        assert hours == sorted((*key, n) for key, n in sums.items())
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            flow_rows.fill(Sql(conn.cursor(), False))
            conn.execute("COMMIT")
        finally:
            conn.close()
        assert stored(db) == (changes, hours)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_flow_from_the_stored_sums_equals_the_walk_in_other_zones(steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    zones = [ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]  # DST; a half-hour offset
    with tempfile.TemporaryDirectory(prefix="pmtui-flowzones-") as tmp:
        wb = Workbench(db=str(Path(tmp) / "f.db"), actor="ann")
        try:
            _history(wb, steps)
            records = list(wb.records())
            last = records[-1].seq
            clock = datetime.now(UTC).timestamp() + 60
            times = sorted({t for t, _ in effective_order(records)})
            points = [(Point(), FoldedSource(records, as_of=clock))]
            points += [(Point(pos=n), FoldedSource(records, upto=n)) for n in range(1, last + 1, max(1, last // 4))]
            points += [(Point(moment=t), FoldedSource(records, as_of=t)) for t in times[:: max(1, len(times) // 4)]]
            for point, folded in points:
                source = store_source(wb.read, point, clock)
                for tz in zones:
                    assert metrics.cumulative_flow(source, tz) == metrics.cumulative_flow(folded, tz), (point.pos, tz)
                assert metrics.item_flows(source) == metrics.item_flows(folded), point.pos
        finally:
            wb.close()
