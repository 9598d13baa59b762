"""Planning a sprint: name, goal, dates, and the items picked from the ranked backlog (Space
toggles an item; the total of points picked is shown as you go). Ctrl+S plans it.

Pickers: the goal completes from the roadmap's Now items and the objectives, the dates from the
sprint cadence (after the last sprint, today, next Monday; ends one, two or three weeks on), and
the filter over the items from epic names, people and labels; picks survive a change of filter."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual.suggester import SuggestFromList

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from pmtui.counts import counted
from pmtui.tui.widgets.pick_list import PickList

from pmtui.service.workbench import Workbench
from projections.sprint_view import sprints_of
from projections.state import ItemView, SprintView, Workspace

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

CANDIDATES_SHOWN = 300  # the top of the ranked backlog; nobody plans from rank 5000


def candidates(wb: Workbench, ws: Workspace, board_id: str, sprint_id: str | None = None) -> list[ItemView]:
    """Items the service would let join a sprint (``Workbench.sprint_refusal``), and offered only
    if in no other open sprint (planning takes from the backlog, not from another sprint)."""
    open_sprints = {s.id for s in ws.sprints.values() if s.state != "closed" and s.id != sprint_id}
    probe = ws.sprints.get(sprint_id or "") or SprintView(id="", board_id=board_id, name="", goal="", start=None, end=None)
    chosen = [i for i in ws.items.values()
              if i.board_id == board_id and i.sprint not in open_sprints and wb.sprint_refusal(i, probe) is None]
    chosen.sort(key=lambda i: i.rank)
    return chosen[:CANDIDATES_SHOWN]


def suggested(ws: Workspace, board_id: str, today: date) -> tuple[str, str, str]:
    """A name and dates following the last sprint (two weeks each)."""
    sprints = sprints_of(ws, board_id)
    number = max((s.number for s in sprints), default=0) + 1
    last_end = max((s.end for s in sprints if s.end), default=None)
    start = date.fromisoformat(last_end) + timedelta(days=1) if last_end else today
    return f"Sprint {number}", start.isoformat(), (start + timedelta(days=13)).isoformat()


def goal_suggestions(ws: Workspace) -> list[str]:
    """What a sprint usually serves: the roadmap's Now items, then the open objectives."""
    now = sorted((r for r in ws.roadmap.values() if r.horizon == "now" and r.status not in ("done", "dropped")),
                 key=lambda r: r.number)
    objectives = sorted((o for o in ws.objectives.values() if not o.archived),
                        key=lambda o: o.number)
    return list(dict.fromkeys([r.title for r in now] + [o.title for o in objectives]))


def date_suggestions(start: str, today: date) -> tuple[list[str], list[str]]:
    """Start dates (the cadence's, today, next Monday) and end dates one, two, three weeks on."""
    first = date.fromisoformat(start)
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    starts = list(dict.fromkeys(d.isoformat() for d in (first, today, monday)))
    ends = [(first + timedelta(days=days)).isoformat() for days in (13, 6, 20)]
    return starts, ends


def filter_words(ws: Workspace, items: list[ItemView]) -> list[str]:
    """Completion for the item filter: the candidates' epics, assignees and labels."""
    epics = {i.parent for i in items if i.parent}
    words = [ws.items[e].title for e in epics if e in ws.items]
    words += sorted({i.assignee for i in items if i.assignee}, key=str.lower)
    words += sorted({label for i in items for label in i.labels})
    return list(dict.fromkeys(words))


def matches(ws: Workspace, item: ItemView, text: str) -> bool:
    """Every word of ``text`` in the item's key, title, epic, assignee or labels."""
    epic = ws.items[item.parent].title if item.parent and item.parent in ws.items else ""
    haystack = " ".join([item.key, item.title, epic, item.assignee or "", *item.labels]).lower()
    return all(word in haystack for word in text.lower().split())


