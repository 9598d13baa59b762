"""Cycle time, lead time and throughput, reopened and abandoned items included."""

from __future__ import annotations

from datetime import date

import pytest

from projections.metrics import FoldedSource, cumulative_flow, item_flows, percentile, throughput, time_stats
from projections.records import EventRecord
from tests.projections.metrics.conftest import UTC, Story


def step(story: Story, when: str, key: str, column: str) -> None:
    with story.at(when) as wb:
        wb.move_item(key, column)


def tell_cycles(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        for title in ("P", "Q", "R", "S", "T"):
            wb.add_item(title)
    step(story, "2026-03-02 09:00", "SH-1", "In progress")  # P: plain, 2 days of work
    step(story, "2026-03-04 09:00", "SH-1", "Done")
    step(story, "2026-03-02 09:00", "SH-2", "In progress")  # Q: done, reopened, done again
    step(story, "2026-03-03 09:00", "SH-2", "Done")
    step(story, "2026-03-05 09:00", "SH-2", "In progress")
    step(story, "2026-03-05 12:00", "SH-2", "Review")
    step(story, "2026-03-06 09:00", "SH-2", "Done")
    step(story, "2026-03-02 21:00", "SH-3", "Done")  # R: straight to done
    step(story, "2026-03-02 09:00", "SH-4", "In progress")  # S: abandoned
    with story.at("2026-03-03 09:00") as wb:
        wb.archive_item("SH-4")
    step(story, "2026-03-03 09:00", "SH-5", "In progress")  # T: done, then reopened and left open
    step(story, "2026-03-04 09:00", "SH-5", "Done")
    step(story, "2026-03-05 09:00", "SH-5", "To do")


def test_each_item_starts_at_its_first_doing_and_finishes_when_done_stays(story: Story) -> None:
    tell_cycles(story)
    flows = {f.key: f for f in item_flows(FoldedSource(story.records(), story.ts("2026-03-20 00:00")))}
    assert (flows["SH-1"].cycle_days, flows["SH-1"].lead_days, flows["SH-1"].reopened) == (2, 3, 0)
    assert (flows["SH-2"].cycle_days, flows["SH-2"].lead_days, flows["SH-2"].reopened) == (4, 5, 1)
    assert (flows["SH-3"].cycle_days, flows["SH-3"].lead_days) == (None, 1.5)
    assert flows["SH-4"].abandoned
    assert (flows["SH-5"].done, flows["SH-5"].reopened) == (None, 1)


def test_percentiles_and_control_chart(story: Story) -> None:
    tell_cycles(story)
    flows = item_flows(FoldedSource(story.records(), story.ts("2026-03-20 00:00")))
    cycle = time_stats(flows, "cycle", UTC)
    assert [(p.key, p.day, p.days) for p in cycle.points] == [
        ("SH-1", date(2026, 3, 4), 2), ("SH-2", date(2026, 3, 6), 4)]
    assert (cycle.count, cycle.mean, cycle.p50) == (2, 3, 3)
    assert cycle.p85 == pytest.approx(3.7) and cycle.p95 == pytest.approx(3.9)
    lead = time_stats(flows, "lead", UTC)
    assert [p.key for p in lead.points] == ["SH-3", "SH-1", "SH-2"]
    assert (lead.p50, lead.p85, lead.p95) == (3, pytest.approx(4.4), pytest.approx(4.8))


def test_as_of_before_the_reopening_sees_the_first_finish(story: Story) -> None:
    tell_cycles(story)
    flows = {f.key: f for f in item_flows(FoldedSource(story.records(), story.ts("2026-03-04 12:00")))}
    assert (flows["SH-2"].cycle_days, flows["SH-2"].reopened) == (1, 0)
    assert flows["SH-5"].cycle_days == 1


def test_throughput_counts_finishes_per_week_with_empty_weeks(story: Story) -> None:
    tell_cycles(story)
    flows = item_flows(FoldedSource(story.records(), story.ts("2026-03-17 12:00")))
    weeks = throughput(flows, story.ts("2026-03-17 12:00"), UTC)
    assert [(w.week.isoformat(), w.items) for w in weeks] == [
        ("2026-03-02", 3), ("2026-03-09", 0), ("2026-03-16", 0)]


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 95) == 7
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4, 5], 85) == pytest.approx(4.4)


def test_a_column_made_a_done_column_finishes_its_items_then(story: Story) -> None:
    """Hand-made event: the team decides Review counts as done (no command does this today; an
    import or a future command could, and the board's history says when)."""
    with story.at("2026-03-01 09:00") as wb:
        wb.add_item("P")
    step(story, "2026-03-02 09:00", "SH-1", "In progress")
    step(story, "2026-03-03 09:00", "SH-1", "Review")
    records = story.records()
    board = next(iter(story.wb.now.boards.values()))
    columns = [dict(c, category="done") if c["name"] == "Review" else c for c in board.columns]
    edit = EventRecord(seq=records[-1].seq + 1, name="Board.Edited", aggregate_id=board.id, version=99,
                       recorded=story.ts("2026-03-05 09:00"), occurred=story.ts("2026-03-05 09:00"),
                       actor="alice", reason="Review is done for us", data={"changes": {"columns": [board.columns, columns]}})
    (flow,) = item_flows(FoldedSource([*records, edit], story.ts("2026-03-20 00:00")))
    assert (flow.cycle_days, flow.done) == (3, story.ts("2026-03-05 09:00"))
    flow_before = item_flows(FoldedSource([*records, edit], story.ts("2026-03-04 00:00")))[0]
    assert flow_before.done is None
    cfd = cumulative_flow(FoldedSource([*records, edit], story.ts("2026-03-05 12:00")), UTC)
    assert cfd is not None and cfd.categories[cfd.columns.index("Review")] == "done"
    assert [d.wip for d in cfd.days] == [0, 1, 1, 1, 0]  # out of work in progress from 03-05
