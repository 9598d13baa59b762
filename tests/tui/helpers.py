"""Small helpers for driving the TUI in tests."""

from __future__ import annotations

from textual.pilot import Pilot

from pmtui.tui.app import PmApp
from pmtui.tui.screens.board import BoardScreen


def messages(app: PmApp) -> list[str]:
    """Every notification shown so far (title and message)."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def put_cursor_on(screen: BoardScreen, key: str) -> None:
    screen.refresh_view(follow=key)
    assert screen.selected is not None and screen.selected.key == key, f"{key} is not on this board"


async def type_text(pilot: Pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


def column_keys(screen: BoardScreen, column: str) -> list[str]:
    assert screen.grid_layout is not None
    names = [c.name for c in screen.grid_layout.columns]
    return [card.key for card in screen.grid_layout.column_cards(names.index(column))]


async def writes_done(pilot: Pilot, tries: int = 400) -> None:
    """Wait (bounded) until the background writer has run every queued command and the app has
    taken in their outcome: card moves and ranks are written off the UI thread."""
    app: PmApp = pilot.app  # type: ignore[assignment]
    for _ in range(tries):
        if app.writer.pending == 0:
            break
        await pilot.pause(0.01)
    assert app.writer.pending == 0, "the background writer did not finish"
    await pilot.pause()


async def palette_shows_first(pilot, app, words: str, timeout: float = 10.0) -> None:  # noqa: ANN001
    """Wait until the command palette's highlighted hit holds ``words``: its providers answer in
    their own time, and a fixed pause ended too early in a loaded full run (Enter took the hit
    listed first by then)."""
    import asyncio

    from textual.command import CommandList

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = app.screen.query(CommandList)
        if found:
            commands = found.first()
            index = commands.highlighted
            if index is not None and words.lower() in str(commands.get_option_at_index(index).prompt).lower():
                return
        await pilot.pause(0.05)
