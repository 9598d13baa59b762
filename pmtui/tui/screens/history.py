"""The history view: the audit log, newest first — who, when it occurred (and when it was recorded,
if later: imported or backdated), why, and what changed field by field.

Rows are event numbers; an entry is read from the log only when its line is painted (see
``pmtui.tui.history_source``), so the view opens at once on 100k+ events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from domain.exceptions import DomainError
from pmtui.timespec import local
from pmtui.tui.event_names import event_name, field_name
from pmtui.tui.history_source import HistoryFilter, HistorySource, parse_filter
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable, identity
from projections.history import HistoryEntry, _short

WIDE = 120
EXTRA_WIDE = 150  # room for the recorded time next to the occurred one
BACKDATED_MARK = "*"


def _value(value: object) -> str:
    return _short(value, 60)


class HistoryScreen(PmScreen):
    mode = "history"
    AUTO_FOCUS = "#history-table"  # never the hidden filter field: keys typed on arrival are commands
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="history.filter"),
        Binding("x", "clear_filter", "Clear filter", show=False, id="history.clear_filter"),
        Binding("i", "this_item", "This item", show=False, id="history.this_item"),
        Binding("U", "users", "Team", tooltip="Users and roles: add a user, change a role (admins)",
                id="history.users"),
    ]
    DEFAULT_CSS = """
    HistoryScreen #history-filter { height: 1; border: none; padding: 0 1; }
    HistoryScreen #history-error { height: 1; padding: 0 1; color: $error; display: none; }
    HistoryScreen #history-error.shown { display: block; }
    HistoryScreen #history-status { height: 1; padding: 0 1; background: $panel; }
    HistoryScreen #history-table { height: 1fr; min-height: 5; }
    HistoryScreen #history-detail { height: 6; padding: 0 1; border-top: solid $panel; }
    """

    ADMIN_ACTIONS = frozenset({"users"})

    def __init__(self) -> None:
        super().__init__()
        self.source: HistorySource | None = None
        self.wanted = HistoryFilter()
        self.rows: Sequence[int] = []
        self._wide = 0

    # Layout ----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        product = self.wb.now.product  # the example names a key of this product
        key = f"{product.key_prefix if product else 'PM'}-3"
        yield Input(placeholder=f"/ filter: item:{key} actor:bob kind:Moved since:-7d until:2026-11-10 (⏎)",
                    id="history-filter")
        yield Static("", id="history-error")
        yield Static("", id="history-status")
        yield ItemTable(self._columns(0), self._cells, row_key=identity, selectable=False,
                        empty_text="No events match.", id="history-table")
        yield Static("", id="history-detail")

    @property
    def table(self) -> ItemTable:
        return self.query_one("#history-table", ItemTable)

    def on_mount(self) -> None:
        self.source = HistorySource(self.wb)
        # The detail follows the cursor in the cursor's own frame: a watcher runs as the cursor is
        # set, where the table's CursorMoved message would be handled after a frame had shown the
        # cursor moved and the old detail (two frames a key, the second ~20 ms later).
        self.watch(self.table, "cursor", self._cursor_changed, init=False)
        self.table.focus()
        self.refresh_view()

    def on_resize(self) -> None:
        wide = 2 if self.size.width >= EXTRA_WIDE else 1 if self.size.width >= WIDE else 0
        if wide != self._wide:
            self._wide = wide
            self.table.columns = self._columns(wide)
            self.table.refresh()

    def _columns(self, wide: int) -> list[Column]:
        if wide:
            recorded = [Column("recorded", "Recorded (if later)", 19)] if wide > 1 else []
            return [Column("seq", "#", 7, "right"), Column("when", "Occurred", 17), *recorded,
                    Column("who", "Who", 10), Column("event", "Event", 20), Column("subject", "Subject", 12),
                    Column("change", "Change"), Column("why", "Why", 28)]
        return [Column("when", "Occurred", 17), Column("who", "Who", 7), Column("event", "Event", 13),
                Column("subject", "Subject", 8), Column("change", "Change / why")]

    def entry(self, seq: int) -> HistoryEntry:
        assert self.source is not None
        table = self.table
        top = round(table.scroll_offset.y)
        window = self.rows[max(0, top - 20): top + table.size.height + 60]
        return self.source.get(self.ws, seq, window)

    def _cells(self, seq: int) -> list[Cell]:
        e = self.entry(seq)
        when = local(e.occurred) + (BACKDATED_MARK if e.backdated else " ")
        name = event_name(e)
        if self._wide:
            recorded: list[Cell] = [(local(e.recorded) if e.backdated else "", "yellow")] if self._wide > 1 else []
            return [str(e.seq), when, *recorded, e.actor, (name, "bold" if e.event.startswith("WorkItem.") else ""),
                    e.subject, e.summary, (e.reason, "italic") if e.reason else ("", "")]
        change = e.summary + (f" — {e.reason}" if e.reason else "")
        return [when, e.actor, name, e.subject, change]

    # Data ------------------------------------------------------------------------------------
    _shown: tuple[object, ...] = ()  # what the rows were read for: the same again reads nothing

    def refresh_view(self) -> None:
        if self.source is None:
            return
        ws = self.ws
        # A workspace is one point, never changed in place: shown again (the view switched back
        # to, a modal closed without a change), its rows are the ones on screen.
        shown = (ws, ws.position, self.pm.as_of.moment, self.wanted)
        if shown == self._shown:
            return
        self._shown = shown
        self.rows = self.source.order(ws, self.pm.as_of.moment, self.wanted)
        self.table.empty_text = "No events match the filter: x clears it, / changes it." if not self.wanted.empty \
            else self.empty_state("No events yet: every change made will be listed here")
        self.table.set_rows(self.rows)
        self._show_status()
        self.show_detail()

    def _show_status(self, note: str = "") -> None:
        count = len(self.rows)
        parts = [f"{count} event{'s' if count != 1 else ''}, newest first"]
        if self.wanted.text:
            parts.append(f"filter: {self.wanted.text}")
        parts.append(f"{BACKDATED_MARK} recorded later (imported/backdated)")
        if note:
            parts.append(note)
        self.query_one("#history-status", Static).update(" · ".join(parts), layout=False)  # one line, always

    def _cursor_changed(self) -> None:
        self.show_detail()

    def current_entry(self) -> HistoryEntry | None:
        seq = self.table.current_row
        return None if seq is None else self.entry(seq)

    def show_detail(self) -> None:
        detail = self.query_one("#history-detail", Static)
        e = self.current_entry()
        # A fixed height: a new entry repaints only this panel, not the screen's layout.
        detail.update(Text("") if e is None else detail_text(e), layout=False)

    # Filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "history-filter":
            return
        event.stop()
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> bool:
        try:
            wanted = parse_filter(text, self.ws, self.pm.clock())
        except DomainError as error:
            self._show_error(str(error))
            return False
        self._show_error("")
        self.wanted = wanted
        self.query_one("#history-filter", Input).value = wanted.text
        self.table.focus()
        self.refresh_view()
        return True

    def action_clear_filter(self) -> None:
        self.apply_filter("")

    def action_this_item(self) -> None:
        """Only the events of the selected entry's subject."""
        e = self.current_entry()
        if e is not None and (e.aggregate_id in self.ws.items or e.subject.startswith(("RM-", "O-"))):
            self.apply_filter(f"item:{e.subject}")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#history-error", Static)
        error.update(message)
        error.set_class(bool(message), "shown")

    def action_users(self) -> None:
        from pmtui.tui.modals.users import UsersModal

        self.app.push_screen(UsersModal())

    # Jump to the item ------------------------------------------------------------------------
    def on_item_table_activated(self, event: ItemTable.Activated) -> None:
        event.stop()
        e = self.current_entry()
        if e is None:
            return
        item = self.ws.items.get(e.aggregate_id)
        if item is not None:
            from pmtui.tui.modals.item import ItemModal

            self.app.push_screen(ItemModal(item.key))
        elif e.aggregate_id in self.ws.roadmap and "roadmap" in self.pm.available_modes:
            self._show_in("roadmap", e.aggregate_id)
        elif e.aggregate_id in self.ws.objectives and "okrs" in self.pm.available_modes:
            self._show_in("okrs", e.aggregate_id)
        else:
            self.notify(f"{e.subject} has no view of its own; i shows only its events", timeout=3)

    def _show_in(self, mode: str, aggregate_id: str) -> None:
        """Switch to the view that shows this thing, with the cursor on it."""
        self.pm.action_switch_view(mode)

        def select() -> None:
            screen = self.app.screen
            if hasattr(screen, "select"):
                screen.select(aggregate_id)

        self.app.call_after_refresh(select)


def detail_text(e: HistoryEntry) -> Text:
    text = Text()
    text.append(f"#{e.seq} {event_name(e)} · {e.subject}", style="bold")
    text.append(f" by {e.actor}, occurred {local(e.occurred, with_seconds=True)}")
    if e.backdated:
        text.append(f" · recorded {local(e.recorded, with_seconds=True)} (imported/backdated)", style="yellow")
    text.append("\nWhy: ", style="bold")
    text.append(e.reason or "(no reason given)", style="italic" if e.reason else "dim italic")
    if e.changes:
        for change in e.changes:
            text.append(f"\n  {field_name(change.field)}: ", style="bold")
            text.append(_value(change.old), style="red")
            text.append(" → ")
            text.append(_value(change.new), style="green")
    else:
        text.append(f"\n  {e.summary}")
    return text
