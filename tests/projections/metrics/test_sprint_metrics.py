"""Burndown, burnup and velocity on a sprint whose every day is known."""

from __future__ import annotations

from datetime import date

from projections.metrics import FoldedSource, sprint_series, velocity
from tests.projections.metrics.conftest import UTC, Story


def sprint_id(story: Story, name: str) -> str:
    return story.wb.sprint(name).id


def tell_sprint_one(story: Story) -> None:
    """S1 runs 03-02..03-06 with A(3) B(5) C(8); D(2) joins, B is re-estimated, C leaves, A is
    reopened, D is archived; closed late on 03-07 with A carried; A finishes after the close."""
    with story.at("2026-03-01 09:00") as wb:
        for title, points in (("A", 3), ("B", 5), ("C", 8), ("E", 5)):
            wb.add_item(title, points=points)
        wb.plan_sprint("S1", start="2026-03-02", end="2026-03-06")
        wb.add_to_sprint("S1", ["SH-1", "SH-2", "SH-3"])
    with story.at("2026-03-02 09:00") as wb:
        wb.start_sprint("S1")
    with story.at("2026-03-02 15:00") as wb:
        wb.move_item("SH-1", "In progress")
    with story.at("2026-03-02 17:00") as wb:
        wb.move_item("SH-1", "Done")
    with story.at("2026-03-03 10:00") as wb:
        wb.add_item("D", points=2)
        wb.add_to_sprint("S1", ["SH-5"])
    with story.at("2026-03-04 10:00") as wb:
        wb.edit_item("SH-2", points=3)
    with story.at("2026-03-04 11:00") as wb:
        wb.remove_from_sprint(["SH-3"])
    # 03-05: nothing happens.
    with story.at("2026-03-06 10:00") as wb:
        wb.move_item("SH-1", "In progress")
    with story.at("2026-03-06 12:00") as wb:
        wb.archive_item("SH-5")
    with story.at("2026-03-06 13:00") as wb:
        wb.move_item("SH-2", "Done")
    with story.at("2026-03-07 09:00") as wb:
        wb.close_sprint("S1", carry_to="backlog")
    with story.at("2026-03-07 10:00") as wb:
        wb.move_item("SH-1", "Done")
        wb.edit_item("SH-2", points=13)  # re-estimated after the close: history must not change


def test_burndown_follows_every_day_of_the_sprint(story: Story) -> None:
    tell_sprint_one(story)
    series = sprint_series(FoldedSource(story.records(), story.ts("2026-03-20 00:00")), sprint_id(story, "S1"), UTC)
    assert series is not None
    assert series.committed == 16
    rows = [(d.day.isoformat(), d.remaining, d.done, d.scope) for d in series.days]
    assert rows == [
        ("2026-03-02", 13, 3, 16),  # A done on the first day
        ("2026-03-03", 15, 3, 18),  # D (2) added
        ("2026-03-04", 5, 3, 8),  # B 5 -> 3, C (8) removed
        ("2026-03-05", 5, 3, 8),  # a day with no events repeats the last state
        ("2026-03-06", 3, 3, 6),  # A reopened (+3), D archived (-2), B done (-3)
        ("2026-03-07", 3, 3, 6),  # closed late: the series ends at the close, before A finishes
    ]
    assert [d.ideal for d in series.days] == [16, 12, 8, 4, 0, 0]
    assert [(c.day.isoformat(), c.key, c.kind, c.points) for c in series.changes] == [
        ("2026-03-03", "SH-5", "added", 2),
        ("2026-03-04", "SH-2", "estimated", -2),
        ("2026-03-04", "SH-3", "removed", -8),
        ("2026-03-06", "SH-5", "removed", -2),
    ]
    assert series.sprint.state == "closed"


def test_burndown_as_of_mid_sprint_is_the_prefix_of_the_full_one(story: Story) -> None:
    tell_sprint_one(story)
    records = story.records()
    full = sprint_series(FoldedSource(records, story.ts("2026-03-20 00:00")), sprint_id(story, "S1"), UTC)
    early = sprint_series(FoldedSource(records, story.ts("2026-03-04 10:30")), sprint_id(story, "S1"), UTC)
    assert full is not None and early is not None
    assert early.sprint.state == "active"
    assert [d.day for d in early.days] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert early.days[:2] == full.days[:2]
    assert (early.days[2].remaining, early.days[2].scope) == (13, 16)  # re-estimated, C not yet removed
    assert len(early.changes) == 2
    assert sprint_series(FoldedSource(records, story.ts("2026-03-02 08:00")), sprint_id(story, "S1"), UTC) is None


