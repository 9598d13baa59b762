"""Small dialogs: a one-line question and a yes/no confirmation. Neither needs Esc: an empty
answer cancels the question, ``y``/``n`` answer the confirmation."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class AskModal(ModalScreen[str | None]):
    """Asks one question; dismisses with the answer, or None when left empty or cancelled."""

    BINDINGS = [Binding("escape,ctrl+g", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, question: str, placeholder: str = "", value: str = "", hint: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer", select_on_focus=False)
            yield Label(self.hint or "Enter to confirm · empty Enter or Esc cancels", classes="dialog-hint")

    def on_key(self, event: events.Key) -> None:
        from pmtui.tui.modals.fields_form import catch_early_key

        catch_early_key(self, event, "#answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer = event.value.strip()
        self.dismiss(answer or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question answered with y or n (Esc also means no)."""

    BINDINGS = [Binding("y", "answer(True)", "Yes", id="dialog.answer.on"), Binding("n,escape", "answer(False)", "No", id="dialog.answer.off")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("y  Yes", id="yes", variant="error")
                yield Button("n  No", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceModal(ModalScreen[str | None]):
    """A question answered by one key per choice (``choices``: key, label, value); Esc cancels."""

    BINDINGS = [Binding("escape,ctrl+g", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            for key, label, value in self.choices:
                yield Button(f"{key}  {label}", id=f"choice-{value}")
            yield Label("Press the key of a choice · Esc cancels", classes="dialog-hint")

    def on_key(self, event: Any) -> None:
        for key, _, value in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)
