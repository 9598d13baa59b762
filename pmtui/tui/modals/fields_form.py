"""A small form in a modal: a few labelled one-line inputs, Enter in any of them submits.

Used for the short questions the backlog, roadmap and OKR views ask (a new item's title, the
fields of a bulk edit, the reason for a roadmap decision, a key result's check-in). The form
returns ``{name: text}`` (stripped) or ``None`` when cancelled. Cancel works with Esc, Ctrl+G or
the Cancel button, so it never depends on Esc alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static


def catch_early_key(screen: ModalScreen, event: events.Key, first: str) -> None:
    """A key typed before the form's first field has focus (the form is still appearing: the user
    pressed n and typed straight on) goes into that field instead of being lost or taken as a
    command of the form. Keys that come before the field even exists wait in a buffer."""
    focused = screen.focused
    if focused is not None and not isinstance(focused, ScrollableContainer) or not event.is_printable \
            or event.character is None:
        return
    event.stop()
    event.prevent_default()
    buffer: list[str] = screen.__dict__.setdefault("_early_keys", [])
    buffer.append(event.character)
    flush_early_keys(screen, first)


def flush_early_keys(screen: ModalScreen, first: str) -> None:
    """Put the buffered early keys into the first field (call from the form's on_mount too)."""
    buffer: list[str] = screen.__dict__.get("_early_keys", [])
    widgets = screen.query(first)
    if not buffer or not widgets:
        return
    field = widgets.first()
    if isinstance(field, Input) and not field.disabled:
        # Focus at once (not after a refresh): the next key must already go to the field.
        screen.set_focus(field, scroll_visible=False)
        field.insert_text_at_cursor("".join(buffer))
    buffer.clear()


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    required: bool = False
    suggestions: tuple[str, ...] = ()  # completion as the user types (→ accepts it)


class FieldsForm(ModalScreen[dict[str, str] | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+g", "cancel", "Cancel", show=False, id="form.cancel"),
    ]
    DEFAULT_CSS = """
    FieldsForm { align: center middle; }
    FieldsForm > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FieldsForm .form-title { text-style: bold; width: 100%; }
    FieldsForm .form-note { color: $text-muted; width: 100%; }
    FieldsForm Label { margin-top: 0; }
    FieldsForm Input { height: 1; border: none; padding: 0 1; background: $boost; }
    FieldsForm Input:focus { height: 1; border: none; background: $accent 30%; }
    FieldsForm .form-error { color: $error; width: 100%; height: auto; }
    FieldsForm Horizontal { height: auto; align-horizontal: right; }
    FieldsForm Button { margin-left: 1; }
    """

    def __init__(self, title: str, fields: list[Field], note: str = "", submit_label: str = "OK") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.note = note
        self.submit_label = submit_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title")
            if self.note:
                yield Static(self.note, classes="form-note")
            for field in self.fields:
                yield Label(field.label)
                suggester = SuggestFromList(field.suggestions, case_sensitive=False) if field.suggestions else None
                # select_on_focus off: focus arriving after the first keys must not select them
                # (the next key would replace them).
                yield Input(value=field.value, placeholder=field.placeholder, id=f"field-{field.name}",
                            suggester=suggester, select_on_focus=False)
            yield Static("", classes="form-error", id="form-error")
            with Horizontal():
                yield Button(f"{self.submit_label} ⏎", variant="primary", id="form-ok")
                yield Button("Cancel ^G", id="form-cancel")

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}", Input).focus()
        flush_early_keys(self, f"#field-{self.fields[0].name}")

    def on_key(self, event: events.Key) -> None:
        catch_early_key(self, event, f"#field-{self.fields[0].name}")

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}

    def action_submit(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and not values[f.name]]
        if missing:
            self.query_one("#form-error", Static).update(f"{missing[0]} is needed")
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        # Leaving a form the user typed into asks first: Esc must not throw their work away.
        if all(self.values()[f.name] == f.value.strip() for f in self.fields):
            self.dismiss(None)
            return
        from pmtui.tui.modals.prompt import ConfirmModal

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal("Discard what you typed?"), answered)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-ok":
            self.action_submit()
        else:
            self.action_cancel()
