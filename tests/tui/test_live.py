"""Live updates: another process's change appears without a keypress."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pmtui.service.workbench import Workbench
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


async def test_a_live_update_keeps_the_footer_and_the_past_still_changes_it(make_app, store):
    """Another session's change redraws the board, not the footer (rebuilding it was most of the
    cost of a redraw, paid by every SSH session on every change); entering the past still takes
    the write keys out of it."""
    from textual.widgets import Footer

    app = make_app(poll=True)
    async with app.run_test(size=(100, 24)) as pilot:
        def footer_actions() -> list[str | None]:
            return [getattr(key, "action", None) for key in app.screen.query_one(Footer).children]

        assert await wait_for(pilot, lambda: "new_card" in footer_actions())  # a loaded machine is slow
        keys_before: list = []
        for _ in range(20):  # the footer settles after start (focus, bindings): take it once it holds
            if keys_before == (keys_before := list(app.screen.query_one(Footer).children)):
                break
            await pilot.pause(0.2)
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "In progress")
        other.close()
        assert await wait_for(pilot, lambda: "AC-36" in column_keys(app.screen, "In progress"))
        await pilot.pause(0.2)
        assert list(app.screen.query_one(Footer).children) == keys_before  # the same widgets
        app.travel_to(AsOf(event=300))
        assert await wait_for(pilot, lambda: "new_card" not in footer_actions())


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


@pytest.mark.postgres
async def test_live_update_on_postgresql():
    from tests.storage.conftest import _connect, postgres_base, postgres_reachable
    from pmtui.tui.app import PmApp
    from tests.tui.conftest import FIXED_NOW

    if not postgres_reachable():
        pytest.skip(f"no PostgreSQL server answers at {postgres_base()}")
    schema = f"pmtui_tui_{uuid.uuid4().hex[:12]}"
    with _connect(postgres_base()) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{postgres_base().split('?', 1)[0]}?schema={schema}"
    try:
        wb = Workbench(db=url, actor="ann")
        wb.init_product("Live", "LV")
        key = wb.add_item("Seen live", status="To do")
        app = PmApp(wb, clock=lambda: FIXED_NOW, poll=True)
        async with app.run_test(size=(80, 24)) as pilot:
            assert key in column_keys(app.screen, "To do")
            other = Workbench(db=url, actor="bob")
            other.move_item(key, "In progress")
            other.close()
            assert await wait_for(pilot, lambda: key in column_keys(app.screen, "In progress"))
        wb.close()
    finally:
        with _connect(postgres_base()) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def test_the_latest_event_seen_in_the_past_stays_put_when_others_write(make_app, store, wb):
    app = make_app(poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.travel_to(AsOf(event=wb.position))  # the last event, as a point in the past
        position = app.ws.position
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "In progress")
        other.close()
        await wait_for(pilot, lambda: wb.now.position > position)
        assert app.ws.position == position and app.ws.item_by_key("AC-36").status == "To do"


async def test_a_slow_store_poll_never_holds_up_keys(make_app, wb):
    """The live poll runs in a worker thread: while it is stuck in the store (here: a data_version
    that waits until released), keys still move the cursor, and the poll's thread is not the UI's."""
    import threading

    from pmtui.tui.screens.board import BoardScreen

    asked_from: list[threading.Thread] = []
    stuck, release = threading.Event(), threading.Event()
    original = wb.log.data_version

    def slow_data_version() -> int:
        asked_from.append(threading.current_thread())
        if len(asked_from) == 2:  # the first look after the baseline gets stuck
            stuck.set()
            release.wait(30)
        return original()

    wb.log.data_version = slow_data_version
    app = make_app(poll=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert await wait_for(pilot, stuck.is_set)
            screen = app.screen
            assert isinstance(screen, BoardScreen)
            before = screen.column
            await pilot.press("l")
            await pilot.pause()
            assert screen.column == before + 1 and not release.is_set()  # handled while the poll is stuck
            assert threading.main_thread() not in asked_from
            release.set()
    finally:
        release.set()


def test_the_watcher_tells_once_until_the_ui_takes_it():
    """Changes that come while the UI has not yet taken the last one are not queued behind it: a
    loaded session folds them all at once when it gets to it, then is told of later ones."""
    import threading

    from pmtui.tui.live import StoreWatch

    version, asked, told = [0], threading.Semaphore(0), threading.Semaphore(0)

    def current() -> int:
        asked.release()
        return version[0]

    watch = StoreWatch(current, told.release, poll=0.001, every=0.0)
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        assert asked.acquire(timeout=10)  # the baseline
        version[0] += 1
        assert told.acquire(timeout=10)
        for _ in range(5):  # more changes while the UI is busy: none told
            version[0] += 1
            assert not told.acquire(timeout=0.02)
        watch.taken()
        assert told.acquire(timeout=10)  # then once for all of them
        assert not told.acquire(timeout=0.2)
    finally:
        watch.taken()
        watch.stop()
        thread.join(10)
    assert not thread.is_alive()


async def test_changes_arriving_together_are_drawn_once(make_app, store, monkeypatch):
    """50 people moving cards are 25 changes a second: a session draws what came within one
    redraw window together, not once per change."""
    from pmtui.tui import live

    monkeypatch.setattr(live, "REDRAW_EVERY", 3.0)
    app = make_app(poll=True)
    async with app.run_test(size=(100, 24)) as pilot:
        draws = []
        original = app.refresh_views
        monkeypatch.setattr(app, "refresh_views", lambda: (draws.append(1), original())[1])
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "In progress")
        assert await wait_for(pilot, lambda: "AC-36" in column_keys(app.screen, "In progress"))
        assert len(draws) == 1
        for status in ("Review", "Done"):  # within the window of the first: drawn at its end, together
            other.move_item("AC-36", status)
        other.close()
        assert await wait_for(pilot, lambda: "AC-36" in column_keys(app.screen, "Done"), tries=200)
        assert len(draws) == 2


async def test_the_grid_repaints_every_line_that_changed_and_only_those(make_app, store, monkeypatch):
    """Cursor steps and others' moves repaint only the lines that changed (Textual is asked for
    those alone); whatever was asked for last, per line, is what a full redraw would show now."""
    from pmtui.tui import live
    from pmtui.tui.widgets.board_grid import BoardGrid

    monkeypatch.setattr(live, "REDRAW_EVERY", 0.0)
    app = make_app(poll=True)
    async with app.run_test(size=(100, 24)) as pilot:
        grid = app.screen.query_one(BoardGrid)
        painted: dict[int, object] = {}  # per line, what Textual was given last: what the terminal shows
        asked: set[int] = set()
        original = grid.render_line

        def render_line(y: int):
            painted[y] = original(y)
            asked.add(y)
            return painted[y]

        monkeypatch.setattr(grid, "render_line", render_line)
        grid.refresh()
        await pilot.pause()

        def up_to_date() -> bool:
            return all(painted.get(y) == grid._draw_line(y) for y in range(grid.size.height))

        assert up_to_date()
        asked.clear()
        await pilot.press("j")
        await pilot.pause()
        assert 0 < len(asked) <= 6  # the two cards the cursor left and reached, not the screen
        assert up_to_date()
        other = Workbench(db=str(store), actor="bob")
        for key, status in (("AC-36", "In progress"), ("AC-36", "Review")):
            other.move_item(key, status)
            assert await wait_for(pilot, lambda: key in column_keys(app.screen, status))
            await pilot.pause()
            assert up_to_date()
        other.close()
        for key in "lljkhh":
            await pilot.press(key)
            await pilot.pause()
            assert up_to_date()


@contextmanager
def watching(watch) -> Iterator[None]:
    """``watch.run()`` on a thread for the block; then stopped (told its change was taken and
    drawn, so that it is not left waiting) and joined."""
    import threading

    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        yield
    finally:
        watch.taken()
        watch.drawn()
        watch.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_a_session_told_by_the_server_asks_the_store_only_once_the_server_is_gone():
    """In an SSH session the server's byte in the pipe is the news (the store is not asked); when
    the server's end closes, the session watches the store itself."""
    import os
    import threading

    from pmtui.tui.live import StoreWatch

    version, asked, told = [0], [0], threading.Semaphore(0)

    def current() -> int:
        asked[0] += 1
        return version[0]

    read, write = os.pipe()
    os.set_blocking(read, False)
    watch = StoreWatch(current, told.release, poll=0.001, every=0.0, signals=read)
    with watching(watch):
        version[0] += 1
        assert not told.acquire(timeout=0.2) and asked[0] == 0  # a change, but no word from the server
        os.write(write, b"x")
        assert told.acquire(timeout=10)
        watch.taken()
        watch.drawn()
        os.close(write)  # the server is gone
        assert not told.acquire(timeout=0.2)
        assert asked[0] >= 1
        version[0] += 1
        assert told.acquire(timeout=10)  # noticed by asking


def test_a_slow_redraw_is_followed_by_as_long_a_rest():
    """A loaded machine makes every redraw slow: the session then redraws less often (at most
    half of its time on others' changes) instead of drawing back to back."""
    import threading
    import time

    from pmtui.tui.live import StoreWatch

    version, told = [0], threading.Semaphore(0)
    watch = StoreWatch(lambda: version[0], told.release, poll=0.001, every=0.0)
    with watching(watch):
        time.sleep(0.05)
        version[0] += 1
        assert told.acquire(timeout=10)
        watch.taken()
        time.sleep(0.5)  # the redraw takes half a second
        watch.drawn()
        drawn = time.monotonic()
        version[0] += 1  # the next change comes at once
        assert told.acquire(timeout=10)
        assert time.monotonic() - drawn >= 0.45  # told only after as long a rest
        assert watch.last_draw >= 0.45
