"""The Documents view: the product's documents (PRDs, specs, release notes…), the selected one
rendered with Textual's Markdown viewer; ``v`` shows its history (versions, and the diff each one
made), ``b`` who wrote each line. ``e`` edits it in $EDITOR, ``E`` in a text box here; a colleague's
save in between is a conflict: the merge of both is opened to resolve, nothing is overwritten.

It travels in time like every view: as of a past point the list, the text, the history and the
blame are those of then (the document's records cut to that point), read-only."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, Static, TextArea

from pmtui.counts import counted
from pmtui.service.evidence import DocumentConflict
from pmtui.timespec import local
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable
from projections import document_history as history
from projections.document_view import documents_of, owner_ref
from projections.records import EventRecord
from projections.state import DocumentView

PANES = ("read", "history", "blame")


def diff_text(lines: list[str]) -> Text:
    text = Text()
    for line in lines:
        style = ("bold" if line.startswith(("---", "+++")) else "green" if line.startswith("+")
                 else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else "")
        text.append(line + "\n", style=style)
    return text if text.plain else Text("No changes.", style="dim")


class DocumentEditor(ModalScreen[str | None]):
    """Edit a document's text in the TUI. Ctrl+S saves, Esc or Ctrl+G cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="document_editor.save", tooltip="Save a new version"),
        Binding("escape,ctrl+g", "cancel", "Cancel", id="document_editor.cancel", tooltip="Close without saving"),
    ]
    DEFAULT_CSS = """
    DocumentEditor { align: center middle; background: $background 60%; }
    DocumentEditor > Vertical { width: 90%; height: 90%; border: round $accent; background: $surface; }
    DocumentEditor TextArea { height: 1fr; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text} · Ctrl+S save · Esc cancel", classes="dialog-title")
            yield TextArea(self.text, id="document-editor-text", soft_wrap=True, language="markdown")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DocumentsScreen(PmScreen):
    mode = "documents"
    BINDING_GROUP_TITLE = "Documents"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "pane('history')", "History", id="documents.history",
                tooltip="The versions and the diff each made (v again: the text)"),
        Binding("b", "pane('blame')", "Blame", id="documents.blame", tooltip="Who wrote each line, and when"),
        Binding("e", "edit", "Edit", id="documents.edit", tooltip="Edit in $EDITOR"),
        Binding("E", "edit_here", "Edit here", id="documents.edit_here", tooltip="Edit in a text box in the TUI"),
        Binding("n", "new", "New", id="documents.new", tooltip="Write a new document"),
        Binding("tab", "focus_next_pane", "Switch", show=False, id="documents.switch",
                tooltip="Between the documents and the versions"),
    ]
    DEFAULT_CSS = """
    DocumentsScreen #documents-status { height: 1; padding: 0 1; background: $panel; }
    DocumentsScreen #documents-body { height: 1fr; }
    DocumentsScreen #documents-list { width: 38%; min-width: 24; border-right: vkey $panel; }
    DocumentsScreen #documents-pane { width: 1fr; }
    DocumentsScreen #documents-read { height: 1fr; }
    DocumentsScreen #documents-versions { height: 8; display: none; border-bottom: solid $panel; }
    DocumentsScreen #documents-scroll { height: 1fr; display: none; padding: 0 1; }
    DocumentsScreen.history #documents-versions { display: block; }
    DocumentsScreen.history #documents-scroll, DocumentsScreen.blame #documents-scroll { display: block; }
    DocumentsScreen.history #documents-read, DocumentsScreen.blame #documents-read { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.pane = "read"
        self._shown: tuple[str, int, str] | None = None  # (doc id, revision, text) on the Markdown viewer

    def compose_body(self) -> ComposeResult:
        yield Static("", id="documents-status")
        with Horizontal(id="documents-body"):
            yield ItemTable([Column("ref", "Doc", 6), Column("title", "Title", min_width=8), Column("kind", "Kind", 5),
                             Column("for", "For", 6), Column("ver", "v", 3, "right")],
                            self._cells, row_key=lambda d: d.id, selectable=False,
                            empty_text="No documents yet: n writes one.", id="documents-list")
            with Vertical(id="documents-pane"):
                yield Markdown("", id="documents-read")
                yield ItemTable([Column("ver", "v", 3, "right"), Column("when", "When", 16), Column("who", "Who", 10),
                                 Column("lines", "Lines", 8), Column("why", "Why", min_width=6)],
                                self._version_cells, row_key=lambda v: v.revision, selectable=False,
                                empty_text="No versions.", id="documents-versions")
                with VerticalScroll(id="documents-scroll"):
                    yield Static("", id="documents-detail")

    @property
    def table(self) -> ItemTable:
        return self.query_one("#documents-list", ItemTable)

    @property
    def versions_table(self) -> ItemTable:
        return self.query_one("#documents-versions", ItemTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.refresh_view()

    def _cells(self, doc: DocumentView) -> list[Cell]:
        return [doc.ref, doc.title, doc.kind, owner_ref(self.ws, doc).removeprefix("release "), str(doc.revision)]

    @staticmethod
    def _version_cells(version: history.Version) -> list[Cell]:
        return [str(version.revision), local(version.occurred), version.actor, f"+{version.added} -{version.removed}",
                version.reason]

    # Data ------------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        ws = self.ws
        docs = documents_of(ws)
        self.table.empty_text = self.empty_state("No documents yet", "n writes the first")
        self.table.set_rows(docs)
        self.query_one("#documents-status", Static).update(
            f"{counted(len(docs), 'document')} · v history · b blame · e edit ($EDITOR) · E edit here · n new"
            f"{' · read-only' if self.read_only else ''}", layout=False)
        self.show_document()

    def current_document(self) -> DocumentView | None:
        row = self.table.current_row
        return row if isinstance(row, DocumentView) else None

    def records(self, doc: DocumentView) -> list[EventRecord]:
        """The document's records as of the point on show (all of them now)."""
        records = self.wb.records_of(doc.id)
        if not self.read_only:
            return records
        return history.visible(records, self.ws.position, self.pm.as_of.moment)

    def on_item_table_cursor_moved(self, event: ItemTable.CursorMoved) -> None:
        if event.table.id == "documents-list":
            self.show_document()
        else:
            self.show_version_diff()

    def show_document(self) -> None:
        doc = self.current_document()
        viewer = self.query_one("#documents-read", Markdown)
        if doc is None:
            if self._shown is not None:
                viewer.update("")
                self._shown = None
            self.versions_table.set_rows([])
            self.query_one("#documents-detail", Static).update("")
            return
        shown = (doc.id, doc.revision, doc.text)
        if shown != self._shown:  # re-rendering Markdown costs: only when the text on show changes
            header = f"*{doc.ref} · {doc.kind} · for {owner_ref(self.ws, doc)} · version {doc.revision} · " \
                     f"{local(doc.updated)} by {doc.updated_by}*\n\n"
            viewer.update(header + doc.text)
            self._shown = shown
        if self.pane == "history":
            versions = history.versions(self.records(doc))
            versions.reverse()
            self.versions_table.set_rows(versions)
            self.show_version_diff()
        elif self.pane == "blame":
            self.query_one("#documents-detail", Static).update(self.blame_text(doc))

    def blame_text(self, doc: DocumentView) -> Text:
        lines = history.blame(self.records(doc))
        width = max((len(b.actor) for b in lines), default=4)
        text = Text()
        for b in lines:
            text.append(f"v{b.revision:<3} {b.actor:<{width}} {local(b.occurred)} ", style="dim")
            text.append(f"{b.text}\n")
        return text

    def show_version_diff(self) -> None:
        doc = self.current_document()
        row = self.versions_table.current_row
        detail = self.query_one("#documents-detail", Static)
        if doc is None or not isinstance(row, history.Version):
            detail.update("")
            return
        records = self.records(doc)
        new = history.text_of(records, row.revision)
        old = history.text_of(records, row.revision - 1) if row.revision > 1 else ""
        detail.update(diff_text(history.diff(old, new, f"version {row.revision - 1}", f"version {row.revision}")))

    def action_pane(self, pane: str) -> None:
        self.pane = "read" if self.pane == pane else pane
        for name in PANES:
            self.set_class(self.pane == name, name)
        if self.pane == "history":
            self.versions_table.focus()
        else:
            self.table.focus()
        self.show_document()

    def action_focus_next_pane(self) -> None:
        target = self.versions_table if self.table.has_focus and self.pane == "history" else self.table
        target.focus()

    # Writes ----------------------------------------------------------------------------------
    def _editable(self) -> DocumentView | None:
        doc = self.current_document()
        if doc is None:
            self.notify("No document selected", severity="warning")
            return None
        if self.read_only:
            self.write(lambda: None)
            return None
        return doc

    def action_edit(self) -> None:
        doc = self._editable()
        if doc is None:
            return
        base, text = doc.revision, doc.text
        from pmtui.tui.modals import item as item_modal  # the item form's modules: with the first use

        for _ in range(5):  # a merge to resolve, again if someone saves once more meanwhile
            edited = item_modal.edit_in_editor(self.pm, text)
            if edited is None:
                return
            result = self.save(doc, edited, base)
            if not isinstance(result, DocumentConflict):
                return
            base, text = result.current, result.merged

    def action_edit_here(self) -> None:
        doc = self._editable()
        if doc is None:
            return
        self.edit_here(doc, doc.text, doc.revision)

    def edit_here(self, doc: DocumentView, text: str, base: int) -> None:
        def saved(edited: str | None) -> None:
            if edited is None:
                return
            result = self.save(doc, edited, base)
            if isinstance(result, DocumentConflict):
                self.edit_here(doc, result.merged, result.current)

        self.app.push_screen(DocumentEditor(f"{doc.ref} {doc.title} (from version {base})", text), saved)

    def save(self, doc: DocumentView, text: str, base: int) -> int | DocumentConflict | None:
        """Save a version; a conflict is announced and returned (its merge to resolve)."""
        result = self.write(lambda: self.wb.try_save_document(doc.ref, text, base))
        if isinstance(result, DocumentConflict):
            self.notify(f"{result.saved_by} saved version {result.current} meanwhile: nothing was overwritten. "
                        f"Resolve the merge ({result.conflicts} conflict(s) marked <<<<<<<) and save again.",
                        severity="warning", title="Conflict", timeout=8)
            self.pm.refresh_views()
        elif isinstance(result, int):
            self.notify(f"{doc.ref} saved as version {result}", timeout=2)
        return result

    def action_new(self) -> None:
        if self.read_only:
            self.write(lambda: None)
            return
        form = FieldsForm("Write a document", [
            Field("title", "Title", required=True),
            Field("kind", "Kind (prd, spec, strategy, release-notes, meeting-notes, or your own)", "prd"),
            Field("for", "For (an epic or item key, RM-n, a release name; empty: the product)"),
        ], submit_label="Create")

        def create(values: dict[str, str] | None) -> None:
            if values is None:
                return
            ref = self.write(lambda: self.wb.add_document(values["title"], values["kind"] or "prd",
                                                          values["for"] or None, f"# {values['title']}\n"))
            if isinstance(ref, str):
                self.select(self.wb.document(ref).id)
                self.notify(f"{ref} created: e edits it", timeout=3)

        self.app.push_screen(form, create)

    def select(self, doc_id: str) -> None:
        at = self.table.index_of(doc_id)
        if at >= 0:
            self.table.set_cursor(at)
            self.show_document()


def __getattr__(name: str) -> Any:
    """``item_modal``: the item form's module (its editor hand-off), loaded when first asked for
    rather than with every view at start (textual's Markdown, the domain's item rules)."""
    if name == "item_modal":
        from pmtui.tui.modals import item

        return item
    raise AttributeError(name)
