"""A table that renders only the rows on screen (Textual's line API), so 50,000 rows stay instant.

DataTable and ListView build a widget or a cached line per row; this table keeps a plain sequence
of row objects and a ``cells(row)`` function that formats a row only when its line is painted.
A sequence may be lazy (the history and the backlog page their rows in from the store on demand):
such rows may offer ``place(key)`` (a row's index) and ``ids`` (every row's key), which spare
reading every row to find one.

It owns the cursor, scrolling and multi-select (by row key, so a selection survives re-sorting and
refreshing). Sorting, filtering and folding are the screen's business: it hands over rows in the
order to show and tells the table which column is sorted, for the header's arrow.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

# A cell is plain text, or text with a Rich style string ("red", "bold green", "dim").
Cell = str | tuple[str, str]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 0  # 0: takes the width left over (shared by every such column)
    align: str = "left"  # or "right"
    min_width: int = 8  # for flexible columns


_PLAIN, _REVERSE, _UNDERLINE = Style(), Style(reverse=True), Style(underline=True, bold=True)


def identity(row: Any) -> Any:
    """The row key of rows that are their own keys (event numbers): lookups then run in C."""
    return row


@lru_cache(maxsize=256)
def _style(text: str) -> Style:
    return Style.parse(text) if text else Style.null()


def _fit(text: str, width: int, align: str) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells (cut text ends with an ellipsis)."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


class ItemTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows with a header, a cursor and a multi-selection; only visible lines are formatted."""

    # Not the scroll bindings of ScrollView: left/right belong to the screen (lanes, folding).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="table.cursor.forward"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="table.cursor.back"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.page.forward"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page.back"),
        Binding("home,g", "jump(0)", "First", show=False, id="table.jump.0"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="table.jump.back"),
        Binding("space", "toggle_select", "Select", show=False, id="table.toggle_select"),
        Binding("enter", "activate", "Open", show=False, id="table.activate"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-table--header", "item-table--cursor", "item-table--selected", "item-table--empty",
    }
    DEFAULT_CSS = """
    ItemTable { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    ItemTable > .item-table--header { text-style: bold; background: $panel; }
    ItemTable > .item-table--cursor { background: $accent 40%; }
    ItemTable:focus > .item-table--cursor { background: $accent; color: $text; }
    ItemTable > .item-table--selected { color: $warning; text-style: bold; }
    ItemTable > .item-table--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=False, layout=False, repaint=False)

    class CursorMoved(Message):
        def __init__(self, table: ItemTable, index: int, row: Any) -> None:
            super().__init__()
            self.table, self.index, self.row = table, index, row

    class Activated(Message):
        """Enter on a row."""

        def __init__(self, table: ItemTable, index: int, row: Any) -> None:
            super().__init__()
            self.table, self.index, self.row = table, index, row

    def __init__(self, columns: Sequence[Column], cells: Callable[[Any], Sequence[Cell]],
                 row_key: Callable[[Any], Hashable] = id, empty_text: str = "Nothing to show.",
                 selectable: bool = True, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[Column] = list(columns)
        self.cells = cells
        self.row_key = row_key
        self.empty_text = empty_text
        self.selectable = selectable
        self.rows: Sequence[Any] = []
        self.selected: set[Hashable] = set()
        self.sort_key: str | None = None
        self.sort_descending = False
        self._widths: list[int] = []
        self._widths_for = -1
        self._paint_styles: dict[str, Style] | None = None
        self._paint_base = Style()

    # Data ------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any], keep_cursor: bool = True) -> None:
        """Show ``rows``; the cursor stays on the same row (by key) when it is still there."""
        current = self.current_key if keep_cursor else None
        self.rows = rows
        self.virtual_size = Size(0, len(rows) + 1)
        index = 0
        if current is not None:
            index = self.index_of(current, near=self.cursor)
            if index < 0:
                index = min(self.cursor, max(0, len(rows) - 1))
        self.set_cursor(index, announce=True, force=True)
        self.refresh()

    def swap_rows(self, rows: Sequence[Any], one: int, other: int) -> None:
        """Show ``rows``: the rows shown with ``one`` and ``other`` swapped; the cursor goes with
        its row, and only the two lines are painted again."""
        self.rows = rows
        self._refresh_row(one)
        self._refresh_row(other)
        if self.cursor in (one, other):
            self.set_cursor(other if self.cursor == one else one)

    def index_of(self, key: Hashable, near: int = 0) -> int:
        """The index of the row with ``key``: looked for around ``near`` (where it usually is),
        then in one pass over all rows (in C when rows are their own keys)."""
        rows, row_key = self.rows, self.row_key
        place = getattr(rows, "place", None)
        if place is not None:  # paged rows know their keys' places without reading the rows
            return place(key, near)
        count = len(rows)
        for distance in range(min(count, 64)):
            for index in (near + distance, near - distance - 1):
                if 0 <= index < count and row_key(rows[index]) == key:
                    return index
        if row_key is identity:
            try:
                return rows.index(key)  # type: ignore[attr-defined]
            except (ValueError, AttributeError):
                return -1
        return next((n for n, row in enumerate(rows) if row_key(row) == key), -1)

    @property
    def current_row(self) -> Any | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_key(self) -> Hashable | None:
        row = self.current_row
        return None if row is None else self.row_key(row)

    def selected_rows(self) -> list[Any]:
        """The selected rows in table order; just the cursor's row when nothing is selected."""
        if not self.selected:
            row = self.current_row
            return [] if row is None else [row]
        ids = getattr(self.rows, "ids", None)
        if ids is not None:  # paged rows: only the selected ones are read
            return [self.rows[n] for n, key in enumerate(ids) if key in self.selected]
        return [row for row in self.rows if self.row_key(row) in self.selected]

    def clear_selection(self) -> None:
        self.selected.clear()
        self.refresh()

    def set_sort(self, key: str | None, descending: bool = False) -> None:
        self.sort_key, self.sort_descending = key, descending
        self.refresh_lines(self.scroll_offset.y, 1)

    # Cursor ----------------------------------------------------------------------------------
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def set_cursor(self, index: int, announce: bool = True, force: bool = False) -> None:
        count = len(self.rows)
        index = max(0, min(index, count - 1)) if count else 0
        old = self.cursor
        if index == old and not force:
            return
        self.cursor = index
        self._scroll_cursor_into_view()
        self._refresh_row(old)
        self._refresh_row(index)
        if announce:
            self.post_message(self.CursorMoved(self, index, self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        page = self._page
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        # Row n is painted on content line n + 1 (line 0 is the header, which does not scroll).
        self.refresh_lines(index + 1, 1)

    def action_cursor(self, step: int) -> None:
        self.set_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.set_cursor(self.cursor + direction * self._page)

    def action_jump(self, index: int) -> None:
        self.set_cursor(index if index >= 0 else len(self.rows) - 1)

    def action_toggle_select(self) -> None:
        key = self.current_key
        if key is None or not self.selectable:
            return
        self.selected.symmetric_difference_update({key})
        self._refresh_row(self.cursor)
        self.set_cursor(self.cursor + 1, force=True)

    def action_activate(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Activated(self, self.cursor, row))

    def on_click(self, event: Any) -> None:
        index = round(self.scroll_offset.y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self.rows):
            if index == self.cursor and getattr(event, "chain", 1) >= 2:
                self.action_activate()
            self.set_cursor(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.rows) + 1)
        self._widths_for = -1

    # Rendering -------------------------------------------------------------------------------
    def _column_widths(self, width: int) -> list[int]:
        if width == self._widths_for:
            return self._widths
        gaps = len(self.columns) - 1
        fixed = sum(c.width for c in self.columns if c.width) + gaps
        flexible = [c for c in self.columns if not c.width]
        spare = max(0, width - fixed)
        share = spare // len(flexible) if flexible else 0
        widths = [c.width or max(min(c.min_width, spare), share) for c in self.columns]
        if flexible:  # the last flexible column takes the remainder
            last = max(n for n, c in enumerate(self.columns) if not c.width)
            widths[last] += spare - share * len(flexible)
        self._widths, self._widths_for = widths, width
        return widths

    def _line(self, cells: Sequence[Cell], widths: list[int], base: Style, width: int) -> Strip:
        # Runs of cells in the same style become one segment: fewer segments, faster paints.
        segments: list[Segment] = []
        run: list[str] = []
        run_style = base
        used = 0
        for n, (column, cell_width) in enumerate(zip(self.columns, widths, strict=False)):
            if used >= width:
                break
            cell_width = min(cell_width, width - used)
            cell = cells[n] if n < len(cells) else ""
            text, style_text = (cell, "") if isinstance(cell, str) else cell
            style = base + _style(style_text) if style_text else base
            if style != run_style:
                if run:
                    segments.append(Segment("".join(run), run_style))
                run, run_style = [], style
            run.append(_fit(text, cell_width, column.align))
            used += cell_width
            if used < width:
                if run_style != base:
                    segments.append(Segment("".join(run), run_style))
                    run, run_style = [], base
                run.append(" ")
                used += 1
        if used < width:
            if run_style != base:
                segments.append(Segment("".join(run), run_style))
                run, run_style = [], base
            run.append(" " * (width - used))
        if run:
            segments.append(Segment("".join(run), run_style))
        return Strip(segments, width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looking styles up costs more than formatting a row: do it once per paint, not per line.
        self._paint_styles = {name: self.get_component_rich_style(f"item-table--{name}")
                              for name in ("header", "cursor", "selected", "empty")}
        self._paint_base = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = None

    def _component(self, name: str) -> Style:
        styles = self._paint_styles
        return styles[name] if styles is not None else self.get_component_rich_style(f"item-table--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._column_widths(width)
        base = self._paint_base if self._paint_styles is not None else self.rich_style
        if y == 0:
            labels = [
                c.label + (("▼" if self.sort_descending else "▲") if c.key == self.sort_key else "")
                for c in self.columns
            ]
            return self._line(labels, widths, base + self._component("header"), width)
        index = round(self.scroll_offset.y) + y - 1
        if not self.rows:
            if y == 1:
                style = base + self._component("empty")
                return Strip([Segment(_fit(" " + self.empty_text, width, "left"), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        no_color = getattr(self.app, "no_color", False)  # NO_COLOR: colours are dropped; keep the marks
        if self.row_key(row) in self.selected:
            style = style + self._component("selected") + (_UNDERLINE if no_color else _PLAIN)
        if index == self.cursor:
            style = style + self._component("cursor") + (_REVERSE if no_color else _PLAIN)
        return self._line(self.cells(row), widths, style, width)
