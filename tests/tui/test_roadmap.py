"""Roadmap view: lanes, moving an item between horizons with a reason (then in the decision log
and in History), the quarter timeline; snapshots at 80x24 and 160x48."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from pmtui.tui.modals.fields_form import FieldsForm
from pmtui.tui.screens.history import HistoryScreen
from pmtui.tui.screens.roadmap import NO_REASON, RoadmapScreen
from projections.roadmap_view import decisions
from tests.tui.helpers import writes_done
from tests.tui.views_support import frozen_app, frozen_demo_template, type_text  # noqa: F401


def lane_titles(screen: RoadmapScreen, lane: int) -> list[str]:
    return [r.title for r in screen.tables()[lane].rows]


async def test_lanes_show_now_next_later(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)):
        screen = app.screen
        assert isinstance(screen, RoadmapScreen)
        for lane, horizon in enumerate(("now", "next", "later")):
            expected = sorted((r for r in wb.now.roadmap.values() if r.horizon == horizon), key=lambda r: r.number)
            assert lane_titles(screen, lane) == [r.title for r in expected]


async def test_move_an_item_with_a_reason_then_it_is_in_the_log_and_history(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("l")  # the Next lane
        item = screen.current_item()
        assert item is not None and item.horizon == "next"
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        await type_text(pilot, "the board approved it")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.roadmap[item.id].horizon == "now"
        last = decisions(wb.records_of(item.id), item.id)[-1]
        assert last.reason == "the board approved it" and last.changes["horizon"] == ["next", "now"]
        assert item.title in lane_titles(screen, 0)
        assert screen.current_item().id == item.id  # the cursor followed it into Now
        detail = str(screen.query_one("#roadmap-detail").render())
        assert "horizon next → now — the board approved it" in detail

        await pilot.press("7")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        newest = history.current_entry()
        assert newest is not None
        assert newest.event == "RoadmapItem.Decided" and newest.reason == "the board approved it"
        assert "the board approved it" in str(history.query_one("#history-detail").render())


async def test_an_empty_reason_is_refused_and_nothing_moves(make_app, wb: Workbench) -> None:
    # A roadmap decision says why (a rule of the domain, whatever the entry point).
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        item = screen.current_item()
        before = wb.log.max_seq()
        await pilot.press("L", "enter")
        await pilot.pause()
        wb.refresh()
        assert wb.now.roadmap[item.id].horizon == "now" and wb.log.max_seq() == before


async def test_cancel_moves_nothing_and_the_edge_lane_says_so(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        position = wb.now.position
        await pilot.press("H")  # Now is the first horizon
        await pilot.pause()
        assert app.screen is not None and not isinstance(app.screen, FieldsForm)
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert wb.now.position == position


async def test_decide_form_changes_status_and_timeframe(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("l", "l")  # Later
        item = screen.current_item()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "2027-Q3")
        await pilot.press("tab", "ctrl+a", "ctrl+k")
        await type_text(pilot, "planned")
        await pilot.press("tab", "tab")
        await type_text(pilot, "capacity freed up")
        await pilot.press("enter")
        await writes_done(pilot)
        after = wb.now.roadmap[item.id]
        assert (after.timeframe, after.status) == ("2027-Q3", "planned")
        assert decisions(wb.records_of(item.id), item.id)[-1].reason == "capacity freed up"


async def test_quarter_timeline_groups_by_quarter(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("v")
        table = screen.timeline_table
        assert table.has_focus and screen.has_class("timeline")
        quarters = [quarter for quarter, _ in table.rows if quarter]
        assert quarters == sorted(q for q in quarters if q != "unscheduled") + (
            ["unscheduled"] if "unscheduled" in quarters else [])
        assert len(table.rows) == len(wb.now.roadmap)


async def test_moves_are_refused_in_the_past(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        app.travel_to(AsOf(event=wb.now.position - 50, text="past"))
        await pilot.pause()
        position = wb.now.position
        await pilot.press("L")
        await pilot.pause()
        assert not isinstance(app.screen, FieldsForm)
        assert wb.now.position == position


def test_snapshot_roadmap_80x24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("roadmap"), terminal_size=(80, 24))


def test_snapshot_roadmap_160x48(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("roadmap"), terminal_size=(160, 48), press=["l"])


def test_snapshot_roadmap_timeline_80x24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("roadmap"), terminal_size=(80, 24), press=["v"])
