"""The flow metrics (cumulative flow, cycle and lead time) walk plain places (``item_places``) in
runs between day ends and board versions. For random histories with column moves, archived and
restored items, epics, columns added, removed and moved (their categories change the count of
every item in them), and events recorded late, they equal a naive walk of every version of every
item and board (the metrics' first form, kept here as the reference), over the store's tables
and over an in-memory fold, now, as of every few event numbers and as of moments."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.exceptions import DomainError
from pmtui.errors import UserError
from pmtui.service.metric_source import store_source
from pmtui.service.workbench import Workbench
from pmtui.store.readmodel import Point
from projections import metrics
from projections.metrics import FoldedSource, MetricSource
from projections.metrics.cycle import ItemFlow
from projections.metrics.days import day_end, day_of, days
from projections.metrics.flow import CumulativeFlow, FlowDay
from projections.metrics.walk import Walk, merged
from projections.versions import effective_order

UTC = timezone.utc
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["story", "bug", "epic"]), st.sampled_from(COLUMNS[:3])),
    st.tuples(st.just("move"), st.integers(1, 4), st.sampled_from([*COLUMNS, "QA"])),
    st.tuples(st.just("archive"), st.integers(1, 4)),
    st.tuples(st.just("restore"), st.integers(1, 4)),
    st.tuples(st.just("column"), st.sampled_from(["QA", "Review", "Done"]), st.sampled_from(["todo", "doing", "done"])),
    st.tuples(st.just("drop"), st.sampled_from(["QA", "Review"])),
    st.tuples(st.just("reorder"), st.sampled_from(COLUMNS), st.integers(0, 4)),
)
plan = st.lists(st.tuples(st.integers(-96, 0), step), min_size=2, max_size=25)


def run(wb: Workbench, op: tuple[Any, ...]) -> None:
    kind, *args = op
    try:
        if kind == "add":
            wb.add_item(f"Item {len(wb.now.items)}", kind=args[0], status=args[1])
        elif kind == "move":
            wb.move_item(f"PM-{args[0]}", args[1])
        elif kind == "archive":
            wb.archive_item(f"PM-{args[0]}")
        elif kind == "restore":
            wb.restore_item(f"PM-{args[0]}")
        elif kind == "column":
            wb.add_column(args[0], args[1])
        elif kind == "drop":
            wb.remove_column(args[0])
        elif kind == "reorder":
            wb.move_column(args[0], args[1])
    except (UserError, DomainError):
        pass  # a refused command writes nothing; the plan goes on


def naive_flow(source: MetricSource, tz: Any) -> CumulativeFlow | None:
    """Cumulative flow of the first board by a walk over every version (the metric's first form)."""
    as_of = source.moment
    boards = source.versions("boards", float("-inf"), as_of)
    if not boards:
        return None
    board_id = min(boards, key=lambda s: (s.from_t, s.from_pos)).id
    items = source.versions("items", float("-inf"), as_of, grp=board_id)
    start = day_of(items[0].from_t, tz) if items else day_of(
        min(s.from_t for s in [*source.versions("products", float("-inf"), as_of), *boards]), tz)
    where: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    seen: dict[str, str] = {}
    wip = [0]

    def place(walk: Walk, item: Any) -> None:
        old = where.pop(item.id, None)
        if old is not None:
            counts[old[0]] -= 1
            wip[0] -= old[1] == "doing"
        category = walk.category(item)
        if not item.archived or category == "done":
            where[item.id] = (item.status, category)
            counts[item.status] = counts.get(item.status, 0) + 1
            wip[0] += category == "doing"
            seen.setdefault(item.status, category)

    def changed(span: Any, _before: Any, walk: Walk) -> None:
        if span.table == "items":
            place(walk, span.view)
        else:
            for col in span.view.columns:
                seen.setdefault(col["name"], col["category"])
            for item in walk.table("items").values():
                place(walk, item)

    walk = Walk(merged(items, [s for s in boards if s.id == board_id]), changed)
    samples = []
    for day in days(start, day_of(as_of, tz)):
        walk.until(day_end(day, tz))
        samples.append((day, dict(counts), wip[0]))
    board = walk.table("boards").get(board_id) if samples else None
    if board is None:
        return None
    order = board.column_names + [c for c in seen if c not in board.column_names]
    categories = [board.column(c)["category"] if board.column(c) else seen[c] for c in order]
    return CumulativeFlow(board.name, order, categories, [FlowDay(d, [c.get(x, 0) for x in order], w)
                                                          for d, c, w in samples])


def naive_flows(source: MetricSource) -> list[ItemFlow]:
    """Every item's start, finish and reopenings by a walk over every version."""
    progress: dict[str, dict[str, Any]] = {}

    def follow(walk: Walk, item: Any, at: float) -> None:
        flow = progress.setdefault(item.id, {"key": item.key, "created": item.created, "started": None,
                                             "done": None, "reopened": 0, "category": None})
        category = walk.category(item)
        if category != flow["category"]:
            if category == "doing" and flow["started"] is None:
                flow["started"] = at
            if category == "done":
                flow["done"] = at
            elif flow["category"] == "done":
                flow["reopened"] += 1
                flow["done"] = None
            flow["category"] = category
        flow["abandoned"], flow["kind"] = item.archived and category != "done", item.kind

    def changed(span: Any, before: Any, walk: Walk) -> None:
        if span.table == "items":
            follow(walk, span.view, span.from_t)
        elif before is not None:
            for item in walk.table("items").values():
                if item.board_id == span.id and item.id in progress:
                    follow(walk, item, span.from_t)

    items = source.versions("items", float("-inf"), source.moment)
    Walk(merged(items, source.versions("boards", float("-inf"), source.moment)), changed).rest()
    return [ItemFlow(f["key"], f["kind"], f["created"], f["started"], f["done"], f["reopened"], f["abandoned"])
            for f in progress.values()]


def answers(source: MetricSource) -> tuple[Any, ...]:
    return metrics.cumulative_flow(source, UTC), metrics.item_flows(source)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
# Done items archived (still counted), one archived in progress (abandoned), a column added as
# done after an archived item's column was removed (it counts again), a category changed, an
# item started twice (its first start counts), some of it late.
@example([(0, ("add", "story", "Backlog")), (-2, ("move", 1, "Done")), (0, ("archive", 1)),
          (0, ("add", "bug", "In progress")), (-1, ("move", 2, "QA")), (0, ("column", "QA", "doing")),
          (0, ("move", 2, "To do")), (0, ("move", 2, "QA")), (0, ("archive", 2)), (0, ("drop", "QA")), (0, ("column", "QA", "done")),
          (0, ("add", "epic", "To do")), (0, ("move", 3, "Review")), (0, ("drop", "Review")),
          (0, ("column", "Review", "done")), (0, ("restore", 1)), (0, ("move", 1, "In progress")),
          (0, ("move", 1, "Done"))])
def test_flow_metrics_equal_a_naive_walk_of_every_version(steps: list[tuple[int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-flow-") as tmp:
        wb = Workbench(db=str(Path(tmp) / "f.db"), actor="ann")
        wb.init_product("Shop", "PM")
        try:
            for days_back, op in steps:
                if days_back:
                    with wb.recorded_as("ann", datetime.now(UTC) + timedelta(hours=days_back * 6)):
                        run(wb, op)
                else:
                    run(wb, op)
            wb.refresh()
            records = list(wb.records())
            last = records[-1].seq
            clock = datetime.now(UTC).timestamp() + 60
            times = sorted({t for t, _ in effective_order(records)})
            points = [(Point(), FoldedSource(records, as_of=clock))]
            points += [(Point(pos=n), FoldedSource(records, upto=n)) for n in range(1, last + 1, max(1, last // 6))]
            points += [(Point(moment=t), FoldedSource(records, as_of=t)) for t in times[:: max(1, len(times) // 5)]]
            for point, folded in points:
                stored = store_source(wb.read, point, clock)
                reference = (naive_flow(folded, UTC), naive_flows(folded))
                assert answers(folded) == reference, (point.pos, point.moment)
                assert answers(stored) == reference, (point.pos, point.moment)
        finally:
            wb.close()
