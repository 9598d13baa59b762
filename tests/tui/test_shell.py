"""The shell around the views: digits switch views, ? lists the keys that work now, the palette
offers every action, undo/redo, the footer fits 80 columns, run_tui's options."""

from __future__ import annotations

import argparse

from textual.widgets import Footer

from pmtui.tui.app import PmApp, run_tui
from pmtui.tui.modals.help import HelpModal, binding_rows
from pmtui.tui.modals.sprint_plan import PlanSprintModal
from pmtui.tui.screens.board import BoardScreen
from pmtui.tui.screens.sprint import SprintScreen
from tests.tui.helpers import messages, palette_shows_first, put_cursor_on, type_text, writes_done


async def test_digits_switch_views(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        assert isinstance(app.screen, SprintScreen)
        await pilot.press("1")
        assert isinstance(app.screen, BoardScreen)


async def test_help_lists_the_keys_of_the_current_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = dict((description, keys) for keys, description in binding_rows(app.screen))
        assert rows["Move the card one column left"].startswith("H")
        assert "t" in rows["Time travel: show the past (t again returns to now)"]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpModal)
        await pilot.press("q")  # closes the help, does not quit
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("2", "question_mark")
        descriptions = [d for _, d in app.screen.rows]
        assert any("Plan a new sprint" in d for d in descriptions)
        assert any("Replay a closed sprint" in d for d in descriptions)


async def test_palette_runs_a_view_action(make_app):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "plan a sprint")
        await palette_shows_first(pilot, app, "Plan a new sprint")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlanSprintModal)


async def test_palette_lists_views_and_time_travel(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "View: Sprint" in titles and "Board: New card in this column" in titles
        assert any(t.startswith("Time travel: show the past") for t in titles)


async def test_undo_and_redo_a_move(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("L", "u")  # u at once: it waits for the move, then undoes it
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "To do"
        assert app.screen.column_name == "To do"  # the cursor followed the card back
        await pilot.press("ctrl+r")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "In progress"


async def test_footer_fits_80_columns(make_app):
    for mode in ("board", "sprint"):
        app = make_app(mode)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            used = sum(child.outer_size.width for child in footer.children)
            assert used <= 80, (mode, used)


def test_run_tui_opens_the_store_and_honours_no_mouse(store, monkeypatch):
    seen = {}

    def fake_run(self, **options):
        seen.update(options, wb=self.wb.location.describe(), mode=self.first_mode)
        return 0

    monkeypatch.setattr(PmApp, "run", fake_run)
    monkeypatch.setattr("pmtui.tui.app.is_terminal", lambda: True)  # pytest's stdout is not a terminal
    args = argparse.Namespace(db=str(store), actor="ann", no_mouse=True)
    assert run_tui(args) == 0
    assert seen["mouse"] is False and str(store) in seen["wb"] and seen["mode"] == "board"


def test_pmtui_tui_starts_on_a_view_in_the_past(store, monkeypatch):
    from pmtui.cli import main
    seen = {}

    def fake_run(self, **options):
        seen.update(options, mode=self.first_mode, start=self.start_at)
        return 0

    monkeypatch.setattr(PmApp, "run", fake_run)
    monkeypatch.setattr("pmtui.tui.app.is_terminal", lambda: True)
    assert main(["--no-mouse", "tui", "--db", str(store), "--view", "sprint", "--as-of", "#300"]) == 0
    assert seen["mouse"] is False and seen["mode"] == "sprint" and seen["start"].event == 300


def test_without_a_terminal_the_tui_refuses_on_one_line_and_writes_nothing(tmp_path, capsys):
    from pmtui.cli import main
    db = tmp_path / "empty.db"
    assert main(["--db", str(db)]) == 2  # pytest's stdin and stdout are not terminals
    err = capsys.readouterr().err
    assert err.startswith("pmtui: the TUI needs a terminal") and err.count("\n") == 1
    assert not db.exists()  # no demo was written into the store
    assert main(["tui", "--db", str(db)]) == 2


def test_pmtui_tui_with_a_bad_point_is_one_line_and_exit_2(store, capsys):
    from pmtui.cli import main
    assert main(["tui", "--db", str(store), "--as-of", "last tuesday"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pmtui: cannot read the time") and err.count("\n") == 1


async def test_start_in_the_past(wb):
    from pmtui.timespec import AsOf
    from tests.tui.conftest import FIXED_NOW
    app = PmApp(wb, clock=lambda: FIXED_NOW, poll=False, start_at=AsOf(event=300, text="#300"))
    async with app.run_test(size=(80, 24)):
        assert app.read_only and app.ws.position == 300
        assert app.screen.query_one("#travel-banner").display


async def test_app_keys_do_nothing_under_a_dialog(make_app, wb):
    from pmtui.tui.modals.prompt import ConfirmModal
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("2", "t", "q", "u")
        assert isinstance(app.screen, ConfirmModal) and app.is_running and not app.read_only
        await pilot.press("n")
        assert isinstance(app.screen, BoardScreen) and not wb.now.item_by_key("AC-36").archived


async def test_help_scrolls_with_the_keyboard(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        from textual.containers import VerticalScroll
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0


async def test_no_color_draws_every_view_of_mine(wb, monkeypatch):
    from tests.tui.conftest import FIXED_NOW
    monkeypatch.setenv("NO_COLOR", "1")
    for mode in ("board", "sprint"):
        app = PmApp(wb, mode=mode, clock=lambda: FIXED_NOW, poll=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("j", "l", "s")
            await pilot.pause()
            assert app.is_running and app.screen.query_one("#board-grid")


async def test_the_mode_bar_shows_every_view_at_80_columns(make_app):
    """At 80 columns the full labels do not fit: the other views are shortened, every digit stays."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("#mode-bar")
        text = bar.render()
        assert text.cell_len <= 80
        assert "1 Board" in text.plain and all(f"{digit} " in text.plain for digit in "123456789")
    wide = make_app()
    async with wide.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "8 Feedback" in wide.screen.query_one("#mode-bar").render().plain
