"""Cumulative flow and WIP: items per column at the end of each local day."""

from __future__ import annotations

from projections.metrics import FoldedSource, cumulative_flow
from tests.projections.metrics.conftest import BERLIN, UTC, Story


def tell_flow(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        for title in ("X", "Y", "Z"):
            wb.add_item(title)
    with story.at("2026-03-02 10:00") as wb:
        wb.move_item("SH-1", "In progress")
    with story.at("2026-03-02 23:30") as wb:  # 00:30 on 03-03 in Berlin
        wb.move_item("SH-1", "Done")
    # 03-03: nothing happens.
    with story.at("2026-03-04 10:00") as wb:
        wb.move_item("SH-2", "In progress")
    with story.at("2026-03-04 11:00") as wb:
        wb.archive_item("SH-2")  # abandoned: leaves the chart
    with story.at("2026-03-04 12:00") as wb:
        wb.archive_item("SH-1")  # tidied away when done: still delivered


def test_cumulative_flow_counts_each_column_at_the_end_of_each_day(story: Story) -> None:
    tell_flow(story)
    flow = cumulative_flow(FoldedSource(story.records(), story.ts("2026-03-05 12:00")), UTC)
    assert flow is not None
    assert flow.columns == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert flow.categories == ["todo", "todo", "doing", "doing", "done"]
    assert [(d.day.isoformat(), d.counts, d.wip) for d in flow.days] == [
        ("2026-03-01", [3, 0, 0, 0, 0], 0),
        ("2026-03-02", [2, 0, 0, 0, 1], 0),
        ("2026-03-03", [2, 0, 0, 0, 1], 0),
        ("2026-03-04", [1, 0, 0, 0, 1], 0),
        ("2026-03-05", [1, 0, 0, 0, 1], 0),
    ]
    assert flow.series("Done") == [0, 1, 1, 1, 1]


def test_days_are_local_days(story: Story) -> None:
    tell_flow(story)
    flow = cumulative_flow(FoldedSource(story.records(), story.ts("2026-03-05 12:00")), BERLIN)
    assert flow is not None
    assert [(d.day.isoformat(), d.counts, d.wip) for d in flow.days][:3] == [
        ("2026-03-01", [3, 0, 0, 0, 0], 0),
        ("2026-03-02", [2, 0, 1, 0, 0], 1),  # in Berlin, X was still in progress at midnight
        ("2026-03-03", [2, 0, 0, 0, 1], 0),
    ]


def test_as_of_cuts_the_flow(story: Story) -> None:
    tell_flow(story)
    flow = cumulative_flow(FoldedSource(story.records(), story.ts("2026-03-02 12:00")), UTC)
    assert flow is not None
    assert [(d.day.isoformat(), d.counts, d.wip) for d in flow.days] == [
        ("2026-03-01", [3, 0, 0, 0, 0], 0),
        ("2026-03-02", [2, 0, 1, 0, 0], 1),
    ]
    assert cumulative_flow(FoldedSource(story.records(), story.ts("2026-02-01 00:00")), UTC) is None
