"""The palette's words index is built before the first key: in a worker when the app starts, and
for the workspace on show (the past while time travelling) when the palette opens; what another
session or the user writes meanwhile is found on the next key."""

from __future__ import annotations

from textual.command import CommandPalette

from pmtui.service import search
from pmtui.service.workbench import Workbench
from pmtui.tui.modals.item import ItemModal
from pmtui.timespec import parse_as_of
from tests.tui.helpers import type_text


async def test_the_index_is_built_after_the_first_frame_without_a_key(make_app) -> None:
    search._state = None
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert search._state is not None and search._state.place == (app.wb.read, app.ws.position)


async def test_opening_the_palette_in_the_past_builds_the_past_index(make_app) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        app.travel_to(parse_as_of("#40"))
        await pilot.pause()
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await app.workers.wait_for_complete()
        assert search._state is not None and search._state.place == (app.wb.read, 40)


async def test_an_item_another_session_adds_is_found_on_the_next_key(make_app, store) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        other = Workbench(db=str(store), actor="bo")  # another session, its own connection
        try:
            key = other.add_item("Quokka onboarding flow")
        finally:
            other.close()
        app.check_for_changes()
        await pilot.press("ctrl+p")
        await type_text(pilot, "quokka")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == key
