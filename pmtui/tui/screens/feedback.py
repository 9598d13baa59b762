"""The Feedback view: the inbox of customer notes and their triage with a few keys (l link to an
item, epic or roadmap item with an importance; T tag; d archive or restore), the note's text, links
and tags below. It travels in time like every view: as of a past point it shows the notes pmtui
had by then, read-only.

Every rule (what a link is, which importances exist) is the workbench's; this screen asks and shows.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from pmtui.counts import counted
from pmtui.timespec import local
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.modals.prompt import AskModal
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable
from projections.feedback_view import notes, target_ref
from projections.state import NoteView, Workspace

FILTERS = ("inbox", "all", "linked", "archived")
_STATUS_STYLE = {"inbox": "bold", "linked": "green", "archived": "dim"}


def who(note: NoteView) -> str:
    return " · ".join(p for p in (note.customer, note.company) if p) or "(unknown)"


class FeedbackScreen(PmScreen):
    mode = "feedback"
    BINDING_GROUP_TITLE = "Feedback"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "link", "Link", id="feedback.link", tooltip="Link the note to an item, epic or roadmap item"),
        Binding("T", "tag", "Tag", id="feedback.tag", tooltip="Set the note's tags"),
        Binding("d", "archive", "Archive", id="feedback.archive",
                tooltip="Archive the note without linking it (again: restore)"),
        Binding("n", "new", "New", id="feedback.new", tooltip="Record what a customer said"),
        Binding("f", "cycle_filter", "Inbox/all", id="feedback.filter",
                tooltip="Show the inbox, all notes, the linked or the archived ones"),
        Binding("slash", "search", "Search", id="feedback.search", tooltip="Only notes whose text has these words"),
    ]
    DEFAULT_CSS = """
    FeedbackScreen #feedback-status { height: 1; padding: 0 1; background: $panel; }
    FeedbackScreen #feedback-table { height: 1fr; min-height: 5; }
    FeedbackScreen #feedback-detail { height: 9; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.filter = "inbox"
        self.words = ""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="feedback-status")
        yield ItemTable([Column("ref", "Note", 6), Column("said", "Said", 10), Column("who", "Who", 24),
                         Column("status", "Status", 8), Column("text", "What they said", min_width=10)],
                        self._cells, row_key=lambda n: n.id, selectable=False,
                        empty_text="No notes here. n records one; f shows all notes.", id="feedback-table")
        yield Static("", id="feedback-detail")

    @property
    def table(self) -> ItemTable:
        return self.query_one("#feedback-table", ItemTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.refresh_view()

    def _cells(self, note: NoteView) -> list[Cell]:
        return [note.ref, note.said_at or "", who(note), (note.status, _STATUS_STYLE.get(note.status, "")),
                " ".join(note.text.split())]

    # Data ------------------------------------------------------------------------------------
    def shown_notes(self, ws: Workspace) -> list[NoteView]:
        return notes(ws, self.filter, words=self.words or None)

    def empty_text(self, ws: Workspace) -> str:
        if self.words:
            return f"No {self.filter} notes with “{self.words}”: / searches other words, f shows other notes."
        if not ws.notes:
            return self.empty_state("No customer feedback yet", "n records the first")
        return self.empty_state(f"No notes {'in the inbox' if self.filter == 'inbox' else self.filter}",
                                "f shows the others, n records a new one")

    def refresh_view(self) -> None:
        ws = self.ws
        rows = self.shown_notes(ws)
        # The cursor stays on its note, or (a linked note leaves the inbox) on the next one.
        self.table.empty_text = self.empty_text(ws)
        self.table.set_rows(rows)
        inbox = sum(1 for n in ws.notes.values() if n.status == "inbox")
        search = f" · “{self.words}”" if self.words else ""
        self.query_one("#feedback-status", Static).update(
            f"{self.filter.capitalize()}: {counted(len(rows), 'note')}{search} · {inbox} in the inbox · "
            f"l link · T tag · d archive · f filter{' · read-only' if self.read_only else ''}", layout=False)
        self.show_detail()

    def current_note(self) -> NoteView | None:
        row = self.table.current_row
        return row if isinstance(row, NoteView) else None

    def on_item_table_cursor_moved(self, event: ItemTable.CursorMoved) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#feedback-detail", Static)
        note = self.current_note()
        if note is None:
            detail.update(Text("No note selected.", style="dim"), layout=False)
            return
        detail.update(self.detail_text(self.ws, note), layout=False)

    @staticmethod
    def detail_text(ws: Workspace, note: NoteView) -> Text:
        text = Text()
        text.append(f"{note.ref} ", style="bold")
        text.append(f"{who(note)} · {note.source} · said {note.said_at or 'on an unknown day'} · "
                    f"recorded {local(note.recorded)} by {note.created_by}")
        if note.archived:
            text.append(" · archived", style="bold")
        if note.tags:
            text.append("  #" + " #".join(note.tags), style="cyan")
        text.append("\n“" + note.text + "”\n", style="italic")
        text.append("Linked to: ", style="bold")
        if not note.links:
            text.append("nothing yet" + (" (archived)" if note.archived else " (in the inbox: l links it)"), style="dim")
        for n, (target, kind, importance) in enumerate(note.links):
            title = ws.items[target].title if target in ws.items else (
                ws.roadmap[target].title if target in ws.roadmap else "")
            text.append(("" if n == 0 else ", ") + f"{target_ref(ws, target, kind)} {title} ")
            text.append(f"({importance})", style="bold red" if importance == "critical" else "")
        return text

    # Triage ----------------------------------------------------------------------------------
    def _note_or_refuse(self) -> NoteView | None:
        note = self.current_note()
        if note is None:
            self.notify("No note selected", severity="warning")
            return None
        if self.read_only:
            self.write(lambda: None)  # the read-only refusal, said once, the same way everywhere
            return None
        return note

    def action_link(self) -> None:
        note = self._note_or_refuse()
        if note is None:
            return
        form = FieldsForm(f"Link {note.ref} ({who(note)})", [
            Field("target", "To which item, epic or roadmap item? (AC-12, RM-3)", required=True),
            Field("importance", "How important to this customer? (nice to have, important, critical)", "important"),
        ], note=" ".join(note.text.split())[:140], submit_label="Link")

        def link(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.pm.write_in_background(
                lambda wb: wb.link_note(note.ref, values["target"], values["importance"] or "important"),
                f"{note.ref} linked to {values['target'].upper()}")

        self.app.push_screen(form, link)

    def action_tag(self) -> None:
        note = self._note_or_refuse()
        if note is None:
            return

        def tag(answer: str | None) -> None:
            if answer is not None:
                self.pm.write_in_background(lambda wb: wb.tag_note(note.ref, answer), f"{note.ref} tagged")

        self.app.push_screen(AskModal(f"Tags of {note.ref}", "checkout, mobile", ", ".join(note.tags),
                                      "Words separated by commas · empty clears them"), tag)

    def action_archive(self) -> None:
        note = self._note_or_refuse()
        if note is None:
            return
        if note.archived:
            self.pm.write_in_background(lambda wb: wb.restore_note(note.ref), f"{note.ref} back in the inbox")
        else:
            self.pm.write_in_background(lambda wb: wb.archive_note(note.ref), f"{note.ref} archived")

    def action_new(self) -> None:
        if self.read_only:
            self.write(lambda: None)
            return
        form = FieldsForm("What did the customer say?", [
            Field("text", "What they said", required=True), Field("customer", "Who (a person)"),
            Field("company", "Their company"), Field("source", "Source (support, sales, interview, survey, other)",
                                                       "support"),
            Field("said_at", "When they said it (2026-11-03, -2d; empty: unknown)"), Field("tags", "Tags (a, b)"),
        ], submit_label="Record")

        def record(values: dict[str, str] | None) -> None:
            if values is None:
                return
            def recorded(ref: object) -> None:
                if isinstance(ref, str):
                    self.notify(f"{ref} is in the inbox", timeout=2)

            self.pm.write_in_background(
                lambda wb: wb.add_note(values["text"], values["customer"], values["company"], values["source"] or "other",
                                       values["said_at"] or None, values["tags"]), then=recorded)

        self.app.push_screen(form, record)

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refresh_view()

    def action_search(self) -> None:
        def search(answer: str | None) -> None:
            if answer is not None:
                self.words = answer.strip()
                self.refresh_view()

        self.app.push_screen(AskModal("Notes containing", "coupon", self.words, "Empty shows every note"), search)

    def select(self, note_id: str) -> None:
        """Put the cursor on a note (showing all notes if it is not in the current filter)."""
        if self.table.index_of(note_id) < 0:
            self.filter, self.words = "all", ""
            self.refresh_view()
        at = self.table.index_of(note_id)
        if at >= 0:
            self.table.set_cursor(at)
            self.show_detail()
