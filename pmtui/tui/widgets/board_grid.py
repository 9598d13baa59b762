"""The Kanban grid: columns side by side with their cards, drawn line by line.

Only the lines on screen are built, so a column of thousands of cards costs what a screenful
costs. Columns keep a readable minimum width; when they do not all fit (80 columns), the grid
scrolls sideways to keep the cursor's column in view and shows ◀ ▶ where more columns hide.
Swimlanes split the grid into horizontal bands with a header line each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from projections.board_view import BoardSnapshot, ColumnView
from projections.state import ItemView

MIN_COLUMN_WIDTH = 24
HEADER_LINES = 2
KIND_MARK = {"story": "◆", "bug": "✖", "task": "■", "spike": "◇", "epic": "★"}


@dataclass
class Lane:
    name: str  # "" when swimlanes are off (no lane header)
    cards: list[list[ItemView]]  # per column
    top: int = 0  # first line of the lane in the scrolled body
    card_height: int = 3

    @property
    def slots(self) -> int:
        return max((len(c) for c in self.cards), default=0)

    @property
    def height(self) -> int:
        header = 1 if self.name else 0
        return header + max(self.slots, 1 if self.name else 0) * self.card_height


@dataclass
class Layout:
    columns: list[ColumnView]
    lanes: list[Lane] = field(default_factory=list)

    def column_cards(self, col: int) -> list[ItemView]:
        """A column's cards in the order the cursor walks them (lane by lane)."""
        return [card for lane in self.lanes for card in lane.cards[col]]

    @property
    def height(self) -> int:
        return sum(lane.height for lane in self.lanes)


def layout(snapshot: BoardSnapshot, lanes_by: str, card_height: int) -> Layout:
    columns = snapshot.columns
    result = Layout(columns)
    if lanes_by == "none":
        result.lanes = [Lane("", [list(c.cards) for c in columns], card_height=card_height)]
    else:
        names: list[str] = []
        grouped: dict[str, list[list[ItemView]]] = {}
        from projections.board_view import lane_of
        for index, column in enumerate(columns):
            for card in column.cards:
                name = lane_of(card, lanes_by, snapshot.epic_titles)
                if name not in grouped:
                    grouped[name] = [[] for _ in columns]
                    names.append(name)
                grouped[name][index].append(card)
        names.sort(key=lambda s: (s.startswith("("), s.lower()))
        result.lanes = [Lane(name, grouped[name], card_height=card_height) for name in names]
    top = 0
    for lane in result.lanes:
        lane.top = top
        top += lane.height
    return result


