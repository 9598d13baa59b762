"""A one-line question asked inside the view (time travel's "As of when?"), not as a dialog.

A dialog is a new screen: composing and styling it, and tinting the whole view under it (Textual
draws every cell of the screen below again, dimmed, for each frame of a modal screen), cost the
`t` prompt 100-400 ms of a loaded machine at 50k items. This prompt is part of every view from
the start, hidden, in a layer of its own above the view's widgets: asking shows it and moves the
focus to it, so the frame that shows it repaints only its own few lines.

While it is open the view's keys stay out of its way (``PmScreen.check_action``): it has the
focus, printable keys are text, Enter answers, Esc (or the focus leaving it) cancels; an empty
answer cancels too, as the dialog did."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label

Answer = Callable[[str | None], None]


class LinePrompt(Vertical):
    """Hidden until ``ask``; calls back with the answer (None when cancelled or left empty)."""

    BINDINGS = [Binding("escape,ctrl+g", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self) -> None:
        super().__init__(id="line-prompt", classes="dialog")
        self._then: Answer | None = None
        self._focused_before: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Label(id="line-prompt-question", classes="dialog-title")
        yield Input(id="line-prompt-answer", select_on_focus=False)
        yield Label(id="line-prompt-hint", classes="dialog-hint")

    @property
    def is_open(self) -> bool:
        return self._then is not None

    def ask(self, question: str, then: Answer, placeholder: str = "", hint: str = "") -> None:
        self._focused_before = self.screen.focused
        self._then = then
        self.query_one("#line-prompt-question", Label).update(question)
        self.query_one("#line-prompt-hint", Label).update(hint or "Enter to confirm · empty Enter or Esc cancels")
        answer = self.query_one("#line-prompt-answer", Input)
        answer.placeholder = placeholder
        answer.value = ""
        self.display = True
        answer.focus()
        self.screen.refresh_bindings()  # the view's keys are off while it asks

    def _close(self, answer: str | None) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        self.display = False
        before, self._focused_before = self._focused_before, None
        if before is not None and before.is_attached:
            before.focus()
        self.screen.refresh_bindings()
        then(answer)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close(event.value.strip() or None)

    def on_descendant_blur(self) -> None:
        # The focus went elsewhere (a click, Tab): the question is dropped, not left open under
        # keys that now go to the view.
        if self.is_open:
            self.call_later(self._cancel_if_unfocused)

    def _cancel_if_unfocused(self) -> None:
        if self.is_open and not self.query_one("#line-prompt-answer", Input).has_focus:
            self._close(None)

    def action_cancel(self) -> None:
        self._close(None)
