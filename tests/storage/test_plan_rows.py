"""The stored sprint and points changes (rm_plan), pmtui/store/plan_rows.py, and the sprint metrics
read through them (pmtui/service/plan_queries.py).

For random histories of items put in and out of sprints, re-estimated, moved, archived, sprints
planned, started and closed, with events recorded late:
- the rows written with each command equal the changes of a naive fold's item versions, the rows
  a bulk fold makes (``pmtui verify`` compares them with a fresh fold), and the rows ``fill``
  makes from the stored versions (a store made before the table);
- burndown, burnup and velocity from them equal the same metrics over an in-memory fold (which
  reads every version), now, as of event numbers and as of moments.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.exceptions import DomainError
from pmtui.errors import UserError
from pmtui.service.metric_source import store_source
from pmtui.service.workbench import Workbench
from pmtui.store import plan_rows
from pmtui.store.readmodel import Point, first_difference
from projections import metrics
from projections.metrics import FoldedSource
from projections.versions import effective_order
from tests.storage.history import fill_again, play

UTC = timezone.utc
SPRINTS = ["S1", "S2"]
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["story", "bug"]), st.sampled_from([None, 1, 3, 5])),
    st.tuples(st.just("in"), st.sampled_from(SPRINTS), st.integers(1, 5)),
    st.tuples(st.just("out"), st.integers(1, 5)),
    st.tuples(st.just("estimate"), st.integers(1, 5), st.sampled_from([None, 2, 8])),
    st.tuples(st.just("move"), st.integers(1, 5), st.sampled_from(["To do", "In progress", "Done"])),
    st.tuples(st.just("archive"), st.integers(1, 5)),
    st.tuples(st.just("start"), st.sampled_from(SPRINTS)),
    st.tuples(st.just("close"), st.sampled_from(SPRINTS)),
)
plan = st.lists(st.tuples(st.integers(-40, 0), step), min_size=3, max_size=25)


def run(wb: Workbench, op: tuple[Any, ...]) -> None:
    kind, *args = op
    try:
        if kind == "add":
            key = wb.add_item(f"Item {len(wb.now.items)}", kind=args[0])
            if args[1] is not None:
                wb.edit_item(key, points=args[1])
        elif kind == "in":
            wb.add_to_sprint(args[0], [f"PM-{args[1]}"])
        elif kind == "out":
            wb.remove_from_sprint([f"PM-{args[0]}"])
        elif kind == "estimate":
            wb.edit_item(f"PM-{args[0]}", points=args[1])
        elif kind == "move":
            wb.move_item(f"PM-{args[0]}", args[1])
        elif kind == "archive":
            wb.archive_item(f"PM-{args[0]}")
        elif kind == "start":
            wb.start_sprint(args[0])
        elif kind == "close":
            wb.close_sprint(args[0])
    except (UserError, DomainError):
        pass  # a step the state refuses (no such item, sprint not active, ...): skipped


# Every history starts with a running sprint of two estimated items (a day back), so each
# example has a burndown to compare; the random steps go on from there.
OPENING = [(-4, ("add", "story", 3)), (-4, ("add", "bug", 5)), (-4, ("in", "S1", 1)), (-4, ("in", "S1", 2)),
           (-4, ("start", "S1"))]


def _history(wb: Workbench, steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    wb.init_product("Shop", "PM")
    for name in SPRINTS:
        wb.plan_sprint(name)
    play(wb, [*OPENING, *steps], run)


def naive_changes(records: list[Any]) -> list[tuple[Any, ...]]:
    """Every item version whose (sprint, points) differs from the one before it, from a fold."""
    chains: dict[str, list[Any]] = {}
    for span in FoldedSource(records).versions("items", float("-inf"), float("inf")):
        chains.setdefault(span.id, []).append(span)
    out = []
    for row_id, chain in chains.items():
        prev: Any = ()
        for span in sorted(chain, key=lambda s: s.from_pos):
            state = (span.view.sprint, span.view.points)
            if state != prev:
                out.append((row_id, span.from_pos, span.from_t, *state))
                prev = state
    return sorted(out, key=lambda r: (r[0], r[1]))


def stored(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, from_pos, from_t, sprint, points FROM rm_plan ORDER BY id, from_pos").fetchall()
    finally:
        conn.close()


def sprint_metrics(source: Any) -> dict[str, Any]:
    return {"series": {s.name: metrics.sprint_series(source, s.id, UTC) for s in source.rows("sprints").values()},
            "velocity": metrics.velocity(source, 2)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_stored_plan_changes_and_the_sprint_metrics_from_them(steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-planrows-") as tmp:
        db = Path(tmp) / "p.db"
        wb = Workbench(db=str(db), actor="ann")
        try:
            _history(wb, steps)
            records = list(wb.records())
            assert first_difference(wb.log) is None  # the same rows as a bulk fold of the log
            last = records[-1].seq
            clock = datetime.now(UTC).timestamp() + 60
            times = sorted({t for t, _ in effective_order(records)})
            points = [(Point(), FoldedSource(records, as_of=clock))]
            points += [(Point(pos=n), FoldedSource(records, upto=n)) for n in range(1, last + 1, max(1, last // 5))]
            points += [(Point(moment=t), FoldedSource(records, as_of=t)) for t in times[:: max(1, len(times) // 4)]]
            for point, folded in points:
                source = store_source(wb.read, point, clock)
                assert sprint_metrics(source) == sprint_metrics(folded), (point.pos, point.moment)
            assert sprint_metrics(store_source(wb.read, Point(), clock))["series"]["S1"].days  # a burndown was compared
        finally:
            wb.close()
        changes = stored(db)
        assert changes == naive_changes(records)
        fill_again(db, plan_rows.fill)
        assert stored(db) == changes


def test_a_store_made_before_the_table_fills_it_once_and_charts_the_same(tmp_path: Path) -> None:
    """An older store (no rm_plan, no flag) gets the table made and filled at its first sprint
    chart, with the same burndown and velocity as the versions give."""
    db = tmp_path / "old.db"
    wb = Workbench(db=str(db), actor="ann")
    try:
        # PM-1 done at 3 points, then re-estimated once the sprint closed: velocity counts the 3.
        _history(wb, [(-1, ("move", 1, "Done")), (0, ("estimate", 2, 8)), (0, ("close", "S1")),
                      (0, ("estimate", 1, 8))])
        records = list(wb.records())
    finally:
        wb.close()
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE rm_plan")
    conn.execute(f"DELETE FROM rm_meta WHERE name = '{plan_rows.FLAG}'")
    conn.commit()
    conn.close()
    wb = Workbench(db=str(db), actor="ann")
    try:
        clock = datetime.now(UTC).timestamp() + 60
        source = store_source(wb.read, Point(), clock)
        found = sprint_metrics(source)
        assert found == sprint_metrics(FoldedSource(records, as_of=clock))
        assert [(v.sprint, v.completed, v.completed_items) for v in found["velocity"]] == [("S1", 3.0, 1)]
        assert source.points_at(["x"]) is not NotImplemented  # the table is there and filled now
    finally:
        wb.close()
    assert stored(db) == naive_changes(records)
