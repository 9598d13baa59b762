"""1 Board: the Kanban board. Cards move with H/L (WIP limits enforced by the domain), reorder
with J/K, and open with Enter; swimlanes cycle with s."""

from __future__ import annotations


from collections.abc import Callable

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding

from domain import board_rules
from domain.exceptions import DomainError
from pmtui.tui.board_cache import BoardCache, Keep
from pmtui.tui.tentative import TentativeCards, rank_beside
from pmtui.tui.modals.prompt import AskModal, ConfirmModal
from projections.backlog_view import parse_query
from pmtui.store.board_pages import STEP_LIMIT, PagedBoard, paged_board, touched
from pmtui.store.readmodel import StoredWorkspace
from projections.board_view import BoardSnapshot, default_board
from projections.state import BoardView, ItemView
from pmtui.service.workbench import Workbench
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.board_grid import BoardGrid, Layout, layout

LANE_CYCLE = ["none", "assignee", "epic", "class"]


class BoardScreen(PmScreen):
    mode = "board"
    WRITE_ACTIONS = frozenset({"move_card", "rank", "new_card", "archive_card", "swimlanes", "comment", "columns"})

    BINDINGS = [
        Binding("h,left", "cursor(-1, 0)", "←", show=False, tooltip="Cursor to the column on the left", id="board.cursor.back.0"),
        Binding("l,right", "cursor(1, 0)", "→", show=False, tooltip="Cursor to the column on the right", id="board.cursor.forward.0"),
        Binding("k,up", "cursor(0, -1)", "↑", show=False, tooltip="Cursor to the card above", id="board.cursor.0.back"),
        Binding("j,down", "cursor(0, 1)", "↓", show=False, tooltip="Cursor to the card below", id="board.cursor.0.forward"),
        Binding("H,shift+left", "move_card(-1)", "Move", key_display="H/L",
                tooltip="Move the card one column left", id="board.move_card.back"),
        Binding("L,shift+right", "move_card(1)", "Move right", show=False, tooltip="Move the card one column right", id="board.move_card.forward"),
        Binding("K,shift+up", "rank('up')", "Up", show=False, tooltip="Move the card up in its column", id="board.rank.up"),
        Binding("J,shift+down", "rank('down')", "Down", show=False, tooltip="Move the card down in its column", id="board.rank.down"),
        Binding("n", "new_card", "New", tooltip="New card in this column", id="board.new_card"),
        Binding("c", "comment", "Comment", show=False, tooltip="Comment on the card", id="board.comment"),
        Binding("e,enter", "open_card", "Open", key_display="e", tooltip="Open the card (every field, its history)", id="board.open_card"),
        Binding("d", "archive_card", "Archive", show=False, tooltip="Archive the card (asks y/n)", id="board.archive_card"),
        Binding("w", "columns", "Columns", tooltip="Columns and WIP limits: add, rename, reorder, remove",
                id="board.columns"),
        Binding("s", "swimlanes", "Lanes", show=False, tooltip="Swimlanes: none, assignee, epic, class of service", id="board.swimlanes"),
        Binding("slash", "filter", "Filter", show=False,
                tooltip="Show only the cards matching a query (kind:bug label:x points>3 assignee:me words)", id="board.filter"),
        Binding("g,home", "edge(-1)", "Top", show=False, tooltip="Cursor to the first card of the column", id="board.edge.back"),
        Binding("G,end", "edge(1)", "Bottom", show=False, tooltip="Cursor to the last card of the column", id="board.edge.forward"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.column = 0
        self.index = 0
        self.lanes_by: str | None = None  # None: the board's own setting
        self.grid_layout: Layout | None = None
        self.snapshot: BoardSnapshot | None = None
        self.cache = BoardCache()
        self.query_text = ""  # the "/" filter, in the backlog's query language
        self._query: tuple[str, Keep] | None = None  # (text, its predicate): names resolved once
        self._paged: tuple[object, object, BoardSnapshot] | None = None  # (workspace, board, its pages)
        self.tentative = TentativeCards()  # cards drawn where the user's queued moves put them

    def compose_body(self) -> ComposeResult:
        yield BoardGrid(id="board-grid")

    def on_mount(self) -> None:
        self.query_one(BoardGrid).focus()
        self.refresh_view()

    # Data --------------------------------------------------------------------------------------
    def refresh_view(self, follow: str | None = None) -> None:
        """Redraw; the cursor stays on its card wherever that card is now (or on ``follow``)."""
        first_look = self.grid_layout is None
        if follow is None and not first_look:
            follow = self.selected.key if self.selected else None
        self.snapshot = self.board_snapshot()
        if self.snapshot is not None and self.tentative and not self.read_only:
            self.snapshot = self.tentative.drawn_on(self.snapshot, self.ws.items.get)
        grid = self.query_one(BoardGrid)
        grid.empty_text, grid.no_cards_text = self.empty_texts()
        if self.snapshot is None:
            self.grid_layout = None
            grid.show(Layout([]), 0, 0, self.read_only)
            return
        lanes = self.lanes_by or self.snapshot.swimlanes or "none"
        card_height = 4 if self.size.height >= 40 else 3
        self.grid_layout = layout(self.snapshot, lanes, card_height)
        if follow is not None:
            found = self.grid_layout.locate(follow, self.tentative.by_key(follow) or self.ws.item_by_key(follow))
            if found is not None:
                self.column, self.index = found
        if first_look or self.selected is None and follow is not None:
            self._first_cards()
        self._clamp()
        grid.filter_text = self.query_text
        grid.show(self.grid_layout, self.column, self.index, self.read_only)

    def _first_cards(self) -> None:
        """Put the cursor on the first column that holds cards (a sprint's Backlog is often empty)."""
        assert self.grid_layout is not None
        if self.grid_layout.columns and not self.grid_layout.column_cards(self.column):
            self.column = next((n for n in range(len(self.grid_layout.columns))
                                if self.grid_layout.column_cards(n)), self.column)
            self.index = 0

    def empty_texts(self) -> tuple[str, str]:
        """(no board at all, a board without cards): what is true and what to press."""
        if self.query_text:
            return "No board yet.", "No cards match the filter: / changes it, an empty filter shows every card."
        return (self.empty_state("No board yet", "`pmtui product init` creates the product and its board"),
                self.empty_state("No cards on this board yet", "n adds the first"))

    def board_snapshot(self) -> BoardSnapshot | None:
        """What the grid shows (the sprint view shows one sprint's cards). Without a filter or
        swimlanes the board is paged from the store: each column's count and the cards on screen,
        now or as of the point shown (pmtui/store/board_pages.py), so a board of 50,000 items
        costs a screenful. A filter (a predicate in Python) or swimlanes (lanes across the whole
        column) take every card of the board, kept sorted between frames by the cache."""
        ws = self.ws
        board = default_board(ws)
        if board is not None and not self.query_text and isinstance(ws, StoredWorkspace) \
                and (self.lanes_by or board.swimlanes or "none") == "none":
            # A workspace is one point, never changed in place (a live update or a step gives a
            # new one): redraws of the same point (a resize, the screen shown again) reuse its pages.
            if self._paged is None or self._paged[0] is not ws or self._paged[1] is not board:
                self._paged = (ws, board, self._stepped(ws, board) or paged_board(ws, board, past=self.read_only))
            return self._paged[2]
        return self.cache.snapshot(ws, self.matches(), ("filter", self.query_text),
                                   changes=self.pm.changes_between)

    def _stepped(self, ws: StoredWorkspace, board: BoardView) -> BoardSnapshot | None:
        """The pages of the last point shown, moved to ``ws`` by what the events between the two
        touched (a step of time travel, a live update, one's own change), if both lie on the same
        axis and few events apart."""
        if self._paged is None or not isinstance(self._paged[0], StoredWorkspace):
            return None
        before, _, snapshot = self._paged
        changed = touched(before, ws, STEP_LIMIT)
        return None if changed is None else PagedBoard(ws, board).stepped(snapshot, changed)

    def matches(self, also: Keep | None = None) -> Keep | None:
        """The filter's predicate (and ``also``), or None when nothing filters."""
        if not self.query_text:
            return also
        if self._query is None or self._query[0] != self.query_text:
            predicate = parse_query(self.query_text, self.ws, self.wb.actor)
            self._query = (self.query_text, predicate)
        predicate = self._query[1]
        return predicate if also is None else (lambda item: also(item) and predicate(item))

    def on_resize(self) -> None:
        self.refresh_view(follow=self.selected.key if self.selected else None)

    def _clamp(self) -> None:
        if not self.grid_layout or not self.grid_layout.columns:
            self.column = self.index = 0
            return
        self.column = max(0, min(self.column, len(self.grid_layout.columns) - 1))
        count = len(self.grid_layout.column_cards(self.column))
        self.index = max(0, min(self.index, count - 1))

    def item_at_cursor(self) -> ItemView | None:
        return self.selected

    @property
    def selected(self) -> ItemView | None:
        if not self.grid_layout or not self.grid_layout.columns:
            return None
        cards = self.grid_layout.column_cards(self.column)
        return cards[self.index] if 0 <= self.index < len(cards) else None

    @property
    def column_name(self) -> str | None:
        if not self.grid_layout or not self.grid_layout.columns:
            return None
        return self.grid_layout.columns[self.column].name

    def _need_card(self) -> ItemView | None:
        card = self.selected
        if card is None:
            self.notify("No card here: move the cursor to a card (h j k l)", severity="warning")
        return card

    def _still_as_shown(self, card: ItemView) -> bool:
        """Before changing a card: fold what others wrote since the screen was drawn. If they moved,
        reordered or archived this card meanwhile, say so and show the fresh state instead of
        acting on what is no longer true (nothing of theirs is overwritten)."""
        if self.read_only:
            return True
        self.wb.refresh()
        fresh = self.wb.now.items.get(card.id)
        if fresh is not None and (fresh.status, fresh.rank, fresh.archived, fresh.sprint) == (
                card.status, card.rank, card.archived, card.sprint):
            return True
        if fresh is None or fresh.archived:
            what = "archived it"
        elif fresh.status != card.status:
            what = f"moved it to {fresh.status}"
        else:
            what = "changed it"
        actor = self._last_actor(card.id)
        self.notify(f"{actor or 'Someone'} {what} meanwhile: showing the fresh state, nothing was changed",
                    severity="warning", title=f"Conflict on {card.key}")
        self.refresh_view(follow=card.key)
        return False

    def _last_actor(self, item_id: str) -> str | None:
        records = self.wb.records_of(item_id)
        return records[-1].actor if records else None

    # Cursor ------------------------------------------------------------------------------------
    def action_cursor(self, dx: int, dy: int) -> None:
        self.column += dx
        self.index += dy
        self._clamp()
        self.query_one(BoardGrid).show(self.grid_layout or Layout([]), self.column, self.index, self.read_only)

    def action_edge(self, where: int) -> None:
        self.index = 0 if where < 0 else 10**9
        self.action_cursor(0, 0)

    def on_board_grid_card_clicked(self, message: BoardGrid.CardClicked) -> None:
        self.column, self.index = message.column, message.index
        self.action_cursor(0, 0)

    # Commands ----------------------------------------------------------------------------------
    def _ready_to_change(self, card: ItemView) -> bool:
        # With this user's own changes still on their way, the card as shown is behind them, not
        # behind someone else: the service decides from the fresh state when their turn comes.
        return self.pm.writer.pending > 0 or self._still_as_shown(card)

    def action_move_card(self, step: int) -> None:
        """Drawn at once where it is going (see ``pmtui/tui/tentative.py``), written in the
        background writer (a slow store never holds up the next key); the service decides, and a
        refusal puts the card back where the store has it, saying why."""
        card = self._need_card()
        if card is None or not self._ready_to_change(card):
            return
        columns = self.grid_layout.columns if self.grid_layout else []
        target = self.column + step
        warned: str | None = None
        if 0 <= target < len(columns) and self.snapshot is not None:  # (beyond the edges the service says why)
            column = columns[target]
            try:  # the domain's own check, on the counts shown: a hard limit is not drawn past
                warned = board_rules.check_wip(self.snapshot.board.name, self.snapshot.board.columns, column.name,
                                               column.count + 1)
            except DomainError:
                pass  # the service refuses it (or, if the counts moved meanwhile, makes it)
            else:
                self._draw_tentative(msgspec.structs.replace(card, status=column.name))
                if warned:
                    self.notify(warned, severity="warning", title="WIP limit")
                else:
                    self.notify(f"{card.key} → {column.name}", timeout=2)
        self._write_card(card, lambda wb: wb.step_item(card.key, step), f"{card.key} stays in {card.status}.",
                         warn="WIP limit", warned=warned)

    def action_rank(self, where: str) -> None:
        card = self._need_card()
        if card is None or not self._ready_to_change(card):
            return
        column = card.status
        grid = self.grid_layout
        # (With swimlanes a card's neighbours on screen are its lane's: the store's order shows it.)
        rank = rank_beside(grid.column_cards(self.column), self.index, where) \
            if grid is not None and len(grid.lanes) == 1 else None
        if rank is not None:
            self._draw_tentative(msgspec.structs.replace(card, rank=rank))
        self._write_card(card, lambda wb: wb.rank_item(card.key, where,
                                                       scope=lambda i: i.status == column and i.kind != "epic"),
                         f"{card.key} stays where it was.")

    def _draw_tentative(self, card: ItemView) -> None:
        self.tentative.put(card)
        self.refresh_view(follow=card.key)

    def _write_card(self, card: ItemView, command: Callable[[Workbench], object], refused_note: str,
                    warn: str = "", warned: str | None = None) -> None:
        """One change of ``card`` in the background writer; when it is done (or refused: then
        ``refused_note`` follows the service's reason, if the card was drawn moved) the card is
        drawn from the store, once the user's other writes are done too."""
        put = card.id in self.tentative.cards

        def done(outcome: object) -> None:
            if put:
                self.tentative.settle(card.id, refused=outcome is None)
            if outcome is None or self.pm.writer.pending == 0:
                self.refresh_view(follow=card.key)
            if isinstance(outcome, str) and warn and outcome != warned:  # (not said twice)
                self.notify(outcome, severity="warning", title=warn)

        self.pm.write_in_background(command, then=done, refused_note=refused_note if put else "")

    def action_new_card(self) -> None:
        if self.read_only:
            self.write(lambda: None)  # explains the refusal
            return
        def created(key: str | None) -> None:
            if key:
                self.refresh_view(follow=key)
        from pmtui.tui.modals.item import ItemModal  # the form's modules load with the first card opened
        self.app.push_screen(ItemModal(column=self.column_name), created)

    def action_open_card(self) -> None:
        card = self._need_card()
        if card is not None:
            from pmtui.tui.modals.item import ItemModal  # the form's modules load with the first card opened
            self.app.push_screen(ItemModal(card.key), lambda key: self.refresh_view(follow=card.key))

    def action_archive_card(self) -> None:
        card = self._need_card()
        if card is None:
            return
        if self.read_only:
            self.write(lambda: None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.pm.write_in_background(lambda wb: wb.archive_item(card.key), f"{card.key} archived")
        self.app.push_screen(ConfirmModal(f"Archive {card.key} “{card.title}”?"), answered)

    def action_columns(self) -> None:
        from pmtui.tui.modals.columns import ColumnsModal

        board = self.snapshot.board.name if self.snapshot else None
        if board is None:
            self.notify("No board yet: pmtui product init makes one", severity="warning")
            return
        self.app.push_screen(ColumnsModal(board), lambda _: self.refresh_view())

    def action_swimlanes(self) -> None:
        current = self.lanes_by or (self.snapshot.swimlanes if self.snapshot else "none")
        self.lanes_by = LANE_CYCLE[(LANE_CYCLE.index(current) + 1) % len(LANE_CYCLE)] if current in LANE_CYCLE else "none"
        self.notify(f"Swimlanes: {self.lanes_by}", timeout=2)
        self.refresh_view(follow=self.selected.key if self.selected else None)

    def action_filter(self) -> None:
        def chosen(text: str | None) -> None:
            text = (text or "").strip()
            if text:
                try:
                    parse_query(text, self.ws, self.wb.actor)
                except DomainError as error:
                    self.notify(str(error), severity="error", title="Filter")
                    return
            self.query_text = text
            self.notify(f"Filter: {text}" if text else "Filter cleared: every card", timeout=2)
            self.refresh_view()
        self.app.push_screen(AskModal(
            "Show only the cards matching", placeholder="kind:bug label:checkout points>3 assignee:me words",
            value=self.query_text, hint="Enter applies · an empty filter shows every card"), chosen)