class BoardGrid(Widget, can_focus=True):
    """Draws the board; the screen owns the cursor (column, card index) and tells the grid."""

    class CardClicked(Message):
        def __init__(self, column: int, index: int) -> None:
            super().__init__()
            self.column = column
            self.index = index

    DEFAULT_CSS = """
    BoardGrid { height: 1fr; width: 1fr; }
    """

    COMPONENT_CLASSES = {"boardgrid--header", "boardgrid--breach", "boardgrid--card", "boardgrid--cursor",
                         "boardgrid--lane", "boardgrid--muted"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid: Layout | None = None
        self.cursor_column = 0
        self.cursor_index = 0
        self.first_column = 0
        self.scroll_line = 0
        self.read_only = False

    # Data --------------------------------------------------------------------------------------
    def show(self, grid: Layout, cursor_column: int, cursor_index: int, read_only: bool) -> None:
        self.grid, self.cursor_column, self.cursor_index, self.read_only = grid, cursor_column, cursor_index, read_only
        self._keep_cursor_in_view()
        self.refresh()

    def visible_columns(self) -> int:
        if self.grid is None or not self.grid.columns:
            return 1
        return max(1, min(len(self.grid.columns), self.size.width // MIN_COLUMN_WIDTH))

    def column_width(self) -> int:
        shown = self.visible_columns()
        return max(8, (self.size.width - (shown - 1)) // shown)

    def cursor_line(self) -> tuple[int, int] | None:
        """(first, last) body line of the cursor's card."""
        if self.grid is None:
            return None
        remaining = self.cursor_index
        for lane in self.grid.lanes:
            cards = lane.cards[self.cursor_column] if self.cursor_column < len(lane.cards) else []
            if remaining < len(cards):
                first = lane.top + (1 if lane.name else 0) + remaining * lane.card_height
                return first, first + lane.card_height - 1
            remaining -= len(cards)
        return None

    def _keep_cursor_in_view(self) -> None:
        if self.grid is None:
            return
        shown = self.visible_columns()
        if self.cursor_column < self.first_column:
            self.first_column = self.cursor_column
        elif self.cursor_column >= self.first_column + shown:
            self.first_column = self.cursor_column - shown + 1
        self.first_column = max(0, min(self.first_column, max(0, len(self.grid.columns) - shown)))
        body = max(1, self.size.height - HEADER_LINES)
        span = self.cursor_line()
        if span is not None:
            first, last = span
            lane_top = next((lane.top for lane in self.grid.lanes if lane.top <= first < lane.top + lane.height), 0)
            if first < self.scroll_line:
                self.scroll_line = lane_top if first - lane_top <= 1 else first
            elif last >= self.scroll_line + body:
                # Scroll by whole cards (counted from the lane's first card): no half card on top.
                cards_top = lane_top + (1 if self.grid.lanes and self.grid.lanes[0].name else 0)
                height = self.grid.lanes[0].card_height if self.grid.lanes else 1
                wanted = last - body + 1
                self.scroll_line = min(first, cards_top + -(-(wanted - cards_top) // height) * height)
        self.scroll_line = max(0, min(self.scroll_line, max(0, self.grid.height - body)))

    def on_resize(self) -> None:
        self._keep_cursor_in_view()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # Drawing -----------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.grid is None or not self.grid.columns:
            text = Text(" No board yet." if y == 0 else "")
            return self._strip(text, width)
        shown = self.visible_columns()
        col_width = self.column_width()
        columns = range(self.first_column, min(len(self.grid.columns), self.first_column + shown))
        line = Text()
        for n, col in enumerate(columns):
            if n:
                line.append("│", style=self.get_component_rich_style("boardgrid--muted"))
            if y < HEADER_LINES:
                cell = self._header(col, y, col_width)
            else:
                cell = self._body(col, y - HEADER_LINES + self.scroll_line, col_width)
            cell.truncate(col_width, pad=True)
            line.append_text(cell)
        if y == 0:
            more_left, more_right = self.first_column > 0, columns.stop < len(self.grid.columns)
            if more_left:
                line = Text("◀", style="bold") + line[1:]
            if more_right:
                line = line[: width - 1] + Text("▶", style="bold")
        return self._strip(line, width)

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, pad=True)
        segments = [Segment(s.text, s.style) for s in text.render(self.app.console)]
        return Strip(segments, width)

    def _header(self, col: int, y: int, width: int) -> Text:
        assert self.grid is not None
        column = self.grid.columns[col]
        if y == 1:
            return Text("─" * width, style=self.get_component_rich_style("boardgrid--muted"))
        count = f"{column.count}" if column.wip is None else f"{column.count}/{column.wip}"
        style = self.get_component_rich_style("boardgrid--header")
        text = Text(f" {column.name} ", style=style)
        if column.over_limit:
            breach = self.get_component_rich_style("boardgrid--breach")
            text.append(f"{count} ⚠ OVER{' (hard)' if column.hard else ''}", style=breach)
        else:
            text.append(count + (" hard" if column.hard and column.wip else ""), style=style if column.at_limit else "")
        return text

    def _body(self, col: int, line: int, width: int) -> Text:
        assert self.grid is not None
        for lane in self.grid.lanes:
            if not lane.top <= line < lane.top + lane.height:
                continue
            inner = line - lane.top
            if lane.name:
                if inner == 0:
                    label = f"▸ {lane.name}" if col == self.first_column else ""
                    return Text(label.ljust(width, "╌" if not label else " "),
                                style=self.get_component_rich_style("boardgrid--lane"))
                inner -= 1
            slot, row = divmod(inner, lane.card_height)
            cards = lane.cards[col]
            if slot >= len(cards):
                return Text("")
            index = sum(len(other.cards[col]) for other in self.grid.lanes[: self.grid.lanes.index(lane)]) + slot
            return self._card_line(cards[slot], row, width, col == self.cursor_column and index == self.cursor_index,
                                   lane.card_height)
        return Text("")

    def _card_line(self, card: ItemView, row: int, width: int, selected: bool, height: int) -> Text:
        base = self.get_component_rich_style("boardgrid--cursor" if selected else "boardgrid--card")
        if row == height - 1:  # the gap between cards
            return Text("")
        if row == 0:
            text = Text(("▶" if selected else " "), style=base)
            text.append(f"{KIND_MARK.get(card.kind, '·')} ", style=base)
            text.append(card.key, style=base + Style(bold=True))
            if card.points is not None:
                text.append(f" {card.points:g}pt", style=base)
            if card.assignee:
                text.append(f" @{card.assignee}", style=base)
            if height == 3 and card.labels:  # compact cards: labels share the first line
                text.append(" " + " ".join(f"#{label}" for label in card.labels), style=base + Style(dim=True))
        elif row == 1:
            text = Text(" " + card.title, style=base)
        else:
            text = Text(" " + " ".join(f"#{label}" for label in card.labels), style=base + Style(dim=True))
        text.truncate(width, overflow="ellipsis", pad=True)
        text.stylize(base)
        return text

    # Mouse (never needed, but welcome) ---------------------------------------------------------
    def on_click(self, event: Click) -> None:
        if self.grid is None or event.y < HEADER_LINES:
            return
        col = self.first_column + event.x // (self.column_width() + 1)
        if col >= len(self.grid.columns):
            return
        line = event.y - HEADER_LINES + self.scroll_line
        index = 0
        for lane in self.grid.lanes:
            cards = lane.cards[col]
            if lane.top <= line < lane.top + lane.height:
                inner = line - lane.top - (1 if lane.name else 0)
                slot = inner // lane.card_height
                if 0 <= slot < len(cards):
                    self.post_message(self.CardClicked(col, index + slot))
                return
            index += len(cards)
