"""History view: newest first, filters (item, actor, kind, time), Enter opens the item, lazy
reading of the log; snapshots at 80x24 and 160x48."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from projections.versions import effective_order
from pmtui.timespec import AsOf
from pmtui.tui.history_source import HistoryFilter, HistorySource, parse_filter
from pmtui.tui.modals.item import ItemModal
from pmtui.tui.screens.history import HistoryScreen
from tests.tui.conftest import FIXED_NOW
from tests.tui.views_support import frozen_app, frozen_demo_template, type_text  # noqa: F401


async def test_newest_first_and_read_lazily(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)):
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert len(screen.rows) == wb.position
        shown = [screen.entry(seq) for seq in list(screen.rows)[:40]]
        assert [(e.occurred, e.seq) for e in shown] == sorted(((e.occurred, e.seq) for e in shown), reverse=True)
        # Only a window around the screen was read from the log, not the whole of it.
        assert screen.source is not None and len(screen.source._cache) < 150 < len(screen.rows)


async def test_filter_by_actor_and_kind(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("slash")
        await type_text(pilot, "actor:bob kind:Moved")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        entries = [screen.entry(seq) for seq in screen.rows]
        expected = [r.seq for r in wb.records() if r.actor == "bob" and r.name == "WorkItem.Moved"]
        assert entries and sorted(e.seq for e in entries) == expected
        assert "filter: actor:bob kind:Moved" in str(screen.query_one("#history-status").render())


async def test_filter_by_item_and_time_and_enter_opens_the_item(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        item = wb.item("AC-31")
        assert screen.apply_filter("item:AC-31 since:-30d")
        await pilot.pause()
        cutoff = FIXED_NOW.timestamp() - 30 * 86400
        expected = sorted(r.seq for r in wb.records_of(item.id) if r.occurred >= cutoff)
        assert expected and sorted(screen.rows) == expected
        assert len(expected) < len(wb.records_of(item.id))  # its older events are left out
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == "AC-31"


async def test_a_bad_filter_is_one_line_not_a_crash(make_app) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        count = len(screen.rows)
        await pilot.press("slash")
        await type_text(pilot, "colour:red")
        await pilot.press("enter")
        error = screen.query_one("#history-error")
        assert error.has_class("shown") and "unknown filter 'colour:red'" in str(error.render())
        assert len(screen.rows) == count


async def test_time_travel_shows_only_what_had_happened(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        point = wb.read.seqs()[100]
        app.travel_to(AsOf(event=point, text=f"#{point}"))
        await pilot.pause()
        assert len(app.screen.rows) == 101 and max(app.screen.rows) == point


def test_filter_words(wb: Workbench) -> None:
    wanted = parse_filter("actor:bob kind:Moved since:-7d", wb.now, FIXED_NOW)
    assert (wanted.actor, wanted.kind, wanted.since) == ("bob", "Moved", FIXED_NOW.timestamp() - 7 * 86400)
    assert parse_filter("", wb.now).empty


def test_actor_kind_and_window_filters_match_the_log(wb: Workbench) -> None:
    source = HistorySource(wb)
    records = list(wb.records())
    order = source.order(wb.now, None, HistoryFilter(actor="METRICS-BOT"))
    assert sorted(order) == [r.seq for r in records if r.actor == "metrics-bot"]
    order = source.order(wb.now, None, HistoryFilter(kind="moved"))
    assert sorted(order) == [r.seq for r in records if "moved" in r.name.lower()]
    timed = effective_order(records)  # when each event took effect (a late one: with its item)
    middle = timed[len(timed) // 2][0]
    order = source.order(wb.now, None, HistoryFilter(since=middle))
    assert set(order) == {r.seq for t, r in timed if t >= middle}


def test_snapshot_history_80x24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("history"), terminal_size=(80, 24), press=["j", "j"])


def test_snapshot_history_160x48(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("history"), terminal_size=(160, 48))


async def test_time_travel_to_a_moment(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        moment = FIXED_NOW.timestamp() - 14 * 86400
        app.travel_to(AsOf(moment=moment, text="-14d"))
        await pilot.pause()
        expected = sorted(r.seq for r in wb.records() if r.occurred <= moment)
        assert expected and sorted(app.screen.rows) == expected


async def test_enter_on_a_roadmap_decision_shows_it_on_the_roadmap(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert screen.apply_filter("kind:Decided")
        await app.workers.wait_for_complete()
        await pilot.pause()
        decided = screen.current_entry()
        assert decided is not None and decided.event == "RoadmapItem.Decided"
        await pilot.press("enter")
        await pilot.pause()
        roadmap = app.screen
        assert roadmap.mode == "roadmap" and roadmap.current_item().id == decided.aggregate_id


async def test_events_are_named_as_a_pm_says_them(make_app, wb: Workbench) -> None:
    """A title edit reads "Title changed" in the Event column and the detail, never WorkItem.Edited."""
    key = next(i.key for i in wb.now.items.values() if i.kind != "epic" and not i.archived and i.status != "Done")
    wb.edit_item(key, title="A clearer title")
    wb.move_item(key, "Done")
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.pause()
        moved, edited = screen.rows[0], screen.rows[1]
        assert screen._cells(moved)[2] == "Moved" and screen._cells(edited)[2] == "Title changed"
        detail = str(screen.query_one("#history-detail").render())
        assert "Moved · " + key in detail and "WorkItem" not in detail
        await pilot.press("j")
        detail = str(screen.query_one("#history-detail").render())
        assert "Title changed · " + key in detail and "title: " in detail and "WorkItem" not in detail
