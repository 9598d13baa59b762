"""The base of the small managers (a board's columns, releases, users): a list of things with
keys that change them, each change a service command (``PmApp.write``: a refusal is a
notification, never a traceback), the list redrawn from the store afterwards.

A manager is opened by a view's write key, so viewers and the past never see one; its own keys
are shown in its footer and named in its hint line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from pmtui.service.workbench import Workbench
from pmtui.tui.widgets.footer import KeyBar
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

T = TypeVar("T")


class ManagerModal(ModalScreen[None]):
    """Subclasses set ``TITLE_TEXT``, ``HINT``, ``EMPTY`` and the table's ``COLUMNS``, and implement
    ``rows()`` and ``cells(row)``; ``row_key(row)`` keeps the cursor on a row across redraws."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+g,q", "close", "Close", id="manager.close"),
    ]
    TITLE_TEXT = ""
    HINT = ""
    EMPTY = "Nothing here yet."
    COLUMNS: ClassVar[list[Column]] = []

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog manager"):
            yield Label(self.TITLE_TEXT, classes="dialog-title", id="manager-title")
            yield ItemTable(self.COLUMNS, self.cells, row_key=self.row_key, selectable=False,
                            empty_text=self.EMPTY, id="manager-table")
            yield Label(self.HINT, classes="dialog-hint")
        yield KeyBar(compact=True)

    @property
    def table(self) -> ItemTable:
        return self.query_one("#manager-table", ItemTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    def reload(self, follow: Any = None) -> None:
        """Redraw from the store (after a change: the service's word is what is shown)."""
        self.table.set_rows(self.rows())
        if follow is not None:
            index = self.table.index_of(follow)
            if index >= 0:
                self.table.set_cursor(index)

    def rows(self) -> Sequence[Any]:
        raise NotImplementedError

    def cells(self, row: Any) -> list[Cell]:
        raise NotImplementedError

    def row_key(self, row: Any) -> Any:
        return row

    @property
    def current(self) -> Any:
        return self.table.current_row

    def need_row(self, what: str) -> Any:
        row = self.current
        if row is None:
            self.notify(f"No {what} here yet", severity="warning")
        return row

    def run(self, command: Callable[[Workbench], T], done: str = "", follow: Any = None,
            then: Callable[[T | bool | None], None] | None = None) -> None:
        """One service command for the user, in the background writer (``command`` gets its
        workbench); the list shows the store's state afterwards, then ``then(result)`` runs
        (None when refused)."""
        def finished(result: T | bool | None) -> None:
            if self.is_attached:
                self.reload(follow)
            if then is not None:
                then(result)

        self.pm.write_in_background(command, done, then=finished)

    def action_close(self) -> None:
        self.dismiss(None)


def optional_int(text: str, what: str) -> int | None:
    """An empty field is None; anything else must be a whole number (the service checks the rest)."""
    from pmtui.errors import UserError

    text = text.strip()
    if not text or text in ("-", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        raise UserError(f"{what} must be a whole number (got {text!r}); empty means none") from None


def yes(text: str) -> bool:
    return text.strip().lower() in ("y", "yes", "true", "1", "hard")
