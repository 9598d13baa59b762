"""The Kanban grid: columns side by side with their cards, drawn line by line.

Only the lines on screen are built, so a column of thousands of cards costs what a screenful
costs. Columns keep a readable minimum width; when they do not all fit (80 columns), the grid
scrolls sideways to keep the cursor's column in view and shows ◀ ▶ where more columns hide.
Swimlanes split the grid into horizontal bands with a header line each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.events import Click
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from projections.board_view import BoardSnapshot, ColumnView
from projections.state import ItemView

MIN_COLUMN_WIDTH = 24
PLAIN = Style()
HEADER_LINES = 2
KIND_MARK = {"story": "◆", "bug": "✖", "task": "■", "spike": "◇", "epic": "★"}


@dataclass
class Lane:
    name: str  # "" when swimlanes are off (no lane header)
    cards: list[Sequence[ItemView]]  # per column
    top: int = 0  # first line of the lane in the scrolled body
    card_height: int = 3

    @property
    def slots(self) -> int:
        return max((len(c) for c in self.cards), default=0)

    @cached_property
    def height(self) -> int:
        """Asked for every line drawn: counted once (a layout is made anew when its cards change)."""
        header = 1 if self.name else 0
        return header + max(self.slots, 1 if self.name else 0) * self.card_height


@dataclass
class Layout:
    columns: list[ColumnView]
    lanes: list[Lane] = field(default_factory=list)

    def column_cards(self, col: int) -> Sequence[ItemView]:
        """A column's cards in the order the cursor walks them (lane by lane)."""
        if len(self.lanes) == 1:
            return self.lanes[0].cards[col]  # no copy: columns can hold tens of thousands
        return [card for lane in self.lanes for card in lane.cards[col]]

    def locate(self, key: str, item: ItemView | None) -> tuple[int, int] | None:
        """(column, index) of the card with this key, if shown."""
        if item is not None and len(self.lanes) == 1:
            for col, column in enumerate(self.columns):
                if column.name == item.status:
                    cards = self.lanes[0].cards[col]
                    index_of = getattr(cards, "index_of", None)
                    if index_of is not None:
                        found = index_of(item)
                        return None if found is None else (col, found)
        for col in range(len(self.columns)):
            for index, card in enumerate(self.column_cards(col)):
                if card.key == key:
                    return col, index
        return None

    @property
    def height(self) -> int:
        return sum(lane.height for lane in self.lanes)


