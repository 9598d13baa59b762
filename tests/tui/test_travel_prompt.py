"""Time travel's "As of when?" is asked in the view, not in a dialog screen: the view stays on
screen as it was (no dimmed copy drawn under a dialog), the view's and the app's keys stay out of
the question's way, Esc or the focus leaving cancels, and opening and closing it redraws neither
the board's lines nor the footer's keys when they did not change."""

from __future__ import annotations

from textual.widgets import Footer, Input

from pmtui.tui.screens.board import BoardScreen
from pmtui.tui.widgets.board_grid import BoardGrid
from pmtui.tui.widgets.footer import ViewFooter
from tests.tui.helpers import type_text


async def test_t_asks_in_the_view_and_the_answer_travels(make_app) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen
        await pilot.press("t")
        assert app.screen is view and view.asking()  # no new screen
        assert isinstance(app.focused, Input) and app.focused.id == "line-prompt-answer"
        await type_text(pilot, "#40")
        await pilot.press("enter")
        await pilot.pause()
        assert app.read_only and app.ws.position == 40
        assert not view.asking() and isinstance(app.focused, BoardGrid)


async def test_the_views_and_apps_keys_are_off_while_it_asks(make_app, wb) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen
        position = wb.position
        await pilot.press("t", "shift+right", "ctrl+r", "2", "q")
        await pilot.pause()
        assert app.screen is view and view.asking() and app.current_mode == "board"
        assert view.query_one("#line-prompt-answer", Input).value == "2q"  # text, not view switch nor quit
        assert wb.log.max_seq() == position  # shift+right moved no card
        await pilot.press("escape")
        await pilot.pause()
        assert not view.asking() and not app.read_only and isinstance(app.focused, BoardGrid)
        await pilot.press("2")
        assert app.current_mode == "sprint"  # the keys are back


async def test_the_focus_leaving_the_question_cancels_it(make_app) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen
        await pilot.press("t")
        view.query_one(BoardGrid).focus()
        await pilot.pause()
        assert not view.asking() and not app.read_only
        assert not view.query_one("#line-prompt").display


async def test_opening_and_closing_it_keeps_the_boards_lines_and_the_footers_keys(make_app) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen
        assert isinstance(view, BoardScreen)
        grid = view.query_one(BoardGrid)
        footer = view.query_one(Footer)
        assert isinstance(footer, ViewFooter)
        keys_before = list(footer.children)
        drawn: list[int] = []
        draw = grid._draw_line
        grid._draw_line = lambda y, width=None: drawn.append(y) or draw(y, width)  # type: ignore[method-assign]
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert drawn == []  # the focus went and came back: no line of the board drawn again
        assert list(footer.children) == keys_before  # the same keys: the footer was not rebuilt


async def test_a_theme_change_still_redraws_the_board_in_the_new_colours(make_app) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        grid = app.screen.query_one(BoardGrid)
        before = grid.render_line(3)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert grid.render_line(3) != before
