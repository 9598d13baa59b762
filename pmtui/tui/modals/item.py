"""The item detail: every field of a work item in a form (also used to create one), long text in
``$EDITOR``, and the item's own history below. Ctrl+S saves; Esc or Ctrl+G closes.

The form shows names people type (epic key, sprint and release names); saving sends only the
fields that changed, so the log records exactly what the user did."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalGroup, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList, Suggester
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Markdown, Select, Static, TextArea

from domain.exceptions import ValidationError
from domain.values import ItemKind, Moscow
from domain.work_item import RICE_FIELDS, WSJF_FIELDS, parse_scores
from projections.document_view import documents_of
from projections.feedback_view import Evidence, evidence
from projections.history import history
from projections.state import ItemView, Workspace
from pmtui.counts import counted
from pmtui.service.search import people
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from pmtui.tui.modals.fields_form import catch_early_key, flush_early_keys
from pmtui.tui.modals.prompt import ConfirmModal

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

SHORT_FIELDS = ["title", "kind", "points", "assignee", "labels", "epic", "sprint", "release", "moscow", "rice", "wsjf"]
LONG_FIELDS = ["description", "acceptance"]
# form name -> workbench field name
FIELD_NAMES = {"epic": "parent"}
PLACEHOLDERS = {
    "points": "e.g. 3", "assignee": "a name, or me (→ completes)", "labels": "comma separated (→ completes)",
    "epic": "epic key or title (→ completes)", "sprint": "sprint name (→ completes)",
    "release": "release name (→ completes)", "rice": " ".join(RICE_FIELDS), "wsjf": " ".join(WSJF_FIELDS),
}
LABELS = {"moscow": "MoSCoW", "rice": "RICE", "wsjf": "WSJF"}


def _scores_text(scores: dict[str, float] | None, names: tuple[str, ...]) -> str:
    return " ".join(f"{scores[n]:g}" for n in names) if scores else ""


def form_values(ws: Workspace, item: ItemView | None) -> dict[str, str]:
    """An item's fields as the form shows them (empty for a new item)."""
    if item is None:
        return {name: "" for name in SHORT_FIELDS + LONG_FIELDS} | {"kind": "story"}
    parent = ws.items.get(item.parent) if item.parent else None
    sprint = ws.sprints.get(item.sprint) if item.sprint else None
    release = ws.releases.get(item.release) if item.release else None
    return {
        "title": item.title, "kind": item.kind, "points": "" if item.points is None else f"{item.points:g}",
        "assignee": item.assignee or "", "labels": ", ".join(item.labels), "epic": parent.key if parent else "",
        "sprint": sprint.name if sprint else "", "release": release.name if release else "",
        "moscow": item.moscow or "", "rice": _scores_text(item.rice, RICE_FIELDS),
        "wsjf": _scores_text(item.wsjf, WSJF_FIELDS), "description": item.description,
        "acceptance": item.acceptance,
    }


def to_fields(values: dict[str, str]) -> dict[str, Any]:
    """Form text -> workbench field values (names resolved by the workbench)."""
    out: dict[str, Any] = {}
    for name, text in values.items():
        text = text if name in LONG_FIELDS else text.strip()
        if name == "points":
            try:
                out[name] = float(text) if text else None
            except ValueError:
                raise ValidationError(f"points is a number (got {text!r})") from None
        elif name == "labels":
            out[name] = [part.strip() for part in text.replace(",", " ").split() if part.strip()]
        elif name == "rice":
            out[name] = parse_scores(text, "RICE")
        elif name == "wsjf":
            out[name] = parse_scores(text, "WSJF")
        elif name in ("title", "kind", *LONG_FIELDS):
            out[name] = text
        else:  # an empty reference or choice clears it
            out[FIELD_NAMES.get(name, name)] = text or None
    return out


def history_text(ws: Workspace, records: list[Any]) -> Text:
    """The item's field changes (its comments are shown apart, as a thread)."""
    text = Text()
    for entry in history(ws, records):
        if entry.event.endswith(".Commented"):
            continue
        text.append(f"{local(entry.occurred)} ", style="dim")
        text.append(f"{entry.actor:<8} ", style="bold")
        text.append(entry.summary)
        if entry.reason:
            text.append(f"  — {entry.reason}", style="dim")
        text.append("\n")
    return text if text.plain else Text("No history yet.", style="dim")


