"""2 Sprint: one sprint's board with its goal, dates, days left and committed vs done points.
Plan (P), start (S) and close (C, with the carry-over choice) from here; a closed sprint can be
replayed (r): time travel to its start, then ] steps through it event by event to its close.
Cards behave as on the board (H/L move, J/K reorder, e open, n new card in this sprint)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual import work
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import Static

from pmtui.counts import counted, days_left
from pmtui.service.chart_sources import ChartSource
from pmtui.timespec import AsOf
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.modals.prompt import ChoiceModal
from pmtui.tui.modals.sprint_plan import PlanSprintModal
from pmtui.tui.screens.board import BoardScreen
from pmtui.tui.widgets.board_grid import BoardGrid
from pmtui.tui.widgets.chart import ChartWidget
from projections.board_view import BoardSnapshot, board_of, default_board
from projections.sprint_view import active_sprint, next_planned, sprint_items, sprints_of, summarize
from projections.state import SprintView


BURNDOWN_MIN_WIDTH = 120  # narrower terminals give the whole width to the cards


class SprintScreen(BoardScreen):
    mode = "sprint"
    WRITE_ACTIONS = BoardScreen.WRITE_ACTIONS | {"plan", "start", "close_sprint", "add_items", "remove_card"}

    BINDINGS = [
        Binding("P", "plan", "Plan", tooltip="Plan a new sprint: name, goal, dates, items from the backlog", id="sprint.plan"),
        Binding("S", "start", "Start", tooltip="Start the shown sprint (commits its items)", id="sprint.start"),
        Binding("C", "close_sprint", "Close", tooltip="Close the shown sprint; choose where unfinished items go", id="sprint.close_sprint"),
        Binding("a", "add_items", "Add", show=False, tooltip="Add backlog items to the shown sprint", id="sprint.add_items"),
        Binding("x", "remove_card", "Remove", show=False, tooltip="Take the card out of the sprint", id="sprint.remove_card"),
        # The board's columns, offered here too but kept out of the crowded footer.
        Binding("w", "columns", "Columns", show=False, tooltip="Columns and WIP limits: add, rename, reorder, remove",
                id="sprint.columns"),
        Binding("r", "replay", "Replay", show=False, tooltip="Replay a closed sprint: ] steps from start to close", id="sprint.replay"),
        Binding("less_than_sign,comma", "other_sprint(-1)", "Previous", show=False,
                tooltip="Show the previous sprint", id="sprint.other_sprint.back"),
        Binding("greater_than_sign,full_stop", "other_sprint(1)", "Next", show=False, tooltip="Show the next sprint", id="sprint.other_sprint.forward"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sprint_id: str | None = None  # None: the active sprint (or the next planned, or the last)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sprint-main"):
            yield Static(id="sprint-header")
            with Horizontal(id="sprint-body"):
                yield BoardGrid(id="board-grid")
                with Container(id="burndown-slot"):
                    yield ChartWidget(id="sprint-burndown")

    def on_mount(self) -> None:
        self.query_one("#burndown-slot").display = self.size.width >= BURNDOWN_MIN_WIDTH
        # (BoardScreen.on_mount runs too: Textual calls the handler of every class in the MRO.)

    def on_resize(self) -> None:
        slot = self.query_one("#burndown-slot")
        wide = self.size.width >= BURNDOWN_MIN_WIDTH
        if slot.display != wide:
            slot.display = wide
            if wide:
                self.update_burndown()

    # Which sprint ------------------------------------------------------------------------------
    def shown_sprint(self) -> SprintView | None:
        ws = self.ws
        if self.pm.replaying and self.pm.replaying in ws.sprints and self.read_only:
            return ws.sprints[self.pm.replaying]
        if self.sprint_id and self.sprint_id in ws.sprints:
            return ws.sprints[self.sprint_id]
        board = default_board(ws)
        if board is None:
            return None
        listed = sprints_of(ws, board.id)
        return active_sprint(ws, board.id) or next_planned(ws, board.id) or (listed[-1] if listed else None)

    def board_snapshot(self) -> BoardSnapshot | None:
        sprint = self.shown_sprint()
        if sprint is None:
            return None
        # A sprint's few dozen items, read through its own index each time (a closed sprint's
        # from its record: they moved on), not a cache of every item of the workspace (a Sprint
        # view of a 50k-item store held them all: 150-260 MB).
        ws = self.ws
        board = ws.boards.get(sprint.board_id)
        if board is None:
            return None
        keep = self.matches()
        return board_of(ws, board, [i for i in sprint_items(ws, sprint) if keep is None or keep(i)])

    def refresh_view(self, follow: str | None = None) -> None:
        super().refresh_view(follow)
        self.query_one("#sprint-header", Static).update(self.header_text())
        self.update_burndown()

    def update_burndown(self) -> None:
        """Redraw the burndown of the shown sprint as of the shown point (computed off the UI thread)."""
        if not self.query_one("#burndown-slot").display:
            return
        sprint = self.shown_sprint()
        if sprint is None or sprint.state == "planned":
            self.query_one("#sprint-burndown", ChartWidget).show(None)
            return
        self.compute_burndown(self.pm.as_of, sprint.name)

    @work(thread=True, exclusive=True, group="sprint-burndown", exit_on_error=False)
    def compute_burndown(self, point: AsOf, sprint: str) -> None:
        source = ChartSource(self.wb, point, clock=lambda: self.pm.clock().timestamp())
        builder = source.builder("burndown", sprint=sprint, title=f"{sprint} burndown")
        self.app.call_from_thread(self.query_one("#sprint-burndown", ChartWidget).show, builder)

    def empty_texts(self) -> tuple[str, str]:
        sprint = self.shown_sprint()
        if sprint is None:
            return "", ""  # the header says it
        if self.query_text:
            return super().empty_texts()
        if sprint.state != "closed":
            return "", self.empty_state(f"No items in {sprint.name} yet", "a adds some from the backlog")
        return "", self.empty_state(f"No items in {sprint.name}")

    def header_text(self) -> Text:
        ws = self.ws
        sprint = self.shown_sprint()
        text = Text()
        if sprint is None:
            text.append(self.empty_state("No sprint yet", "P plans the first, with items picked from the ranked backlog"),
                        style="bold")
            return text
        summary = summarize(ws, sprint, self.pm.today().date())
        listed = sprints_of(ws, sprint.board_id)
        position = next((n for n, s in enumerate(listed, 1) if s.id == sprint.id), 0)
        text.append(f" {sprint.name} ", style="bold reverse")
        text.append(f" {sprint.state}", style="bold")
        if sprint.start or sprint.end:
            text.append(f" · {sprint.start or '?'} → {sprint.end or '?'}")
        if sprint.state == "planned" and sprint.start:
            starts = (date.fromisoformat(sprint.start) - self.pm.today().date()).days
            text.append(f" · starts in {starts} days" if starts > 0 else " · ready to start", style="bold")
        elif summary.days_left is not None:
            text.append(f" · {days_left(summary.days_left)}", style="bold")
        committed = summary.committed_points if sprint.state != "planned" else summary.total_points
        share = f" ({summary.done_points / committed:.0%})" if committed else ""
        text.append(f"\n {'committed' if sprint.state != 'planned' else 'planned'} {committed:g} pt"
                    f" · done {summary.done_points:g} pt{share} · {counted(len(summary.items), 'item')}")
        if sprint.state == "closed":
            text.append(f" · {len(sprint.carried)} carried over")
        text.append(f"\n Goal: {sprint.goal or '(none)'}", style="italic")
        if self.read_only:
            hints = "read-only: t returns to now"
        else:
            hints = "P plan · " + {"planned": "S start · a add items", "active": "C close · a add items",
                                   "closed": "r replay"}[sprint.state]
        text.append(f"\n sprint {position} of {len(listed)}: < > others · {hints}", style="dim")
        return text

    # Commands ----------------------------------------------------------------------------------
    def _board_id(self) -> str | None:
        board = default_board(self.ws)
        return board.id if board else None

    def action_other_sprint(self, step: int) -> None:
        sprint = self.shown_sprint()
        if sprint is None:
            return
        listed = sprints_of(self.ws, sprint.board_id)
        at = next(n for n, s in enumerate(listed) if s.id == sprint.id)
        self.sprint_id = listed[max(0, min(len(listed) - 1, at + step))].id
        self.column = self.index = 0
        self.grid_layout = None  # a new sprint: start from its first cards
        self.refresh_view()

    def action_plan(self) -> None:
        board_id = self._board_id()
        if self.read_only or board_id is None:
            self.write(lambda: self.wb.board())  # explains the refusal
            return

        def planned(name: str | None) -> None:
            if name:
                sprint = next((s for s in self.ws.sprints.values() if s.name == name), None)
                self.sprint_id = sprint.id if sprint else None
                self.grid_layout = None  # a new sprint: the cursor starts on its first cards
                self.refresh_view()
        self.app.push_screen(PlanSprintModal(board_id), planned)

    def action_start(self) -> None:
        sprint = self.shown_sprint()
        if sprint is None:
            return
        if sprint.state != "planned":
            self.notify(f"{sprint.name} is {sprint.state}: only a planned sprint can start (< > to pick one)",
                        severity="warning")
            return
        # Like Jira's start dialog: the planned window moves to the real start and keeps its
        # length unless the user changes the end; the service checks the dates and the WIP limits.
        today = self.pm.clock().date()
        length = 13
        if sprint.start and sprint.end:
            length = max(date.fromisoformat(sprint.end).toordinal() - date.fromisoformat(sprint.start).toordinal(), 0)
        planned = f"planned {sprint.start} → {sprint.end}" if sprint.start and sprint.end else "no planned dates"
        form = FieldsForm(f"Start {sprint.name}", [
            Field("start", "Starts (YYYY-MM-DD)", value=today.isoformat(), required=True),
            Field("end", "Ends (YYYY-MM-DD)", value=date.fromordinal(today.toordinal() + length).isoformat(),
                  required=True),
        ], note=f"{planned}; ⏎ starts it with the dates above", submit_label="Start")

        def start(values: dict[str, str] | None) -> None:
            if values is not None:
                self.pm.write_in_background(lambda wb: wb.start_sprint(sprint.name, values["start"], values["end"]),
                                            f"{sprint.name} started")
        self.app.push_screen(form, start)

    def action_close_sprint(self) -> None:
        sprint = self.shown_sprint()
        if sprint is None:
            return
        if sprint.state != "active":
            self.notify(f"{sprint.name} is {sprint.state}: only the active sprint can close", severity="warning")
            return
        if self.read_only:
            self.write(lambda: None)
            return
        unfinished = summarize(self.ws, sprint).unfinished
        following = next_planned(self.ws, sprint.board_id, sprint)
        choices = [("b", "unfinished items go back to the backlog", "backlog")]
        if following is not None:
            choices.insert(0, ("n", f"unfinished items move to {following.name}", "next"))

        def chosen(where: str | None) -> None:
            if where:
                def closed(result: object) -> None:
                    if isinstance(result, dict):
                        self.notify(f"{sprint.name} closed: {result['done']} done, {result['carried']} carried to "
                                    f"{result['to']}")

                self.pm.write_in_background(lambda wb: wb.close_sprint(sprint.name, carry_to=where), then=closed)
        self.app.push_screen(ChoiceModal(
            f"Close {sprint.name}? {len(unfinished)} unfinished item(s) — where do they go?", choices), chosen)

    def action_add_items(self) -> None:
        sprint = self.shown_sprint()
        if sprint is None or self.read_only:
            self.write(lambda: self.wb.sprint())
            return
        from pmtui.tui.modals.sprint_pick import PickItemsModal
        self.app.push_screen(PickItemsModal(sprint.id), lambda _: self.refresh_view())

    def action_remove_card(self) -> None:
        card = self._need_card()
        if card is not None:
            self.pm.write_in_background(lambda wb: wb.remove_from_sprint([card.key]), f"{card.key} taken out of the sprint")

    def action_new_card(self) -> None:
        sprint = self.shown_sprint()
        if self.read_only:
            self.write(lambda: None)
            return
        name = sprint.name if sprint is not None and sprint.state != "closed" else None
        from pmtui.tui.modals.item import ItemModal  # the form's modules load with the first card opened
        self.app.push_screen(ItemModal(column=self.column_name, sprint=name),
                             lambda key: self.refresh_view(follow=key) if key else None)

    def action_replay(self) -> None:
        sprint = self.shown_sprint()
        if sprint is None or sprint.state != "closed":
            self.notify("Only a closed sprint can be replayed (< > to pick one)", severity="warning")
            return
        records = self.wb.records_of(sprint.id)
        started = next((r for r in records if r.name.endswith(".Started")), None)
        if started is None:
            self.notify(f"{sprint.name} never started: nothing to replay", severity="warning")
            return
        if self.pm.travel_to(AsOf(event=started.seq, text=f"#{started.seq}"), replaying=sprint.id):
            self.notify(f"Replaying {sprint.name} from its start: ] steps forward, {{ }} a day, t ends",
                        timeout=4)
