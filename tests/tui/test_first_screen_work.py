"""What a first screen does, counted (not timed): every SSH session pays it as it logs in, so
work done twice, or done again for nothing, is 50 times too much at 9:00. Each test fails if
the work it counts comes back: a blank default screen built before the view, the footer's keys
rebuilt when its keys did not change, stylesheets parsed again in a process that parsed them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import textual.css.stylesheet as textual_stylesheet
from textual.widgets._footer import FooterKey

from pmtui.ssh import warmup
from pmtui.tui import css_memo
from pmtui.tui.app import PmApp


async def test_the_app_starts_in_its_first_view_without_a_default_screen(
        make_app: Callable[..., PmApp], monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    monkeypatch.setattr(PmApp, "get_default_screen", lambda self: built.append(self) or None)
    app = make_app("board")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.current_mode == "board"
        assert [type(s).__name__ for s in app.screen_stack] == ["BoardScreen"]
        await pilot.press("3")  # the other views are still there
        await pilot.pause()
        assert app.current_mode == "backlog"
    assert built == []  # Textual's blank screen (and a whole stylesheet pass for it) never made


async def test_the_footer_keys_are_built_compact_and_kept_while_they_do_not_change(
        make_app: Callable[..., PmApp]) -> None:
    app = make_app("board")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert keys and all(key.has_class("-compact") for key in keys)
        for _ in range(3):  # a redraw, a cursor step: the same keys
            app.screen.refresh_bindings()
            app.refresh_views()
            await pilot.press("j")
            await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys
        assert all(a is b for a, b in zip(app.screen.query(FooterKey), keys))
        await pilot.press("3")  # another view, other keys: built for it
        await pilot.pause()
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert shown and all(key.has_class("-compact") for key in app.screen.query(FooterKey))


async def test_a_second_app_in_the_process_parses_no_stylesheet(
        make_app: Callable[..., PmApp], monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_app("board")
    async with first.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
    assert css_memo.entries() > 0
    parsed: list[object] = []
    real_parse = textual_stylesheet.parse

    def counting(*args: object, **kwargs: object) -> object:
        parsed.append(args[2])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    second = make_app("board")
    async with second.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert second.screen.query(FooterKey)
    assert parsed == []


def test_the_zygote_warm_up_leaves_parsed_css_and_no_thread_or_store(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(css_memo, "_parsed", {})
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    threads = set(threading.enumerate())
    warmup.draw_first_screen()
    assert css_memo.entries() > 0
    assert set(threading.enumerate()) <= threads
    assert list(tmp_path.iterdir()) == []  # its throwaway store is gone


async def test_an_ssh_session_builds_the_words_index_when_the_palette_opens_not_at_login(
        make_app: Callable[..., PmApp], monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.command import CommandPalette

    from pmtui.service import search

    monkeypatch.setenv("PMTUI_SSH_SESSION", "1")
    monkeypatch.setattr(search, "_state", None)
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert search._state is None  # ~20 MB per session on a 10k-item store: not for nothing
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await app.workers.wait_for_complete()
        assert search._state is not None and search._state.place == (app.wb.read, app.ws.position)