def evidence_text(found: Evidence, item: ItemView, limit: int = 5) -> Text:
    """Who asked for it: distinct customers and companies, the newest quotes, the suggested reach."""
    if not found.quotes:
        return Text("No customer feedback linked yet (the Feedback view links notes: key 8).", style="dim")
    text = Text()
    text.append(f"{counted(found.customer_count, 'customer')} · {counted(found.company_count, 'company', 'companies')} · {counted(len(found.quotes), 'quote')}",
                style="bold")
    if item.kind != "epic":
        text.append(f" · suggested RICE reach {found.customer_count}", style="italic")
    for quote in found.quotes[:limit]:
        who = " · ".join(p for p in (quote.customer, quote.company) if p) or "(unknown)"
        text.append(f"\n{quote.said_at or '':<10} {quote.ref:<6} ", style="dim")
        text.append(f"{quote.importance:<12} ", style="bold red" if quote.importance == "critical" else "")
        text.append(f"{who}: “{' '.join(quote.text.split())}”")
    if len(found.quotes) > limit:
        text.append(f"\n… {len(found.quotes) - limit} more", style="dim")
    return text


def documents_text(ws: Workspace, item: ItemView) -> Text:
    docs = documents_of(ws, item.id)
    if not docs:
        return Text("No documents (the Documents view writes one: key 9).", style="dim")
    return Text("\n".join(f"{d.ref:<6} {d.title} · {d.kind} · version {d.revision} · {local(d.updated)} by "
                          f"{d.updated_by}" for d in docs))


class LastWordSuggester(Suggester):
    """Completes the last comma-separated word (labels: "mobile, chec" -> "mobile, checkout")."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = sorted(set(words), key=str.lower)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        last = last.lstrip()
        if not last:
            return None
        match = next((w for w in self.words if w.lower().startswith(last.lower()) and w != last), None)
        if match is None:
            return None
        return f"{head}, {match}" if head else match


def pickers(ws: Workspace) -> dict[str, Suggester]:
    """Completion for the fields that name other things: epics (key, title or both), people
    (users and past assignees), open sprints, releases and labels in use."""
    epics = [i for i in ws.items.values() if i.kind == "epic" and not i.archived]
    sprints = [s.name for s in ws.sprints.values() if s.state != "closed"]
    labels = {label for i in ws.items.values() for label in i.labels}
    return {
        "epic": SuggestFromList([f"{e.key} {e.title}" for e in epics] + [e.title for e in epics], case_sensitive=False),
        "assignee": SuggestFromList(["me", *people(ws)], case_sensitive=False),
        "sprint": SuggestFromList(sprints, case_sensitive=False),
        "release": SuggestFromList([r.name for r in ws.releases.values()], case_sensitive=False),
        "labels": LastWordSuggester(sorted(labels)),
    }


def comment_widgets(ws: Workspace, item: ItemView) -> list[Widget]:
    """The item's comments, oldest first: who and when, then the text as Markdown."""
    thread = [c for c in ws.comments if c.item_id == item.id]
    if not thread:
        return [Static("No comments yet. Ctrl+O adds one (c on the board or the backlog).", classes="dialog-hint")]
    widgets: list[Widget] = []
    for comment in thread:
        widgets.append(Static(Text.assemble((comment.actor, "bold"), ("  " + local(comment.at), "dim")),
                              classes="comment-head"))
        widgets.append(Markdown(comment.text, classes="comment-body"))
    return widgets


