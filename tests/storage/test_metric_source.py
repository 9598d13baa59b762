"""The metrics read from the store's tables (pmtui.service.metric_source) equal the same metrics over an
in-memory fold of the log (projections.metrics.FoldedSource), now, as of event numbers and as of
moments, on a demo workspace with history recorded late (backdated) and careless (an event that
says it occurred before its aggregate's previous one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pmtui.service.demo import generate
from pmtui.service.metric_source import store_source
from pmtui.store.readmodel import Point
from pmtui.service.workbench import Workbench
from projections import metrics
from projections.metrics import FoldedSource, MetricSource

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def wb(store: str) -> Iterator[Workbench]:
    bench = Workbench(store, actor="alice")
    generate(bench, now=NOW)
    ws = bench.now
    items = sorted(ws.items.values(), key=lambda i: i.number)
    sprint = next(s for s in ws.sprints.values() if s.state == "active")
    # Recorded now, occurred in the past: a late move into the running sprint, a late estimate,
    # and one claiming to precede its item's previous event (taken to occur with that one).
    with bench.recorded_as("bob", NOW - timedelta(days=3)):
        late = next(i for i in items[3:] if i.kind != "epic" and i.status not in ("Done", "In progress")
                    and i.sprint != sprint.id)  # epics stay out of sprints
        bench.edit_item(late.key, sprint=sprint.id, points=5)
        bench.move_item(late.key, "In progress")
    with bench.recorded_as("bob", NOW - timedelta(days=200)):
        bench.move_item(items[4].key, "Done")
    with bench.recorded_as("bob", NOW - timedelta(days=1)):
        bench.measure(next(iter(ws.kpis.values())).name, 1.5)
        # Archived while in progress (abandoned), and an epic moved on: their status column is
        # empty in the store (not cards), so the flow metrics read them whole.
        bench.move_item(items[6].key, "In progress")
        bench.archive_item(items[6].key)
        epic = next(i for i in items if i.kind == "epic")
        bench.move_item(epic.key, "In progress")
    yield bench
    bench.close()


def everything(source: MetricSource, wb: Workbench) -> dict[str, Any]:
    """Every metric of every kind the charts draw, from one source."""
    sprints = source.rows("sprints")
    flows = metrics.item_flows(source)
    return {
        "series": {s.name: metrics.sprint_series(source, s.id, UTC) for s in sprints.values()},
        "velocity": metrics.velocity(source, 2),
        "cfd": metrics.cumulative_flow(source, UTC),
        "flows": flows,
        "cycle": metrics.time_stats(flows, "cycle", UTC),
        "throughput": metrics.throughput(flows, source.moment, UTC),
        "okr": metrics.okr_trends(source),
        "kpi": metrics.kpi_trends(source),
    }


def test_metrics_from_the_tables_equal_a_fold_of_the_log_at_every_kind_of_point(wb: Workbench) -> None:
    records = list(wb.records())
    last = records[-1].seq
    clock = NOW.timestamp()
    checked = 0
    # Now (the clock's moment), a few event numbers (one mid-sprint), and a few moments.
    for point, folded in [
        (Point(), FoldedSource(records, as_of=clock)),
        *[(Point(pos=n), FoldedSource(records, upto=n)) for n in (1, last // 3, last // 2, last - 3, last)],
        *[(Point(moment=t), FoldedSource(records, as_of=t))
          for t in ((NOW - timedelta(days=40)).timestamp(), (NOW - timedelta(days=2, hours=5)).timestamp())],
    ]:
        stored = store_source(wb.read, point, clock)
        assert stored.moment == folded.moment
        mine, theirs = everything(stored, wb), everything(folded, wb)
        for name in theirs:
            assert mine[name] == theirs[name], (point.pos, point.moment, name)
        checked += sum(1 for s in theirs["series"].values() if s is not None and s.days)
    assert checked >= 5  # the points do see sprints with days of burndown


def test_a_point_in_the_past_does_not_see_later_versions(wb: Workbench) -> None:
    """As of #N a version closed by a later event is still open, and later ones are not there."""
    records = list(wb.records())
    n = len(records) // 2
    stored = store_source(wb.read, Point(pos=n), NOW.timestamp())
    spans = stored.versions("items", float("-inf"), float("inf"))
    assert spans and all(s.from_pos <= n for s in spans)
    open_now = {s.id for s in spans if s.to_pos > n}
    assert open_now == {i.id for i in wb.view(f"#{n}").items.values()}
