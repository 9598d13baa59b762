"""Add a comment to an item: Markdown in a text box, Ctrl+S posts it, Esc closes (asking first when
something was typed). The comment is an event like any other: the service records who and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from pmtui.tui.modals.prompt import ConfirmModal

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp


class CommentModal(ModalScreen[bool]):
    """Dismisses with True once the comment is recorded, False when closed without one."""

    BINDINGS = [
        Binding("ctrl+s", "post", "Post", id="comment.post", tooltip="Post the comment"),
        Binding("escape,ctrl+g", "close", "Close", id="comment.close", tooltip="Close (asks when something was typed)"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__(classes="dialog-screen")
        self.key = key
        self._posting = False

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        item = self.pm.ws.item_by_key(self.key)
        title = f"{self.key} {item.title}" if item else self.key
        with Vertical(classes="dialog comment-form"):
            yield Label(f"Comment on {title[:60]} · Ctrl+S post · Esc close", classes="dialog-title")
            yield TextArea("", id="comment-text", soft_wrap=True, classes="long-text")
            yield Label("Markdown: **bold**, `code`, - lists, [links](…)", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#comment-text", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#comment-text", TextArea).text

    def action_post(self) -> None:
        text = self.text.strip()
        if not text:
            self.notify("The comment is empty: type something, or Esc to close", severity="warning")
            return
        if self._posting:
            return  # Ctrl+S twice before the store answered: one comment, not two
        self._posting = True
        key = self.key

        def posted(result: object) -> None:
            self._posting = False
            if result is not None:
                self.notify(f"Commented on {key}", timeout=2)
                if self.is_attached:
                    self.dismiss(True)

        self.pm.write_in_background(lambda wb: wb.comment(key, text), then=posted)

    def action_close(self) -> None:
        if not self.text.strip():
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(ConfirmModal("Discard the comment you typed?"), answered)
