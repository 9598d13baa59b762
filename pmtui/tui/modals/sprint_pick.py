"""Adding items to a planned or active sprint: pick them from the ranked backlog (Space), Ctrl+S."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList

from pmtui.tui.widgets.pick_list import PickList

from pmtui.tui.modals.sprint_plan import candidates

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp


class PickItemsModal(ModalScreen[int | None]):
    BINDINGS = [
        Binding("ctrl+s", "add", "Add", tooltip="Add the picked items to the sprint", id="pick.add"),
        Binding("escape,ctrl+g", "close", "Close", id="pick.close"),
    ]

    def __init__(self, sprint_id: str) -> None:
        super().__init__(classes="dialog-screen")
        self.sprint_id = sprint_id

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        ws = self.pm.ws
        sprint = ws.sprints[self.sprint_id]
        self.items = [i for i in candidates(self.pm.wb, ws, sprint.board_id, sprint.id) if i.sprint != sprint.id]
        with Vertical(classes="dialog plan-form"):
            yield Label(f"Add items to {sprint.name} · Space picks · Ctrl+S adds", classes="dialog-title")
            yield PickList(
                [(f"{i.key:<7} {'' if i.points is None else f'{i.points:g}pt':>5}  {i.title}", i.key) for i in self.items],
                id="plan-items",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (Ctrl+S)", id="add", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#plan-items").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_add() if event.button.id == "add" else self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        keys = list(self.query_one("#plan-items", SelectionList).selected)
        if not keys:
            self.dismiss(None)
            return
        name = self.pm.ws.sprints[self.sprint_id].name
        def added(done: object) -> None:
            if done and self.is_attached:
                self.dismiss(len(keys))

        self.pm.write_in_background(lambda wb: wb.add_to_sprint(name, keys), f"{len(keys)} item(s) added to {name}",
                                    then=added)
