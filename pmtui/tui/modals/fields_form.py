"""A small form in a modal: a few labelled one-line inputs, Enter in any of them submits.

Used for the short questions the backlog, roadmap and OKR views ask (a new item's title, the
fields of a bulk edit, the reason for a roadmap decision, a key result's check-in). The form
returns ``{name: text}`` (stripped) or ``None`` when cancelled. Cancel works with Esc, Ctrl+G or
the Cancel button, so it never depends on Esc alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    required: bool = False


class FieldsForm(ModalScreen[dict[str, str] | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+g", "cancel", "Cancel", show=False),
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
                yield Input(value=field.value, placeholder=field.placeholder, id=f"field-{field.name}")
            yield Static("", classes="form-error", id="form-error")
            with Horizontal():
                yield Button(f"{self.submit_label} ⏎", variant="primary", id="form-ok")
                yield Button("Cancel ^G", id="form-cancel")

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}", Input).focus()

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
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-ok":
            self.action_submit()
        else:
            self.action_cancel()