class ItemModal(ModalScreen[str | None]):
    AUTO_FOCUS = "#field-title"
    """Edit the item ``key`` (or create one in ``column`` when key is None). Dismisses with the key
    saved, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="item.save", tooltip="Save the changes"),
        Binding("ctrl+o", "comment", "Comment", id="item.comment", tooltip="Add a comment to the item"),
        Binding("ctrl+r", "accept_reach", "Reach", id="item.accept_reach",
                tooltip="Put the customer evidence's count of distinct customers into RICE's reach"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="item.editor",
                tooltip="Edit the focused long text in $EDITOR"),
        Binding("escape,ctrl+g", "close", "Close", id="item.close", tooltip="Close (asks first when something changed)"),
    ]

    def __init__(self, key: str | None = None, column: str | None = None, sprint: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.key = key
        self._assignee_confirmed = False
        self._saving = False  # a save on its way to the store
        self.suggested_reach = 0  # distinct customers in the item's evidence (Ctrl+R), set in compose
        self.column = column
        self.sprint = sprint

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def item(self) -> ItemView | None:
        return self.pm.ws.item_by_key(self.key) if self.key else None

    def compose(self) -> ComposeResult:
        ws = self.pm.ws
        item = self.item()
        values = form_values(ws, item)
        self.loaded = dict(values)  # what the user started from: their changes are relative to it
        if item is None and self.sprint:
            values["sprint"] = self.sprint
        read_only = self.pm.read_only or self.pm.viewer
        self.form_read_only = read_only
        if item is not None:
            title = f"{item.key} · {item.kind} in {item.status}" + (" · archived" if item.archived else "")
        else:
            title = f"New item in {self.column or 'the first column'}"
        form = VerticalScroll(classes="dialog item-form", id="item-form")
        form.can_focus = False  # the first field takes the keys, never the scrolling frame
        with form:
            # The keys in the title: on a small terminal the buttons are below the fold.
            why = "the past" if self.pm.read_only else "you are a viewer"
            keys = (f" · read-only ({why}) · Esc close" if read_only
                    else " · Ctrl+S save · Ctrl+O comment · Esc close" if item is not None else " · Ctrl+S save · Esc close")
            yield Label(title + keys, classes="dialog-title")
            suggesters = {} if read_only else pickers(ws)
            with Grid(id="item-fields"):
                for name in SHORT_FIELDS:
                    yield Label(LABELS.get(name, name.capitalize()), classes="field-label")
                    if name == "kind":
                        yield Select([(k.value, k.value) for k in ItemKind], value=values[name], allow_blank=False,
                                     id="field-kind", disabled=read_only)
                    elif name == "moscow":
                        yield Select([(m.value, m.value) for m in Moscow], value=values[name] or Select.NULL,
                                     prompt="(none)", id="field-moscow", disabled=read_only)
                    else:
                        yield Input(values[name], placeholder=PLACEHOLDERS.get(name, ""), id=f"field-{name}",
                                    disabled=read_only, select_on_focus=False, suggester=suggesters.get(name))
            for name in LONG_FIELDS:
                yield Label(f"{name.capitalize()} (Ctrl+E opens $EDITOR)", classes="field-label")
                yield TextArea(values[name], id=f"field-{name}", classes="long-text", read_only=read_only,
                               soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary", disabled=read_only)
                yield Button("Close (Esc)", id="close")
            if item is not None:
                yield Label("Comments", classes="dialog-title")
                yield VerticalGroup(*comment_widgets(ws, item), id="item-comments")  # (Vertical is 1fr: it clipped the thread)
                yield Label("Customer evidence", classes="dialog-title")
                found = evidence(ws, item.id)
                self.suggested_reach = found.customer_count if item.kind != "epic" else 0
                yield Static(evidence_text(found, item), id="item-evidence")
                yield Label("Documents", classes="dialog-title")
                yield Static(documents_text(ws, item), id="item-documents")
                yield Label("History", classes="dialog-title")
                yield Static(history_text(ws, self.pm.wb.records_of(item.id)), id="item-history")

    def on_mount(self) -> None:
        self.query_one("#field-title", Input).focus()
        flush_early_keys(self, "#field-title")

    def on_key(self, event: events.Key) -> None:
        catch_early_key(self, event, "#field-title")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Viewers and the past get no write keys in the footer (and the keys do nothing).
        if action in ("save", "comment", "external_editor") and self.form_read_only:
            return False
        if action == "comment" and self.key is None:
            return False
        if action == "accept_reach":  # offered where there is evidence to take the reach from
            return not self.form_read_only and self.suggested_reach > 0
        return True

    def action_accept_reach(self) -> None:
        """The suggested reach goes into the form's RICE field (the user sees it and saves with
        Ctrl+S, or types the other parts first when the item has no RICE score yet)."""
        reach = self.suggested_reach
        field = self.query_one("#field-rice", Input)
        parts = field.value.split()
        field.value = " ".join([str(reach), *parts[1:]]) + ("" if len(parts) == len(RICE_FIELDS) else " ")
        field.focus()
        field.cursor_position = len(field.value)
        missing = len(RICE_FIELDS) - max(len(parts), 1)
        self.notify(f"RICE reach {reach}: the distinct customers who asked for it · "
                    + (f"type {' '.join(RICE_FIELDS[-missing:])}, then " if missing else "") + "Ctrl+S saves",
                    timeout=4)

    def action_comment(self) -> None:
        from pmtui.tui.modals.comment import CommentModal

        if self.key is None:
            return

        async def posted(done: bool | None) -> None:
            if done:
                thread = self.query_one("#item-comments", VerticalGroup)
                await thread.remove_children()
                item = self.item()
                if item is not None:
                    await thread.mount_all(comment_widgets(self.pm.ws, item))

        self.app.push_screen(CommentModal(self.key), posted)

    # Reading the form --------------------------------------------------------------------------
    def current_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in SHORT_FIELDS:
            widget = self.query_one(f"#field-{name}")
            if isinstance(widget, Select):
                values[name] = "" if widget.value is Select.NULL else str(widget.value)
            else:
                values[name] = widget.value  # type: ignore[attr-defined]
        for name in LONG_FIELDS:
            values[name] = self.query_one(f"#field-{name}", TextArea).text
        return values

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_close()

    def changed_fields(self) -> list[str]:
        after = self.current_values()
        return [name for name, value in after.items() if value != self.loaded[name]]

    def action_close(self) -> None:
        if self.form_read_only or not self.changed_fields():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        changed = ", ".join(self.changed_fields())
        self.app.push_screen(ConfirmModal(f"Discard your changes ({changed})?"), answered)

    def action_save(self) -> None:
        if not self.pm.read_only:
            self.pm.wb.refresh()
        item = self.item()
        after = self.current_values()
        changed = {name: value for name, value in after.items() if value != self.loaded[name]}
        if item is not None and not changed:
            self.dismiss(None)
            return
        if item is not None:
            # Someone else may have changed the item while the form was open: their changes to
            # other fields stay; a field both changed is a conflict the user decides.
            fresh = form_values(self.pm.ws, item)
            clashes = [name for name in changed if fresh[name] != self.loaded[name] and fresh[name] != after[name]]
            if clashes:
                self.notify(f"Someone else changed {', '.join(clashes)} of {item.key} meanwhile (now: "
                            + "; ".join(f"{name} = {fresh[name] or '∅'}" for name in clashes)
                            + "). Nothing saved: close and reopen to see their version.",
                            severity="error", title="Conflict", timeout=8)
                return

        assignee = after["assignee"].strip()
        if "assignee" in changed and assignee and assignee.lower() != "me" and not self._assignee_confirmed \
                and assignee.lower() not in {p.lower() for p in people(self.pm.ws)}:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._assignee_confirmed = True
                    self.action_save()

            self.app.push_screen(ConfirmModal(f"{assignee} is nobody pmtui knows yet (no user, never assigned). "
                                              "Assign to them anyway?"), answered)
            return

        if self._saving:
            return  # Ctrl+S again before the store answered: saved once
        self._saving = True

        def save(wb: Workbench) -> str:  # in the background writer, on its own workbench
            fields = to_fields(changed)
            if item is None:
                title = fields.pop("title", "") or ""
                kind = fields.pop("kind", None) or "story"
                fields = {k: v for k, v in fields.items() if v not in (None, "", [])}
                return wb.add_item(title, kind=kind, status=self.column, **fields)
            wb.edit_item(item.key, **fields)
            return item.key

        def saved(key: object) -> None:
            self._saving = False
            if key is not None:
                self.notify(f"{key} {'created' if item is None else 'saved'}", timeout=2)
                if self.is_attached:
                    self.dismiss(str(key))

        self.pm.write_in_background(save, then=saved)

    # Long text in $EDITOR ----------------------------------------------------------------------
    def action_external_editor(self) -> None:
        focused = self.focused
        area = focused if isinstance(focused, TextArea) else self.query_one("#field-description", TextArea)
        if area.read_only:
            return
        edited = edit_in_editor(self.pm, area.text)
        if edited is not None:
            area.load_text(edited)


def edit_in_editor(app: PmApp, text: str) -> str | None:
    """Suspend the TUI, edit ``text`` in $VISUAL/$EDITOR, return the new text (None if impossible)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w+", suffix=".md", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        try:
            with app.suspend():
                result = subprocess.run([*shlex.split(editor), path], check=False)
        except SuspendNotSupported:
            app.notify("This terminal cannot hand over to an editor here: edit the text in the box",
                       severity="warning")
            return None
        except OSError as error:
            app.notify(f"Cannot run the editor {editor!r}: {error.strerror}", severity="error")
            return None
        if result.returncode != 0:
            app.notify(f"The editor exited with {result.returncode}: text unchanged", severity="warning")
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    finally:
        os.unlink(path)