class PlanSprintModal(ModalScreen[str | None]):
    """Dismisses with the planned sprint's name, or None."""

    BINDINGS = [
        Binding("ctrl+s", "plan", "Plan", tooltip="Plan the sprint with the picked items", id="plan.plan"),
        Binding("slash", "filter", "Filter", tooltip="Show only the items matching words, an epic, a person or a label",
                id="plan.filter"),
        Binding("escape,ctrl+g", "close", "Close", tooltip="Close without planning", id="plan.close"),
    ]

    def __init__(self, board_id: str) -> None:
        super().__init__(classes="dialog-screen")
        self.board_id = board_id
        self._planning = False  # a plan on its way to the store

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        ws = self.pm.ws
        name, start, end = suggested(ws, self.board_id, self.pm.today().date())
        self.items = candidates(self.pm.wb, ws, self.board_id)
        self.picked: set[str] = set()
        starts, ends = date_suggestions(start, self.pm.today().date())
        suggest = lambda values: SuggestFromList(values, case_sensitive=False) if values else None  # noqa: E731
        with Vertical(classes="dialog plan-form"):
            yield Label("Plan a sprint · → completes · Space picks items · / filters them · Ctrl+S plans",
                        classes="dialog-title")
            with Grid(id="plan-fields"):
                yield Label("Name")
                yield Input(name, id="plan-name", suggester=suggest([name]))
                yield Label("Goal")
                yield Input(placeholder="what this sprint achieves (→ completes a Now item or objective)",
                            id="plan-goal", suggester=suggest(goal_suggestions(ws)), select_on_focus=False)
                yield Label("Start")
                yield Input(start, placeholder="YYYY-MM-DD", id="plan-start", suggester=suggest(starts))
                yield Label("End")
                yield Input(end, placeholder="YYYY-MM-DD", id="plan-end", suggester=suggest(ends))
                yield Label("Filter")
                # Out of the Tab order (Tab from the dates goes on to the items, as it always did):
                # / reaches it.
                self.filter_box = Input(placeholder="/ items by words, epic, person or label (→ completes)",
                                        id="plan-filter", suggester=suggest(filter_words(ws, self.items)),
                                        select_on_focus=False)
                self.filter_box.can_focus = False
                yield self.filter_box
            yield Label("", id="plan-total")
            yield PickList(self._rows(""), id="plan-items")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Plan (Ctrl+S)", id="plan", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#plan-goal", Input).focus()
        self.show_total()

    def _rows(self, text: str) -> list[tuple[str, str]]:
        ws = self.pm.ws
        shown = [i for i in self.items if not text or matches(ws, i, text)]
        return [(f"{i.key:<7} {'' if i.points is None else f'{i.points:g}pt':>5}  {i.title}", i.key) for i in shown]

    def on_selection_list_selected_changed(self) -> None:
        pick_list = self.query_one("#plan-items", PickList)
        shown = {pick_list.get_option_at_index(n).value for n in range(pick_list.option_count)}
        # Picks hidden by the filter stay picked.
        self.picked = (self.picked - shown) | set(pick_list.selected)
        self.show_total()

    def action_filter(self) -> None:
        self.filter_box.can_focus = True
        self.filter_box.focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget is self.filter_box:
            self.filter_box.can_focus = False

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "plan-filter":
            event.stop()
            self.query_one("#plan-items", PickList).replace_rows(self._rows(event.value), self.picked)

    def show_total(self) -> None:
        points = sum(i.points or 0 for i in self.items if i.key in self.picked)
        self.query_one("#plan-total", Label).update(
            f"Picked {counted(len(self.picked), 'item')}, {points:g} points (from the top {len(self.items)} of the ranked backlog)")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "plan-filter":
            self.query_one("#plan-items", PickList).focus()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "plan":
            self.action_plan()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_plan(self) -> None:
        if self._planning:
            return  # Ctrl+S again before the store answered: one sprint, not a refused second
        value = lambda name: self.query_one(f"#plan-{name}", Input).value.strip()  # noqa: E731
        name, goal, start, end = value("name"), value("goal"), value("start") or None, value("end") or None
        keys = list(self.picked)
        # Keep the backlog's order in the sprint, whatever order they were picked in.
        order = {i.key: n for n, i in enumerate(self.items)}
        keys.sort(key=lambda k: order.get(k, 0))

        self._planning = True

        def planned(result: object) -> None:
            self._planning = False
            if result is not None and self.is_attached:
                self.dismiss(str(result))

        self.pm.write_in_background(lambda wb: wb.plan_sprint(name, goal, start, end, items=keys),  # all or nothing
                                    f"{name} planned with {counted(len(keys), 'item')}", then=planned)
