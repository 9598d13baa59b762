"""The line-API table: formats only the rows on screen (50,000 rows stay instant), cursor and
paging, multi-select by key that survives new rows."""

from __future__ import annotations

from textual.app import App, ComposeResult

from pmtui.tui.widgets.item_table import Column, ItemTable, _fit

ROWS = 50_000


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.formatted: list[int] = []
        self.activated: list[int] = []

    def cells(self, row: int) -> list[str]:
        self.formatted.append(row)
        return [str(row), f"row number {row}", str(row % 7)]

    def compose(self) -> ComposeResult:
        yield ItemTable([Column("n", "N", 6, "right"), Column("title", "Title"), Column("m", "M", 2)],
                        self.cells, row_key=lambda r: r)

    def on_mount(self) -> None:
        table = self.query_one(ItemTable)
        table.set_rows(list(range(ROWS)))
        table.focus()

    def on_item_table_activated(self, event: ItemTable.Activated) -> None:
        self.activated.append(event.row)


def test_fit_pads_and_cuts_to_the_cell() -> None:
    assert _fit("abc", 5, "left") == "abc  "
    assert _fit("abc", 5, "right") == "  abc"
    assert _fit("abcdefgh", 5, "left") == "abcd…"


async def test_only_visible_rows_are_formatted_at_50k() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(ItemTable)
        await pilot.pause()
        assert app.formatted and max(app.formatted) < 20
        app.formatted.clear()
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor == ROWS - 1
        assert app.formatted and min(app.formatted) >= ROWS - 20 and len(set(app.formatted)) <= 20
        await pilot.press("home", "j", "j", "pagedown")
        assert table.cursor == 2 + table._page


async def test_space_selects_by_key_and_enter_activates() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(ItemTable)
        await pilot.press("space", "j", "space")
        assert table.selected == {0, 2}
        assert table.selected_rows() == [0, 2]
        table.set_rows([5, 4, 3, 2, 1, 0])  # re-sorted: the selection and cursor stay on their keys
        assert table.selected == {0, 2} and table.current_row == 3
        await pilot.press("enter")
        await pilot.pause()
        assert app.activated == [3]


async def test_cursor_and_selection_still_show_with_no_color(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(ItemTable)
        await pilot.press("space")  # row 0 selected, cursor on row 1
        selected_line, cursor_line = table.render_line(1), table.render_line(2)
        assert all(seg.style.underline for seg in selected_line._segments if seg.text.strip())
        assert all(seg.style.reverse for seg in cursor_line._segments)
