"""What a key changes is drawn in the key's own frame: a card move or a reorder before its write is
done (and put back, saying why, when the service refuses it), the History's detail with its
cursor, a view switched back to without Textual's hold on updates."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from textual.app import App

from domain.exceptions import DomainError
from pmtui.service.workbench import Workbench
from pmtui.tui.screens.history import HistoryScreen
from tests.tui.helpers import column_keys, messages, put_cursor_on, writes_done


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The writer's moves and reorders wait until the test lets them go (set the event)."""
    gate = threading.Event()
    for name in ("step_item", "rank_item"):
        real = getattr(Workbench, name)

        def waiting(self: Workbench, *args: object, _real=real, **kwargs: object) -> object:
            assert gate.wait(20), "the test never let the write go"
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Workbench, name, waiting)
    yield gate
    gate.set()


async def test_a_move_is_drawn_before_its_write_is_done(make_app, wb, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        put_cursor_on(screen, "AC-36")
        await pilot.press("L")
        await pilot.pause()
        assert app.writer.pending == 1  # still waiting to be written
        assert "AC-36" in column_keys(screen, "In progress") and "AC-36" not in column_keys(screen, "To do")
        assert screen.selected.key == "AC-36" and screen.column_name == "In progress"  # the cursor went with it
        held.set()
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "In progress"
        assert "AC-36" in column_keys(screen, "In progress") and not screen.tentative


async def test_a_move_the_service_refuses_is_put_back_with_its_reason(make_app, wb, store, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        other = Workbench(db=str(store), actor="bo")  # another session fills Review (3/3, hard) meanwhile
        try:
            other.move_item("AC-30", "Review")
        finally:
            other.close()
        put_cursor_on(screen, "AC-32")
        await pilot.press("L")  # the counts shown say 3/3 after it: drawn there, and then refused
        await pilot.pause()
        assert "AC-32" in column_keys(screen, "Review")
        held.set()
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-32").status == "In progress"
        assert "AC-32" in column_keys(screen, "In progress") and "AC-32" not in column_keys(screen, "Review")
        assert screen.selected.key == "AC-32" and not screen.tentative
        refusal = [m for m in messages(app) if m.startswith("Refused")][-1]
        assert "Review is full" in refusal and "hard WIP limit" in refusal and "AC-32 stays in In progress" in refusal


async def test_a_move_past_a_hard_limit_shown_is_not_drawn_and_the_service_says_why(make_app, wb, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        held.set()
        put_cursor_on(screen, "AC-30")
        await pilot.press("L")  # Review 3/3 (a hard limit)
        await writes_done(pilot)
        held.clear()
        put_cursor_on(screen, "AC-32")
        await pilot.press("L")  # 4/3 by the domain's own check on the counts shown: not drawn
        await pilot.pause()
        assert "AC-32" in column_keys(screen, "In progress") and "AC-32" not in column_keys(screen, "Review")
        held.set()
        await writes_done(pilot)  # the service decides all the same, and says why
        assert wb.now.item_by_key("AC-32").status == "In progress"
        refusal = [m for m in messages(app) if m.startswith("Refused")][-1]
        assert "Review is full" in refusal and "hard WIP limit" in refusal


async def test_a_soft_wip_limit_is_said_with_the_move_and_only_once(make_app, wb, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        held.set()
        for key in column_keys(screen, "Backlog")[:2]:  # In progress: 4 of a soft limit of 4
            wb.move_item(key, "In progress")
        screen.refresh_view()
        assert len(column_keys(screen, "In progress")) == 4
        held.clear()
        put_cursor_on(screen, column_keys(screen, "To do")[0])
        await pilot.press("L")
        await pilot.pause()
        assert app.writer.pending == 1
        said = [m for m in messages(app) if m.startswith("WIP limit")]
        assert len(said) == 1 and "over its WIP limit of 4" in said[0]  # the domain's words, before the write
        held.set()
        await writes_done(pilot)
        assert [m for m in messages(app) if m.startswith("WIP limit")] == said  # not said again


async def test_two_quick_moves_are_drawn_one_after_the_other_and_end_where_the_store_has_them(make_app, wb, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        put_cursor_on(screen, "AC-36")
        await pilot.press("L", "H", "L")
        await pilot.pause()
        assert "AC-36" in column_keys(screen, "In progress") and "AC-36" not in column_keys(screen, "To do")
        held.set()
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "In progress"
        assert column_keys(screen, "In progress").count("AC-36") == 1 and "AC-36" not in column_keys(screen, "To do")


async def test_a_card_reordered_on_the_board_is_drawn_before_its_write_is_done(make_app, wb, held):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        first, second = column_keys(screen, "Backlog")[:2]
        put_cursor_on(screen, second)
        await pilot.press("K")
        await pilot.pause()
        assert column_keys(screen, "Backlog")[:2] == [second, first] and screen.selected.key == second
        held.set()
        await writes_done(pilot)
        assert column_keys(screen, "Backlog")[:2] == [second, first]
        assert wb.now.item_by_key(second).rank < wb.now.item_by_key(first).rank


def backlog_keys(screen) -> list[str]:
    return [row.key for row in screen.rows[:4]]


async def test_a_backlog_reorder_is_drawn_before_its_write_is_done(make_app, wb, held):
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.apply_filter("kind:bug")
        await pilot.pause()
        first, second = backlog_keys(screen)[:2]
        await pilot.press("J")
        await pilot.pause()
        assert app.writer.pending == 1
        assert backlog_keys(screen)[:2] == [second, first] and screen.current_item().key == first
        held.set()
        await writes_done(pilot)
        assert backlog_keys(screen)[:2] == [second, first] and screen.current_item().key == first
        assert wb.item(second).rank < wb.item(first).rank


async def test_a_refused_backlog_reorder_puts_the_row_back_and_says_why(make_app, wb, monkeypatch):
    def refuse(self: Workbench, key: str, *args: object, **kwargs: object) -> None:
        raise DomainError(f"{key} is pinned")

    monkeypatch.setattr(Workbench, "rank_item", refuse)
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.apply_filter("kind:bug")
        await pilot.pause()
        first, second = backlog_keys(screen)[:2]
        await pilot.press("J")
        await writes_done(pilot)
        assert backlog_keys(screen)[:2] == [first, second] and screen.current_item().key == first
        refusal = [m for m in messages(app) if m.startswith("Refused")][-1]
        assert f"{first} is pinned" in refusal and f"{first} stays where it was" in refusal


async def test_the_history_detail_follows_the_cursor_as_it_moves(make_app):
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        screen.table.action_cursor(1)  # no message handled in between: drawn in the cursor's frame
        detail = str(screen.query_one("#history-detail").render())
        assert detail.startswith(f"#{screen.table.current_row} ")


async def test_a_view_switched_back_to_is_shown_without_holding_updates(make_app, monkeypatch):
    app = make_app()
    held: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        real = App.delay_update  # Textual's

        def spy(self, delay: float = 0.05) -> None:
            held.append(self.current_mode)
            real(self, delay)

        monkeypatch.setattr(App, "delay_update", spy)
        await pilot.press("3")  # built now: Textual masks the new screen composing
        await pilot.pause()
        await pilot.press("1")  # kept: shown at once
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert app.current_mode == "backlog" and len(held) == 1
