"""The OKR view: objectives and their key results with progress bars and confidence; check in a
key result's new value (with confidence and a comment) from here."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from pmtui.counts import counted
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable
from projections.okr_progress import ObjectiveProgress, okrs
from projections.state import Workspace


class OkrRow(NamedTuple):
    objective: ObjectiveProgress
    kr: int  # 0: the objective's own row
    result: dict[str, Any] | None
    progress: float

    @property
    def ref(self) -> str:
        number = self.objective.objective.number
        return f"O-{number}.{self.kr}" if self.kr else f"O-{number}"


def bar(progress: float, width: int = 10) -> str:
    """``███████░░░`` — a progress bar that reads without colour."""
    filled = round(max(0.0, min(1.0, progress)) * width)
    return "█" * filled + "░" * (width - filled)


def _bar_style(progress: float, confidence: float | None) -> str:
    if confidence is not None and confidence < 0.5:
        return "red"
    return "green" if progress >= 0.7 else "yellow" if progress >= 0.3 else ""


def _value(number: float) -> str:
    return f"{number:g}"


class OkrScreen(PmScreen):
    mode = "okrs"
    WRITE_ACTIONS = frozenset({"check_in", "new_objective", "new_key_result"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_objective", "New objective", tooltip="Add an objective: title, period, owner",
                id="okrs.new_objective"),
        Binding("A", "new_key_result", "Add KR", tooltip="Add a key result to the objective at the cursor",
                id="okrs.new_key_result"),
        Binding("c", "check_in", "Check in", id="okrs.check_in"),
        Binding("e", "check_in", "Check in", show=False, id="okrs.check_in"),
        Binding("a", "toggle_archived", "Archived", show=False, id="okrs.toggle_archived"),
    ]
    DEFAULT_CSS = """
    OkrScreen #okr-status { height: 1; padding: 0 1; background: $panel; }
    OkrScreen #okr-table { height: 1fr; min-height: 5; }
    OkrScreen #okr-detail { height: 8; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.include_archived = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="okr-status")
        yield ItemTable([Column("ref", "Ref", 6), Column("title", "Objective / key result"),
                         Column("bar", "Progress", 15), Column("value", "Now / target", 17, "right"),
                         Column("conf", "Conf", 4, "right")],
                        self._cells, row_key=lambda r: r.ref, selectable=False,
                        empty_text="No objectives yet (pmtui okr add).", id="okr-table")
        yield Static("", id="okr-detail")

    @property
    def table(self) -> ItemTable:
        return self.query_one("#okr-table", ItemTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.refresh_view()

    def _cells(self, row: OkrRow) -> list[Cell]:
        if row.result is None:
            objective = row.objective
            confidence = objective.confidence
            return [(row.ref, "bold"), (objective.objective.title, "bold"),
                    (f"{bar(row.progress)} {row.progress:4.0%}", _bar_style(row.progress, confidence)),
                    f"{objective.objective.period}", f"{confidence:.0%}" if confidence is not None else ""]
        kr = row.result
        unit = f" {kr['unit']}" if kr.get("unit") else ""
        return [row.ref, "  " + kr["metric"],
                (f"{bar(row.progress)} {row.progress:4.0%}", _bar_style(row.progress, kr["confidence"])),
                f"{_value(kr['current'])} / {_value(kr['target'])}{unit}", f"{kr['confidence']:.0%}"]

    def refresh_view(self) -> None:
        ws = self.ws
        rows: list[OkrRow] = []
        objectives = okrs(ws, include_archived=self.include_archived)
        for objective in objectives:
            rows.append(OkrRow(objective, 0, None, objective.progress))
            rows.extend(OkrRow(objective, n, kr, progress) for n, kr, progress in objective.key_results)
        self.table.empty_text = self.empty_state("No objectives yet", "n adds the first")
        self.table.set_rows(rows)
        krs = sum(len(o.key_results) for o in objectives)
        self.query_one("#okr-status", Static).update(
            f"{counted(len(objectives), 'objective')} · {counted(krs, 'key result')} · c check in"
            f"{' · read-only' if self.read_only else ''}")
        self.show_detail()

    def on_item_table_cursor_moved(self, event: ItemTable.CursorMoved) -> None:
        self.show_detail()

    def on_item_table_activated(self, event: ItemTable.Activated) -> None:
        event.stop()
        self.action_check_in()

    def show_detail(self) -> None:
        row = self.table.current_row
        detail = self.query_one("#okr-detail", Static)
        detail.update(Text("") if row is None else self.detail_text(self.ws, row), layout=False)  # fixed height

    def detail_text(self, ws: Workspace, row: OkrRow) -> Text:
        objective = row.objective.objective
        text = Text()
        if row.result is None:
            text.append(f"O-{objective.number} {objective.title}", style="bold")
            text.append(f"  {objective.period} · owner {objective.owner or 'nobody'}\n")
            text.append(objective.description or "No description.", style="" if objective.description else "dim")
            return text
        kr = row.result
        unit = f" {kr['unit']}" if kr.get("unit") else ""
        text.append(f"{row.ref} {kr['metric']}", style="bold")
        text.append(f"  from {_value(kr['baseline'])} to {_value(kr['target'])}{unit}, now {_value(kr['current'])}"
                    f" ({row.progress:.0%}), confidence {kr['confidence']:.0%}\n")
        checkins = [c for c in ws.checkins if c.objective_id == objective.id and c.kr == row.kr]
        text.append("Check-ins (newest first):", style="bold")
        if not checkins:
            text.append(" none yet", style="dim")
        for checkin in sorted(checkins, key=lambda c: c.at, reverse=True)[:6]:
            text.append(f"\n {local(checkin.at)} {checkin.actor}: {_value(checkin.value)}{unit}"
                        f" at {checkin.confidence:.0%}")
            if checkin.comment:
                text.append(f" — {checkin.comment}", style="italic")
        return text

    def select(self, objective_id: str) -> None:
        """Put the cursor on an objective (History's Enter jumps here)."""
        objective = self.ws.objectives.get(objective_id)
        if objective is not None:
            index = self.table.index_of(f"O-{objective.number}")
            if index >= 0:
                self.table.set_cursor(index)

    def action_check_in(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        if row.result is None:
            self.notify("Pick a key result (the rows under an objective) to check in", severity="warning")
            return
        if self.read_only:
            self.write(lambda: None)  # says why nothing can change in the past
            return
        kr = row.result
        unit = f" {kr['unit']}" if kr.get("unit") else ""
        form = FieldsForm(f"Check in {row.ref} {kr['metric']}", [
            Field("value", f"New value{unit} (now {_value(kr['current'])}, target {_value(kr['target'])})",
                  required=True),
            Field("confidence", "Confidence 0..1 (empty: unchanged)", placeholder=f"{kr['confidence']:g}"),
            Field("comment", "Comment"),
        ], submit_label="Check in")
        ref, number = f"O-{row.objective.objective.number}", row.kr

        def check_in(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def run(wb: Workbench) -> None:
                try:
                    value = float(values["value"])
                    confidence = float(values["confidence"]) if values["confidence"] else None
                except ValueError:
                    raise UserError("value and confidence must be numbers (confidence from 0 to 1)") from None
                wb.check_in(ref, number, value, confidence, values["comment"])

            self.pm.write_in_background(run, f"Checked in {ref}.{number}: {values['value']}{unit}")

        self.app.push_screen(form, check_in)

    def action_new_objective(self) -> None:
        from pmtui.service.search import people

        form = FieldsForm("New objective", [
            Field("title", "Objective", required=True, placeholder="e.g. Make checkout effortless"),
            Field("period", "Period", required=True, placeholder="e.g. 2026-Q4"),
            Field("owner", "Owner", suggestions=tuple(people(self.ws))),
        ], submit_label="Add")

        def add(values: dict[str, str] | None) -> None:
            if values is not None:
                def added(ref: object) -> None:
                    if isinstance(ref, str):
                        self.notify(f"Added objective {ref}", timeout=3)

                self.pm.write_in_background(
                    lambda wb: wb.add_objective(values["title"], values["period"], values["owner"]), then=added)

        self.app.push_screen(form, add)

    def action_new_key_result(self) -> None:
        row = self.table.current_row
        if row is None:
            self.notify("No objective yet: n adds one", severity="warning")
            return
        ref = f"O-{row.objective.objective.number}"
        form = FieldsForm(f"New key result for {ref} {row.objective.objective.title}", [
            Field("metric", "Metric", required=True, placeholder="e.g. Checkout conversion"),
            Field("baseline", "Baseline (where it starts)", value="0"),
            Field("target", "Target", required=True),
            Field("unit", "Unit", placeholder="e.g. %"),
        ], submit_label="Add")

        def add(values: dict[str, str] | None) -> None:
            if values is not None:
                self.pm.write_in_background(
                    lambda wb: wb.add_key_result(ref, values["metric"], values["target"], values["baseline"] or 0,
                                                 values["unit"]),
                    f"Added a key result to {ref}: {values['metric']}")

        self.app.push_screen(form, add)

    def action_toggle_archived(self) -> None:
        self.include_archived = not self.include_archived
        self.refresh_view()
