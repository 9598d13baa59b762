"""Empty states: every view that can be empty says so and names the key that creates the first
thing; viewers and the past are told what is true, never offered a key that would be refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from pmtui.tui.app import PmApp
from pmtui.tui.widgets.board_grid import HEADER_LINES, BoardGrid
from tests.tui.conftest import FIXED_NOW


@pytest.fixture
def empty_wb(tmp_path: Path) -> Iterator[Workbench]:
    bench = Workbench(db=str(tmp_path / "empty.db"), actor="ann")
    bench.init_product("Shop", "SH")
    yield bench
    bench.close()


def shown(app: PmApp) -> str:
    """The words of every empty line on the screen: tables' empty texts, the board's, the bars."""
    screen = app.screen
    parts: list[str] = []
    for table in screen.query("ItemTable"):
        if not table.rows:
            parts.append(table.empty_text)
    for grid in screen.query(BoardGrid):
        parts.extend(grid.render_line(y).text for y in range(HEADER_LINES + 2))
    for static in screen.query("Static"):
        parts.append(str(static.render()))
    return "\n".join(parts)


VIEWS = [("1", "No cards on this board yet: n adds the first"), ("2", "No sprint yet: P plans the first"),
         ("3", "No open, unplanned items: n adds one"), ("4", "No roadmap items yet: n proposes the first"),
         ("5", "No objectives yet: n adds the first"), ("6", "No KPIs yet: N defines the first"),
         ("8", "No customer feedback yet: n records the first"), ("9", "No documents yet: n writes the first")]


async def test_each_empty_view_names_the_key_that_creates_the_first_thing(empty_wb: Workbench) -> None:
    app = PmApp(empty_wb, mode="board", clock=lambda: FIXED_NOW, poll=False)
    async with app.run_test(size=(120, 30)) as pilot:
        for digit, line in VIEWS:
            await pilot.press(digit)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert line in shown(app), f"view {digit}"


async def test_the_past_and_viewers_are_not_offered_a_key(empty_wb: Workbench) -> None:
    empty_wb.role = "viewer"
    app = PmApp(empty_wb, mode="board", clock=lambda: FIXED_NOW, poll=False)
    async with app.run_test(size=(120, 30)) as pilot:
        for digit, line in VIEWS:
            await pilot.press(digit)
            await app.workers.wait_for_complete()
            await pilot.pause()
            fact = line.split(":")[0] + (" ·" if digit == "6" else ".")  # the dashboard's is in its status bar
            assert fact in shown(app) and line not in shown(app), f"view {digit}"
    empty_wb.role = "admin"
    app = PmApp(empty_wb, mode="okrs", clock=lambda: FIXED_NOW, poll=False)
    async with app.run_test(size=(120, 30)) as pilot:
        app.travel_to(AsOf(moment=(FIXED_NOW - timedelta(days=400)).timestamp(), text="-400d"))
        await pilot.pause()
        assert "No objectives yet at this point in time (t returns to now)." in shown(app)