def layout(snapshot: BoardSnapshot, lanes_by: str, card_height: int) -> Layout:
    columns = snapshot.columns
    result = Layout(columns)
    if lanes_by == "none":
        result.lanes = [Lane("", [c.cards for c in columns], card_height=card_height)]
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
        self.filter_text = ""  # shown on the header's rule while a filter is on
        self.empty_text = "No board yet."  # drawn when there is no board (the screen says what to do)
        self.no_cards_text = ""  # drawn under the headers when no column holds a card
        self._no_cards = False
        self._styles: dict[str, Style] = {}
        self._cells: dict[tuple[int, int, int, bool, int], tuple[ItemView, list[Segment]]] = {}
        self._frame: dict[int, Strip] = {}  # the lines drawn by the last show(), for this size
        self._frame_size = (0, 0)
        # Per body line, the columns' pieces it was joined from and the line (see _draw_line).
        self._lines: dict[int, tuple[list[list[Segment]], Strip]] = {}
        self._pieces: dict[int | str, list[Segment]] = {}  # blanks by width, the separator
        self._line_filters: tuple[Sequence[LineFilter], Color] = ((), Color(0, 0, 0))
        self._repaint_pending = False
        self._restyled = True  # styles changed since the last draw: checked at the next (_check_looks)
        self._looks: tuple[object, ...] = ()

    # Data --------------------------------------------------------------------------------------
    def show(self, grid: Layout, cursor_column: int, cursor_index: int, read_only: bool) -> None:
        self.grid, self.cursor_column, self.cursor_index, self.read_only = grid, cursor_column, cursor_index, read_only
        self._no_cards = not any(grid.column_cards(n) for n in range(len(grid.columns)))
        self._keep_cursor_in_view()
        # Once for the keys (and changes) handled together: "hhhhgjjL" arrives in one read.
        if not self._repaint_pending:
            self._repaint_pending = True
            self.call_later(self._repaint_changed_lines)

    def _repaint_changed_lines(self) -> None:
        """Draw the frame, and have Textual repaint only the lines that differ from the last one.
        A cursor step changes two cards' lines, another session's move the lines below it in two
        columns; repainting a whole screen for them (styles, colour filters, the bytes sent to the
        terminal) was most of what a keypress or a live update cost, in every SSH session. Until
        this runs, the lines Textual asks for are the last frame's: what the terminal shows."""
        self._repaint_pending = False
        self._check_looks()
        width, height = self.size.width, self.size.height
        before = self._frame if self._frame_size == (width, height) else {}
        self._frame, self._frame_size = {}, (width, height)  # drawn afresh below, not read back
        pieces = {y: line[0] for y, line in self._lines.items()}  # each body line's columns, as drawn
        frame = {y: self._draw_line(y, width) for y in range(height)}
        self._frame = frame
        if not before:
            self.refresh()
            return
        # Only the columns that changed: another session's move shifts the cards of one or two
        # columns, and Textual then renders, and sends the terminal, those columns' cells alone.
        spans = [(y, self._changed_span(pieces.get(y), y, width)) for y in range(height) if frame[y] != before.get(y)]
        start = 0
        for n, (y, span) in enumerate(spans):  # consecutive lines with the same columns: one region
            if n + 1 == len(spans) or spans[n + 1] != (y + 1, span):
                first = spans[start][0]
                self.refresh(Region(span[0], first, span[1] - span[0], y - first + 1))
                start = n + 1

    def _changed_span(self, before: list[list[Segment]] | None, y: int, width: int) -> tuple[int, int]:
        """The cells (from, to) of line ``y`` that differ from its last drawing: the columns whose
        pieces are not the same objects as before (the whole line when it is no body line)."""
        now = self._lines.get(y)
        if before is None or now is None or len(before) != len(now[0]):
            return 0, width
        changed = [n for n, (was, piece) in enumerate(zip(before, now[0])) if was is not piece]
        if not changed:
            return 0, width
        step = self.column_width(width) + 1
        return changed[0] * step, min(width, (changed[-1] + 1) * step)

    def visible_columns(self, width: int | None = None) -> int:
        if self.grid is None or not self.grid.columns:
            return 1
        return max(1, min(len(self.grid.columns), (self.size.width if width is None else width) // MIN_COLUMN_WIDTH))

    def column_width(self, width: int | None = None) -> int:
        width = self.size.width if width is None else width  # (Textual works the size out on each ask)
        shown = self.visible_columns(width)
        return max(8, (width - (shown - 1)) // shown)

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
        self._frame, self._lines = {}, {}
        self._keep_cursor_in_view()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # Drawing -----------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        self._check_looks()
        if self._frame_size == (self.size.width, self.size.height):
            drawn = self._frame.get(y)
            if drawn is not None:
                return drawn
        return self._draw_line(y)

    def _draw_line(self, y: int, width: int | None = None) -> Strip:
        width = self.size.width if width is None else width
        if self.grid is None or not self.grid.columns:
            return self._strip(Text(f" {self.empty_text}" if y == 0 else ""), width)
        if self._no_cards and self.no_cards_text and y == HEADER_LINES + 1:
            return self._strip(Text(f" {self.no_cards_text}", style=self._style("muted")), width)
        shown = self.visible_columns(width)
        col_width = self.column_width(width)
        columns = range(self.first_column, min(len(self.grid.columns), self.first_column + shown))
        if y == 0:  # the header line, with ◀ ▶ where columns hide
            line = Text()
            for n, col in enumerate(columns):
                if n:
                    line.append("│", style=self._style("muted"))
                cell = self._header(col, y, col_width)
                cell.truncate(col_width, pad=True)
                line.append_text(cell)
            if self.first_column > 0:
                line = Text("◀", style="bold") + line[1:]
            if columns.stop < len(self.grid.columns):
                line = line[: width - 1] + Text("▶", style="bold")
            return self._strip(line, width)
        if y < HEADER_LINES:
            parts = [self._segments(self._header(col, y, col_width), col_width) for col in columns]
        else:
            parts = [self._body(col, y - HEADER_LINES + self.scroll_line, col_width) for col in columns]
            # Each column's piece is a cached list, the same object while its card is: a line made
            # of the same pieces as last time is the same line (no joining, no measuring again).
            last = self._lines.get(y)
            if last is not None and len(last[0]) == len(parts) and all(a is b for a, b in zip(last[0], parts)):
                return last[1]
        separator = self._separator()
        segments: list[Segment] = []
        for n, part in enumerate(parts):
            if n:
                segments.extend(separator)
            segments.extend(part)
        used = len(parts) * (col_width + 1) - 1  # each piece is one column wide, padded
        if used <= width:
            segments.extend(self._blank_of(width - used))
            strip = Strip(segments, width)
        else:
            strip = Strip(segments).adjust_cell_length(width, self._base())
        if y >= HEADER_LINES:
            self._lines[y] = (parts, strip)
        return strip

    def _strip(self, text: Text, width: int) -> Strip:
        return Strip(self._segments(text, width), width)

    def _segments(self, text: Text, width: int) -> list[Segment]:
        text.truncate(width, pad=True)
        # Every segment carries a style: Textual's NO_COLOR filter reads each one's colour. Each
        # lies on the widget's own background (the theme's), not the terminal's: a line API widget
        # paints every cell, or a light theme shows dark holes.
        base = self._base()
        return self._filtered([Segment(s.text, base + s.style if s.style else base) for s in text.render(self.app.console)])

    def _filtered(self, segments: list[Segment]) -> list[Segment]:
        """The app's line filters (ANSI colours to the theme's, dim as a blended colour) applied
        to a piece once, when it is made: Textual would apply them to every line drawn, on every
        redraw, and the grid's pieces are cached (see get_line_filters)."""
        filters, background = self._line_filters
        for line_filter in filters:
            segments = line_filter.apply(segments, background)
        return segments

    def get_line_filters(self) -> Sequence[LineFilter]:
        return ()  # applied to the pieces as they are made (see _filtered)

    def _separator(self) -> list[Segment]:
        separator = self._pieces.get("separator")
        if separator is None:
            separator = self._pieces["separator"] = self._filtered([Segment("│", self._style("muted"))])
        return separator

    def _blank_of(self, width: int) -> list[Segment]:
        """``width`` blank cells on the widget's background (none for 0)."""
        if not width:
            return []
        blank = self._pieces.get(width)
        if blank is None:
            blank = self._pieces[width] = self._filtered([Segment(" " * width, self._base())])
        return blank

    def _base(self) -> Style:
        """The widget's own colours (the theme's background and text): under every cell."""
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def _style(self, name: str) -> Style:
        """A component style, looked up once (until the CSS changes): lookups cost per line."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"boardgrid--{name}")
        return style

    def notify_style_update(self) -> None:
        # Textual calls this on every change of focus too (its :focus rules are looked up again),
        # mostly with nothing changed: the drawn lines are dropped at the next draw only if a
        # style the grid draws with did change (the component styles are settled by then).
        super().notify_style_update()
        self._restyled = True

    def _check_looks(self) -> None:
        if not self._restyled:
            return
        self._restyled = False
        self._styles = {}
        self._line_filters = (tuple(self.app.get_line_filters()), self.background_colors[1])
        looks = (self._base(), *(self._style(name.removeprefix("boardgrid--")) for name in sorted(self.COMPONENT_CLASSES)),
                 *self._line_filters)
        if looks != self._looks:
            self._looks = looks
            self._cells = {}
            self._frame = {}
            self._lines = {}
            self._pieces = {}

    def _header(self, col: int, y: int, width: int) -> Text:
        assert self.grid is not None
        column = self.grid.columns[col]
        if y == 1:
            if self.filter_text and col == self.first_column:
                label = f"─ / {self.filter_text} "
                return Text(label[:width].ljust(width, "─"), style=self._style("header"))
            return Text("─" * width, style=self._style("muted"))
        count = f"{column.count}" if column.wip is None else f"{column.count}/{column.wip}"
        style = self._style("header")
        # Imported names can be long (kept whole in the log): shorten on screen so the count shows.
        room = max(4, width - len(count) - 3 - (9 if column.over_limit else 0))
        name = column.name if len(column.name) <= room else column.name[:room - 1] + "…"
        text = Text(f" {name} ", style=style)
        if column.over_limit:
            breach = self._style("breach")
            text.append(f"{count} ⚠ OVER{' (hard)' if column.hard else ''}", style=breach)
        else:
            text.append(count + (" hard" if column.hard and column.wip else ""), style=style if column.at_limit else "")
        return text

    def _body(self, col: int, line: int, width: int) -> list[Segment]:
        assert self.grid is not None
        offset = 0  # cards of this column in the lanes above
        for lane in self.grid.lanes:
            cards = lane.cards[col]
            if not lane.top <= line < lane.top + lane.height:
                offset += len(cards)
                continue
            inner = line - lane.top
            if lane.name:
                if inner == 0:
                    label = f"▸ {lane.name}" if col == self.first_column else ""
                    return self._segments(Text(label.ljust(width, "╌" if not label else " "),
                                               style=self._style("lane")), width)
                inner -= 1
            slot, row = divmod(inner, lane.card_height)
            if slot >= len(cards):
                break
            card = cards[slot]
            selected = col == self.cursor_column and offset + slot == self.cursor_index
            # Cards are immutable: a card's drawn line is reused until the card changes. Compared
            # by value, not identity: a live redraw reads the changed columns' first page again,
            # new objects for the same cards, and each drawn again was most of a redraw's grid work
            # (in every session, for every change anyone makes).
            key = (card.id, row, width, selected, lane.card_height)
            cached = self._cells.get(key)
            if cached is not None and (cached[0] is card or cached[0] == card):
                return cached[1]
            if len(self._cells) > 4096:
                self._cells = {}
            segments = self._segments(self._card_line(card, row, width, selected, lane.card_height), width)
            self._cells[key] = (card, segments)
            return segments
        return self._blank_of(width)

    def _card_line(self, card: ItemView, row: int, width: int, selected: bool, height: int) -> Text:
        base = self._style("cursor" if selected else "card")
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
