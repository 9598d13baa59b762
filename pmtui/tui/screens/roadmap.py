"""The roadmap view: Now / Next / Later lanes (or a quarter timeline), and below them the selected
item's links to epics and objectives and its decision log.

Moving an item between horizons asks why; the reason is stored on the decision event, so the
decision log (and History) say who moved it, when and why.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from pmtui.timespec import local
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable
from projections.records import EventRecord
from projections.roadmap_view import HORIZONS, Decision, decisions, lanes, timeline
from projections.state import RoadmapView, Workspace

_STATUS_STYLE = {"in progress": "bold green", "planned": "cyan", "proposed": "", "done": "dim", "dropped": "dim strike"}
NO_REASON = "(no reason)"


def describe_change(changes: dict[str, list[Any]]) -> str:
    """``horizon later → next, status proposed → planned`` (a proposal shows only the new values)."""
    parts = []
    for name, (old, new) in changes.items():
        parts.append(f"{name} {new}" if old is None else f"{name} {old} → {new}")
    return ", ".join(parts)


class RoadmapScreen(PmScreen):
    mode = "roadmap"
    WRITE_ACTIONS = frozenset({"move", "decide", "new", "releases"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h,left", "lane(-1)", "Lane left", show=False, id="roadmap.lane.back"),
        Binding("l,right", "lane(1)", "Lane right", show=False, id="roadmap.lane.forward"),
        Binding("H", "move(-1)", "Sooner", show=False, id="roadmap.move.back"),
        Binding("L", "move(1)", "Later", show=False, id="roadmap.move.forward"),
        Binding("m", "decide", "Move", id="roadmap.decide"),
        Binding("e", "decide", "Edit", show=False, id="roadmap.decide"),
        Binding("n", "new", "New", id="roadmap.new"),
        Binding("v", "toggle_timeline", "Timeline", id="roadmap.toggle_timeline"),
        Binding("R", "releases", "Releases", tooltip="Releases: create, edit, pick their items, ship",
                id="roadmap.releases"),
    ]
    DEFAULT_CSS = """
    RoadmapScreen #roadmap-status { height: 1; padding: 0 1; background: $panel; }
    RoadmapScreen #roadmap-lanes { height: 1fr; min-height: 6; }
    RoadmapScreen #roadmap-lanes ItemTable { width: 1fr; border-right: vkey $panel; }
    RoadmapScreen #roadmap-timeline { height: 1fr; min-height: 6; display: none; }
    RoadmapScreen.timeline #roadmap-lanes { display: none; }
    RoadmapScreen.timeline #roadmap-timeline { display: block; }
    RoadmapScreen #roadmap-detail { height: 9; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lane = 0
        self.show_timeline = False

    # Layout ----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static("", id="roadmap-status")
        with Horizontal(id="roadmap-lanes"):
            for horizon in HORIZONS:
                yield ItemTable([Column("ref", horizon.capitalize(), 5), Column("title", "", 0, min_width=6)],
                                self._lane_cells, row_key=lambda r: r.id, selectable=False,
                                empty_text="(empty)", id=f"lane-{horizon}")
        yield ItemTable([Column("quarter", "Quarter", 8), Column("ref", "Item", 5), Column("title", "Title"),
                         Column("horizon", "Horizon", 7), Column("status", "Status", 11)],
                        self._timeline_cells, row_key=lambda r: r[1].id, selectable=False,
                        empty_text="No roadmap items yet: press n.", id="roadmap-timeline")
        yield Static("", id="roadmap-detail")

    def tables(self) -> list[ItemTable]:
        return [self.query_one(f"#lane-{h}", ItemTable) for h in HORIZONS]

    @property
    def timeline_table(self) -> ItemTable:
        return self.query_one("#roadmap-timeline", ItemTable)

    def on_mount(self) -> None:
        self.tables()[0].focus()
        self.refresh_view()

    def _lane_cells(self, item: RoadmapView) -> list[Cell]:
        return [f"RM-{item.number}", (item.title, _STATUS_STYLE.get(item.status, ""))]

    def _timeline_cells(self, row: tuple[str, RoadmapView]) -> list[Cell]:
        quarter, item = row
        return [quarter, f"RM-{item.number}", item.title, item.horizon, (item.status, _STATUS_STYLE.get(item.status, ""))]

    # Data ------------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        ws = self.ws
        by_lane = lanes(ws)
        for horizon, table in zip(HORIZONS, self.tables(), strict=True):
            table.set_rows(by_lane[horizon])
        rows: list[tuple[str, RoadmapView]] = []
        for quarter, items in timeline(ws).items():
            rows.extend((quarter if n == 0 else "", item) for n, item in enumerate(items))
        empty = self.empty_state("No roadmap items yet", "n proposes the first")
        self.timeline_table.empty_text = empty
        self.timeline_table.set_rows(rows)
        counts = " · ".join(f"{h.capitalize()} {len(by_lane[h])}" for h in HORIZONS)
        hint = "v lanes" if self.show_timeline else "v timeline · H/L sooner/later"
        status = f"{counts} · {hint}{' · read-only' if self.read_only else ''}" if rows else empty
        self.query_one("#roadmap-status", Static).update(status, layout=False)
        self.show_detail()

    def current_item(self) -> RoadmapView | None:
        if self.show_timeline:
            row = self.timeline_table.current_row
            return None if row is None else row[1]
        row = self.tables()[self.lane].current_row
        return row if isinstance(row, RoadmapView) else None

    def on_item_table_cursor_moved(self, event: ItemTable.CursorMoved) -> None:
        self.show_detail()

    def on_descendant_focus(self, event: Any) -> None:
        widget = getattr(event, "widget", None)
        if isinstance(widget, ItemTable) and widget.id and widget.id.startswith("lane-"):
            self.lane = HORIZONS.index(widget.id.removeprefix("lane-"))
            self.show_detail()

    def _visible(self, record: EventRecord) -> bool:
        """While time travelling, only what had happened by then."""
        if not self.read_only:
            return True
        ws = self.ws
        moment = self.pm.as_of.moment
        return record.seq <= ws.position and (moment is None or record.occurred <= moment)

    def decision_log(self, item: RoadmapView) -> list[Decision]:
        records = [r for r in self.wb.records_of(item.id) if self._visible(r)]
        return decisions(records, item.id)

    def show_detail(self) -> None:
        detail = self.query_one("#roadmap-detail", Static)
        item = self.current_item()
        if item is None:
            detail.update(Text("No roadmap item selected. n proposes one.", style="dim"), layout=False)
            return
        # A fixed height: moving the cursor repaints only this panel, not the screen's layout.
        detail.update(self.detail_text(self.ws, item), layout=False)

    def detail_text(self, ws: Workspace, item: RoadmapView) -> Text:
        text = Text()
        text.append(f"RM-{item.number} {item.title}", style="bold")
        text.append(f"  {item.horizon} · {item.timeframe or 'no timeframe'} · {item.status}\n")
        epics = [ws.items[e] for e in item.epics if e in ws.items]
        objectives = [ws.objectives[o] for o in item.objectives if o in ws.objectives]
        text.append("Epics: ", style="bold")
        text.append(", ".join(f"{e.key} {e.title}" for e in epics) or "none", style="" if epics else "dim")
        text.append("\nObjectives: ", style="bold")
        text.append(", ".join(f"O-{o.number} {o.title}" for o in objectives) or "none", style="" if objectives else "dim")
        text.append("\nDecisions (newest first):", style="bold")
        for decision in reversed(self.decision_log(item)):
            text.append(f"\n {local(decision.occurred)} {decision.actor}: {describe_change(decision.changes)} — ")
            text.append(decision.reason or NO_REASON, style="italic" if decision.reason else "dim italic")
        return text

    # Navigation ------------------------------------------------------------------------------
    def action_lane(self, step: int) -> None:
        if self.show_timeline:
            return
        self.lane = max(0, min(len(HORIZONS) - 1, self.lane + step))
        self.tables()[self.lane].focus()
        self.show_detail()

    def action_toggle_timeline(self) -> None:
        self.show_timeline = not self.show_timeline
        self.set_class(self.show_timeline, "timeline")
        (self.timeline_table if self.show_timeline else self.tables()[self.lane]).focus()
        self.refresh_view()

    # Writes ----------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        item = self.current_item()
        if item is None:
            return
        index = HORIZONS.index(item.horizon) + step
        if not 0 <= index < len(HORIZONS):
            self.notify(f"RM-{item.number} is in {item.horizon.capitalize()} already", severity="warning")
            return
        self.ask_and_move(item, HORIZONS[index])

    def ask_and_move(self, item: RoadmapView, horizon: str) -> None:
        if self.read_only:
            self.write(lambda: None)  # the refusal message
            return
        form = FieldsForm(
            f"Move RM-{item.number} {item.title}: {item.horizon} → {horizon}",
            [Field("reason", "Why? (kept in the decision log; may be empty)")],
            submit_label="Move",
        )

        def move(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.pm.write_in_background(
                lambda wb: wb.decide(f"RM-{item.number}", reason=values["reason"], horizon=horizon),
                f"RM-{item.number} moved to {horizon.capitalize()}",
                then=lambda done: self.follow(item.id, horizon) if done else None)

        self.app.push_screen(form, move)

    def follow(self, item_id: str, horizon: str) -> None:
        """Keep the moved item under the cursor in its new lane."""
        if self.show_timeline:
            return
        self.lane = HORIZONS.index(horizon)
        table = self.tables()[self.lane]
        table.focus()
        index = table.index_of(item_id)
        if index >= 0:
            table.set_cursor(index)
        self.show_detail()

    def select(self, item_id: str) -> None:
        """Put the cursor on a roadmap item (History's Enter jumps here)."""
        item = self.ws.roadmap.get(item_id)
        if item is None:
            return
        if self.show_timeline:
            index = self.timeline_table.index_of(item_id)
            if index >= 0:
                self.timeline_table.set_cursor(index)
            return
        self.follow(item_id, item.horizon)

    def action_decide(self) -> None:
        item = self.current_item()
        if item is None:
            return
        if self.read_only:
            self.write(lambda: None)
            return
        form = FieldsForm(f"Decide on RM-{item.number}", [
            Field("horizon", "Horizon (now, next, later)", item.horizon),
            Field("timeframe", "Timeframe (2027-Q1 or 2027-01-01..2027-03-31; - for none)", item.timeframe or ""),
            Field("status", "Status (proposed, planned, in progress, done, dropped)", item.status),
            Field("title", "Title", item.title),
            Field("reason", "Why? (kept in the decision log; may be empty)"),
        ], submit_label="Save")

        def save(values: dict[str, str] | None) -> None:
            if values is None:
                return
            changes: dict[str, Any] = {}
            for name in ("horizon", "status", "title"):
                if values[name] and values[name] != getattr(item, name):
                    changes[name] = values[name]
            timeframe = None if values["timeframe"] in ("", "-") else values["timeframe"]
            if timeframe != item.timeframe:
                changes["timeframe"] = timeframe
            if not changes:
                self.notify("Nothing changed")
                return
            self.pm.write_in_background(
                lambda wb: wb.decide(f"RM-{item.number}", reason=values["reason"], **changes), f"RM-{item.number} updated",
                then=lambda done: self.follow(item.id, changes.get("horizon", item.horizon)) if done else None)

        self.app.push_screen(form, save)

    def action_new(self) -> None:
        if self.read_only:
            self.write(lambda: None)
            return
        horizon = HORIZONS[self.lane] if not self.show_timeline else "later"
        form = FieldsForm("Propose a roadmap item", [
            Field("title", "Title", required=True),
            Field("horizon", "Horizon (now, next, later)", horizon),
            Field("timeframe", "Timeframe (e.g. 2027-Q2; empty: none)"),
            Field("reason", "Why? (kept in the decision log; may be empty)"),
        ], submit_label="Propose")

        def create(values: dict[str, str] | None) -> None:
            if values is None:
                return
            def proposed(ref: object) -> None:
                if isinstance(ref, str):
                    found = self.wb.roadmap_item(ref)
                    self.follow(found.id, found.horizon)

            self.pm.write_in_background(
                lambda wb: wb.add_roadmap_item(values["title"], values["horizon"] or "later", values["timeframe"] or None,
                                               reason=values["reason"]), then=proposed)

        self.app.push_screen(form, create)

    def action_releases(self) -> None:
        from pmtui.tui.modals.releases import ReleasesModal

        self.app.push_screen(ReleasesModal(), lambda _: self.refresh_view())
