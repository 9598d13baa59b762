"""The TUI follows the user's settings: the configured theme (a light one reads well too) and
the [keys] table handed to Textual's keymap."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from pmtui import config
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.tui import app as tui_app
from pmtui.tui.app import PmApp, apply_user_settings
from tests.tui.views_support import frozen_app, frozen_demo_template  # noqa: F401


def test_the_config_theme_and_keys_reach_the_app(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('theme = "textual-light"\nweek_start = "sunday"\n[keys]\n"board.move-left" = "ctrl+h"\nquit = "ctrl+q,f10"\n')
    monkeypatch.setenv("PMTUI_CONFIG", str(conf))
    monkeypatch.delenv("PMTUI_THEME", raising=False)
    settings = config.load({})
    started: list[PmApp] = []

    def run(self: PmApp, **_: Any) -> int:  # stands in for the terminal: keep the app as it would start
        started.append(self)
        return 0

    monkeypatch.setattr(tui_app, "require_terminal", lambda: None)
    monkeypatch.setattr(PmApp, "run", run)
    wb = Workbench(db=str(store), actor="alice")
    try:
        args = argparse.Namespace(view="board", theme=settings.get("theme"), settings=settings)
        assert tui_app.run_app(wb, args) == 0
    finally:
        wb.close()
    (app,) = started
    assert app.theme == "textual-light"
    assert app._keymap == {"board.move-left": "ctrl+h", "quit": "ctrl+q,f10"}
    assert app.week_start == 6


def test_check_theme_names_the_known_ones() -> None:
    tui_app.check_theme("textual-light")
    tui_app.check_theme(None)
    with pytest.raises(UserError, match="theme 'dark-ish' is not a Textual theme.*nord"):
        tui_app.check_theme("dark-ish")


def test_an_unknown_theme_is_one_clear_error(store: Path) -> None:
    wb = Workbench(db=str(store), actor="alice")
    try:
        app = PmApp(wb, poll=False)
        with pytest.raises(UserError, match="theme 'no-such-theme' is not a Textual theme.*textual-light"):
            apply_user_settings(app, "no-such-theme", None)
    finally:
        wb.close()


async def test_a_keymap_rebinds_a_binding_by_its_id(store: Path) -> None:
    """Textual's keymap, as pmtui hands it over, moves a binding with an id to the new key."""
    from textual.binding import Binding

    class Probe(PmApp):
        BINDINGS = [*PmApp.BINDINGS, Binding("f7", "bell_rung", "Ring", id="probe.ring")]
        rung = 0

        def action_bell_rung(self) -> None:
            self.rung += 1

    wb = Workbench(db=str(store), actor="alice")
    try:
        app = Probe(wb, poll=False)
        apply_user_settings(app, None, {"probe.ring": "f8"})
        async with app.run_test() as pilot:
            await pilot.press("f7")
            assert app.rung == 0
            await pilot.press("f8")
            assert app.rung == 1
    finally:
        wb.close()


def test_snapshot_board_in_a_light_theme(snap_compare, frozen_app) -> None:  # noqa: F811
    app = frozen_app("board")
    apply_user_settings(app, "textual-light", None)
    assert snap_compare(app, terminal_size=(120, 32))
