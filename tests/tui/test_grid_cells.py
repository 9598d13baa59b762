"""The board grid draws a card's lines once and reuses them while the card is unchanged, also
when a live redraw hands it new objects for the same cards (a changed column's page read again)."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from pmtui.tui.app import PmApp
from pmtui.tui.widgets.board_grid import HEADER_LINES, BoardGrid, Lane, Layout


async def test_equal_cards_from_a_new_read_are_not_drawn_again(make_app: Callable[..., PmApp]) -> None:
    app = make_app("board")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        grid = app.screen.query_one(BoardGrid)
        assert grid.grid is not None
        width = grid.column_width()
        lines = range(HEADER_LINES, grid.size.height)
        before = {(col, y): grid._body(col, y - HEADER_LINES, width) for col in range(len(grid.grid.columns))
                  for y in lines}
        # The same cards as new objects, as a live redraw reads them from the store.
        lane = grid.grid.lanes[0]
        fresh = [[msgspec.structs.replace(card) for card in cards[:12]] for cards in lane.cards]
        assert fresh[0] and fresh[0][0] is not lane.cards[0][0] and fresh[0][0] == lane.cards[0][0]
        grid.show(Layout(grid.grid.columns, [Lane("", fresh, card_height=lane.card_height)]),
                  grid.cursor_column, grid.cursor_index, grid.read_only)
        drawn = 0
        real = grid._segments

        def counting(*args: object) -> object:
            nonlocal drawn
            drawn += 1
            return real(*args)  # type: ignore[arg-type]

        grid._segments = counting  # type: ignore[method-assign]
        after = {key: grid._body(key[0], key[1] - HEADER_LINES, width) for key in before}
        assert drawn == 0
        assert all(after[key] is before[key] for key in before)
        # A card that did change is drawn again.
        changed = msgspec.structs.replace(fresh[0][0], title=fresh[0][0].title + " (edited)")
        fresh[0][0] = changed
        assert grid._body(0, 1, width) is not before[(0, HEADER_LINES + 1)]
        assert drawn == 1


async def test_a_change_in_one_column_repaints_only_that_column(make_app: Callable[..., PmApp]) -> None:
    """Another session's move shifts one column's cards: Textual is asked to repaint (and send
    the terminal) that column's cells only, not whole lines."""
    from textual.geometry import Region

    app = make_app("board")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        grid = app.screen.query_one(BoardGrid)
        assert grid.grid is not None
        lane = grid.grid.lanes[0]
        column = next(n for n, cards in enumerate(lane.cards) if len(cards) > 1 and n != grid.cursor_column)
        cards = [list(c) if n == column else c for n, c in enumerate(lane.cards)]
        cards[column] = cards[column][1:]  # its top card left: the others shift up a slot
        grid.show(Layout(grid.grid.columns, [Lane("", cards, card_height=lane.card_height)]),
                  grid.cursor_column, grid.cursor_index, grid.read_only)
        asked: list[Region] = []
        grid.refresh = lambda *regions, **kwargs: asked.extend(regions)  # type: ignore[method-assign]
        grid._repaint_changed_lines()
        step = grid.column_width() + 1
        assert asked, "nothing repainted"
        assert all(r.x >= column * step and r.right <= (column + 1) * step for r in asked), asked
