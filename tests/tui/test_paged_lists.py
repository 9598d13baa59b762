"""The Backlog and History views page their rows from the store (pmtui/store/backlog_pages.py,
pmtui/store/log_pages.py): what they show equals the whole answer read at once, now, as of event
numbers and moments, step by step in time travel and after another session's change; and only
the pages painted are read."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import BacklogRows
from pmtui.store.log_pages import LogPages
from pmtui.timespec import AsOf
from pmtui.tui.screens.backlog import BacklogScreen, tree_rows
from pmtui.tui.screens.history import HistoryScreen
from projections.backlog_view import backlog
from projections.state import Workspace
from tests.tui.conftest import FIXED_NOW


def unpaged(ws: Workspace, query: str = "is:backlog") -> list[str]:
    """The backlog's rows as the view drew them from every item in memory (epics and children)."""
    rows, _, _ = tree_rows(backlog(ws.copy() if hasattr(ws, "copy") else ws, query, "rank", me="tester"), set())
    return [i.key for i in rows]


def keys(screen: BacklogScreen) -> list[str]:
    return [i.key for i in screen.table.rows]


async def test_the_backlog_pages_equal_every_item_sorted_now_and_in_the_past(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        rows = screen.table.rows
        assert isinstance(rows, BacklogRows)  # entries; the views read by id when painted
        assert keys(screen) == unpaged(wb.now)
        await pilot.press("a")
        assert keys(screen) == unpaged(wb.now, "")
        await pilot.press("a")
        middle = wb.position // 2
        app.travel_to(AsOf(event=middle, text=f"#{middle}"))
        await pilot.pause()
        for _ in range(6):  # time travel's steps: each moved on from the last by what it touched
            assert keys(screen) == unpaged(app.ws), app.ws.position
            await pilot.press("left_square_bracket")
            await pilot.pause()
        moment = FIXED_NOW.timestamp() - 20 * 86400
        app.travel_to(AsOf(moment=moment, text="-20d"))
        await pilot.pause()
        for _ in range(3):
            assert keys(screen) == unpaged(app.ws)
            await pilot.press("left_curly_bracket")
            await pilot.pause()
        app.return_to_now()
        await pilot.pause()
        assert keys(screen) == unpaged(wb.now)


async def test_the_backlog_follows_another_sessions_change(make_app, wb: Workbench, store) -> None:
    app = make_app("backlog")
    other = Workbench(db=str(store), actor="bob")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            before = keys(screen)
            other.rank_item(before[-1], "top")  # bob ranks the last open item to the top
            other.add_item("A new idea from bob")
            app.check_for_changes()
            await pilot.pause()
            assert keys(screen) == unpaged(wb.now) != before
            assert keys(screen)[0] == before[-1]
    finally:
        other.close()


async def test_the_history_pages_equal_the_whole_log_now_and_in_the_past(make_app, wb: Workbench) -> None:
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and isinstance(screen.rows, LogPages)
        assert len(screen.rows.pages) <= 2  # the window painted, not the log
        assert list(screen.rows) == wb.read.log_order(wb.position)
        point = wb.position * 2 // 3
        app.travel_to(AsOf(event=point, text=f"#{point}"))
        await pilot.pause()
        for _ in range(3):
            assert list(screen.rows) == wb.read.log_order(app.ws.position)
            await pilot.press("left_square_bracket")
            await pilot.pause()
        app.return_to_now()
        await pilot.pause()
        assert list(screen.rows) == wb.read.log_order(wb.position)
        moment = FIXED_NOW.timestamp() - 10 * 86400
        app.travel_to(AsOf(moment=moment, text="-10d"))
        await pilot.pause()
        for _ in range(3):  # a day back at a time: each count moved on from the last
            assert list(screen.rows) == wb.read.log_order(app.ws.position, app.as_of.moment)
            await pilot.press("left_curly_bracket")
            await pilot.pause()
        app.travel_to(AsOf(moment=moment, text="-10d"))
        await pilot.pause()
        assert screen.apply_filter("kind:Moved")
        await pilot.pause()
        assert list(screen.rows) == wb.read.log_order(app.ws.position, moment, kind="Moved")
