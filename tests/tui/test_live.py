"""Live updates: another process's change appears without a keypress."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from pmtui.service import Workbench
from pmtui.timespec import AsOf
from tests.tui.helpers import column_keys, put_cursor_on


async def wait_for(pilot, condition, tries: int = 60) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_change_by_another_workbench_appears(make_app, store):
    app = make_app(poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "AC-36" in column_keys(app.screen, "To do")
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "In progress")
        other.close()
        assert await wait_for(pilot, lambda: "AC-36" in column_keys(app.screen, "In progress"))


async def test_change_by_the_cli_in_another_process_appears(make_app, store):
    app = make_app(poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pmtui.cli", "item", "move", "AC-36", "Review", "--db", str(store),
            "--actor", "carol", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = await process.communicate()
        assert process.returncode == 0, err
        assert await wait_for(pilot, lambda: "AC-36" in column_keys(app.screen, "Review"))
        assert app.screen.selected.key == "AC-36"  # the cursor stays with the card


async def test_no_redraw_when_nothing_changed(make_app):
    app = make_app(poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        assert app.check_for_changes() is False


async def test_live_changes_wait_while_travelling(make_app, store, wb):
    app = make_app(poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.travel_to(AsOf(event=300))
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "In progress")
        other.close()
        await wait_for(pilot, lambda: wb.now.item_by_key("AC-36").status == "In progress")
        assert app.ws.position == 300  # the past stays put
        await pilot.press("t")
        assert "AC-36" in column_keys(app.screen, "In progress")