def test_burnup_counts_items_when_nothing_is_estimated(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        wb.add_item("x")
        wb.add_item("y")
        wb.plan_sprint("Unestimated", start="2026-03-02", end="2026-03-03")
        wb.add_to_sprint("Unestimated", ["SH-1", "SH-2"])
    with story.at("2026-03-02 09:00") as wb:
        wb.start_sprint("Unestimated")
    with story.at("2026-03-03 09:00") as wb:
        wb.move_item("SH-1", "Done")
    series = sprint_series(FoldedSource(story.records(), story.ts("2026-03-10 00:00")), sprint_id(story, "Unestimated"), UTC)
    assert series is not None and not series.has_points
    assert [(d.remaining_items, d.done_items, d.remaining) for d in series.days] == [(2, 0, 0), (1, 1, 0)]


def test_velocity_is_committed_and_completed_at_each_close_with_a_rolling_average(story: Story) -> None:
    tell_sprint_one(story)
    with story.at("2026-03-08 09:00") as wb:
        wb.plan_sprint("S2", start="2026-03-09", end="2026-03-13")
        wb.add_to_sprint("S2", ["SH-4"])
    with story.at("2026-03-09 09:00") as wb:
        wb.start_sprint("S2")
    with story.at("2026-03-10 09:00") as wb:
        wb.move_item("SH-4", "Done")
    with story.at("2026-03-11 09:00") as wb:
        wb.close_sprint("S2")
    rows = velocity(FoldedSource(story.records(), story.ts("2026-03-20 00:00")), window=3)
    assert [(r.sprint, r.committed, r.completed, r.completed_items, r.rolling) for r in rows] == [
        ("S1", 16, 3, 1, 3),  # B at 3 points when S1 closed (its later re-estimate to 13 is ignored)
        ("S2", 5, 5, 1, 4),
    ]
    assert [r.sprint for r in velocity(FoldedSource(story.records(), story.ts("2026-03-10 00:00")))] == ["S1"]


def test_items_moved_between_sprints_leave_one_scope_and_join_the_next(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        wb.add_item("A", points=3)
        wb.add_item("B", points=5)
        wb.plan_sprint("S1", start="2026-03-02", end="2026-03-06")
        wb.plan_sprint("S2", start="2026-03-09", end="2026-03-13")
        wb.add_to_sprint("S1", ["SH-1", "SH-2"])
    with story.at("2026-03-02 09:00") as wb:
        wb.start_sprint("S1")
    with story.at("2026-03-03 09:00") as wb:
        wb.add_to_sprint("S2", ["SH-2"])  # pulled out of the running sprint into the next
    with story.at("2026-03-06 17:00") as wb:
        wb.close_sprint("S1", carry_to="next")  # A was not finished
    with story.at("2026-03-09 09:00") as wb:
        wb.start_sprint("S2")
    records, end = story.records(), story.ts("2026-03-20 00:00")
    first = sprint_series(FoldedSource(records, end), sprint_id(story, "S1"), UTC)
    second = sprint_series(FoldedSource(records, end), sprint_id(story, "S2"), UTC)
    assert first is not None and second is not None
    assert [(c.key, c.kind, c.points) for c in first.changes] == [("SH-2", "removed", -5)]
    assert [d.remaining for d in first.days] == [8, 3, 3, 3, 3]
    assert first.sprint.carried == [story.wb.item("SH-1").id]
    assert second.committed == 8 and second.days[0].remaining == 8 and second.changes == []
    (row,) = velocity(FoldedSource(records, end))
    assert (row.sprint, row.committed, row.completed) == ("S1", 8, 0)


def test_an_event_dated_before_its_aggregates_previous_one_keeps_their_order(story: Story) -> None:
    """A careless import: the close says it happened before the start. The sprint's own events keep
    their order (the close is taken to happen with the start), rather than the close being lost."""
    with story.at("2026-03-01 09:00") as wb:
        wb.add_item("A", points=3)
        wb.plan_sprint("S1", start="2026-03-02", end="2026-03-06")
        wb.add_to_sprint("S1", ["SH-1"])
    with story.at("2026-03-02 09:00") as wb:
        wb.start_sprint("S1")
        wb.move_item("SH-1", "Done")
    with story.at("2026-02-20 09:00") as wb:
        wb.close_sprint("S1")
    records, end = story.records(), story.ts("2026-03-20 00:00")
    (row,) = velocity(FoldedSource(records, end))
    assert (row.sprint, row.closed, row.completed) == ("S1", story.ts("2026-03-02 09:00"), 3)
    series = sprint_series(FoldedSource(records, end), sprint_id(story, "S1"), UTC)
    assert series is not None and series.sprint.state == "closed"
    assert [(d.day, d.done) for d in series.days] == [(date(2026, 3, 2), 3)]
    assert velocity(FoldedSource(records, story.ts("2026-03-01 00:00"))) == []
