"""Each item's stored flow sums (rm_flow_sum, pmtui/store/flow_sums.py), kept with every command.

For random histories with column moves, archiving, epics, columns added, removed, moved and
recategorised, some recorded late:
- the sums kept command by command equal those ``fill`` makes from the column changes, whenever
  no board's versions disagree on a used column's category (otherwise they are never read);
- after the fill, more commands keep them whole: cycle and lead time and throughput of "now" (read
  from the sums) and as of the last event equal a naive walk of every version, and the in-memory
  fold's; as of earlier points (the sums are not read) too.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pmtui.service import flow_items
from pmtui.service.metric_source import store_source
from pmtui.service.workbench import Workbench
from pmtui.store import flow_sums
from pmtui.store.readmodel import Point
from projections import metrics
from projections.metrics import FoldedSource
from tests.storage.history import fill_again, play
from tests.storage.test_flow_places import naive_flows, plan, run

UTC = timezone.utc


def _steps(wb: Workbench, steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    play(wb, steps, run)


def sums(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT {flow_sums.COLUMNS} FROM rm_flow_sum ORDER BY id").fetchall()
    finally:
        conn.close()


def fill(db: Path) -> None:
    fill_again(db, flow_sums.fill)


def consistent(wb: Workbench, clock: float) -> bool:
    """Whether no board's versions disagree on the category of a column its items used."""
    source = store_source(wb.read, Point(), clock)
    versions: dict[str, list[Any]] = {}
    for span in source.versions("boards", float("-inf"), source.moment):
        versions.setdefault(span.id, []).append(span)
    return flow_items._categories(wb.read, versions) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan, plan)
def test_kept_sums_equal_a_fill_and_answer_now_as_a_walk_does(before: list[tuple[int, tuple[Any, ...]]],
                                                               after: list[tuple[int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-flowsums-") as tmp:
        db = Path(tmp) / "f.db"
        wb = Workbench(db=str(db), actor="ann")
        try:
            # The board made before any step (late ones go back 24 days at most): items placed
            # before their board's first version are walked, not summed.
            with wb.recorded_as("ann", datetime.now(UTC) - timedelta(days=30)):
                wb.init_product("Shop", "PM")
            _steps(wb, before)
            clock = datetime.now(UTC).timestamp() + 3600
            kept = sums(db)
            same_categories = consistent(wb, clock)
            fill(db)
            if same_categories:
                assert kept == sums(db)
            _steps(wb, after)  # kept up on top of the filled sums
            records = list(wb.records())
            clock = datetime.now(UTC).timestamp() + 3600
            last = records[-1].seq
            reference = naive_flows(FoldedSource(records, as_of=clock))
            for point, folded in [(Point(), FoldedSource(records, as_of=clock)),
                                  (Point(pos=last), FoldedSource(records, upto=last)),
                                  (Point(pos=max(1, last // 2)), FoldedSource(records, upto=max(1, last // 2)))]:
                stored = store_source(wb.read, point, clock)
                assert metrics.item_flows(stored) == metrics.item_flows(folded), point.pos
            assert metrics.item_flows(store_source(wb.read, Point(), clock)) == reference
        finally:
            wb.close()
