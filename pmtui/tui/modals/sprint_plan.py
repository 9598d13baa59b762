"""Planning a sprint: name, goal, dates, and the items picked from the ranked backlog (Space
toggles an item; the total of points picked is shown as you go). Ctrl+S plans it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList

from pmtui.tui.widgets.pick_list import PickList

from projections.sprint_view import done_columns, sprints_of
from projections.state import ItemView, Workspace

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

CANDIDATES_SHOWN = 300  # the top of the ranked backlog; nobody plans from rank 5000


def candidates(ws: Workspace, board_id: str, sprint_id: str | None = None) -> list[ItemView]:
    """Items that can join a sprint: not done, not archived, not epics, not in another open sprint."""
    finished = done_columns(ws, board_id)
    open_sprints = {s.id for s in ws.sprints.values() if s.state != "closed" and s.id != sprint_id}
    chosen = [i for i in ws.items.values()
              if i.board_id == board_id and not i.archived and i.kind != "epic" and i.status not in finished
              and i.sprint not in open_sprints]
    chosen.sort(key=lambda i: i.rank)
    return chosen[:CANDIDATES_SHOWN]


def suggested(ws: Workspace, board_id: str, today: date) -> tuple[str, str, str]:
    """A name and dates following the last sprint (two weeks each)."""
    sprints = sprints_of(ws, board_id)
    number = max((s.number for s in sprints), default=0) + 1
    last_end = max((s.end for s in sprints if s.end), default=None)
    start = date.fromisoformat(last_end) + timedelta(days=1) if last_end else today
    return f"Sprint {number}", start.isoformat(), (start + timedelta(days=13)).isoformat()


class PlanSprintModal(ModalScreen[str | None]):
    """Dismisses with the planned sprint's name, or None."""

    BINDINGS = [
        Binding("ctrl+s", "plan", "Plan", tooltip="Plan the sprint with the picked items", id="plan.plan"),
        Binding("escape,ctrl+g", "close", "Close", tooltip="Close without planning", id="plan.close"),
    ]

    def __init__(self, board_id: str) -> None:
        super().__init__(classes="dialog-screen")
        self.board_id = board_id

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        ws = self.pm.ws
        name, start, end = suggested(ws, self.board_id, self.pm.today().date())
        self.items = candidates(ws, self.board_id)
        with Vertical(classes="dialog plan-form"):
            yield Label("Plan a sprint · Space picks items · Ctrl+S plans", classes="dialog-title")
            with Grid(id="plan-fields"):
                yield Label("Name")
                yield Input(name, id="plan-name")
                yield Label("Goal")
                yield Input(placeholder="what this sprint achieves", id="plan-goal")
                yield Label("Start")
                yield Input(start, placeholder="YYYY-MM-DD", id="plan-start")
                yield Label("End")
                yield Input(end, placeholder="YYYY-MM-DD", id="plan-end")
            yield Label("", id="plan-total")
            yield PickList(
                [(f"{i.key:<7} {'' if i.points is None else f'{i.points:g}pt':>5}  {i.title}", i.key) for i in self.items],
                id="plan-items",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Plan (Ctrl+S)", id="plan", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#plan-goal", Input).focus()
        self.show_total()

    def on_selection_list_selected_changed(self) -> None:
        self.show_total()

    def show_total(self) -> None:
        picked = set(self.query_one("#plan-items", SelectionList).selected)
        points = sum(i.points or 0 for i in self.items if i.key in picked)
        self.query_one("#plan-total", Label).update(
            f"Picked {len(picked)} items, {points:g} points (from the top {len(self.items)} of the ranked backlog)")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "plan":
            self.action_plan()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_plan(self) -> None:
        wb = self.pm.wb
        value = lambda name: self.query_one(f"#plan-{name}", Input).value.strip()  # noqa: E731
        name, goal, start, end = value("name"), value("goal"), value("start") or None, value("end") or None
        keys = [key for key in self.query_one("#plan-items", SelectionList).selected]
        # Keep the backlog's order in the sprint, whatever order they were picked in.
        order = {i.key: n for n, i in enumerate(self.items)}
        keys.sort(key=lambda k: order.get(k, 0))

        def plan() -> str:
            planned = wb.plan_sprint(name, goal, start, end)
            if keys:
                wb.add_to_sprint(planned, keys)
            return planned

        planned = self.pm.write(plan, f"{name} planned with {len(keys)} items")
        if planned is not None:
            self.dismiss(str(planned))
