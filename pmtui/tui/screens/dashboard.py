"""The dashboard: KPI trends against their targets (highs, lows and breaches marked) and the team's
flow — the sprint burndown, velocity, cumulative flow and cycle time — all as of the time-travel
point, so stepping back a day redraws every chart as it looked then.

The metrics query the store's versions of their window in a worker thread, so the screen stays
responsive on a long history: one chart at a time, the ones in sight first, each shown when ready;
then the more charts (``m``), kept with the others until the data or the time point changes, so
``m`` mounts or removes charts and computes nothing.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from pmtui.service.chart_sources import ChartSource
from pmtui.charts import ChartBuilder
from pmtui.timespec import AsOf
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.widgets.chart import ChartWidget

FLOW_CHARTS = [("burndown", "Burndown"), ("velocity", "Velocity"), ("cfd", "Cumulative flow"),
               ("cycle-time", "Cycle time")]
MORE_CHARTS = [("throughput", "Throughput"), ("wip", "Work in progress"), ("lead-time", "Lead time"),
               ("okr", "OKR progress")]

# (kind, title, KPI name) for each chart on show, in order.
Wanted = list[tuple[str, str, str | None]]


class DashboardScreen(PmScreen):
    mode = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "record", "Record value", tooltip="Record a KPI's value as of now", id="dashboard.record"),
        Binding("N", "new_kpi", "New KPI", show=False, tooltip="Define a KPI: name, unit, direction, target",
                id="dashboard.new_kpi"),
        Binding("m", "toggle_more", "More charts", tooltip="Show or hide throughput, WIP, lead time and OKRs", id="dashboard.toggle_more"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_more = False
        self._generation = 0  # which state of the data (time point, log position) is computing
        self._state: tuple[object, ...] | None = None  # the state the builders below belong to
        self._builders: dict[str, ChartBuilder] = {}  # by widget id: every chart computed so far
        self._base: Wanted = []  # the KPIs' and the flow charts (the more charts follow them)
        self._facts = ""  # the status line's when and KPI part
        self._computing = False
        self._again = False  # a refresh came while computing: run once more when done

    def compose_body(self) -> ComposeResult:
        yield Static("Dashboard: computing…", id="dash-status")
        with VerticalScroll(id="dash-scroll"):
            yield Grid(id="dash-grid")

    def on_mount(self) -> None:
        self.refresh_view()

    @property
    def settled(self) -> bool:
        """Every chart on screen shows the latest data, drawn at its size."""
        view = self.query_one("#dash-scroll").region
        charts = [c for c in self.query(ChartWidget) if c.region.overlaps(view)]
        return bool(self._base) and len(list(self.query(ChartWidget))) == len(self._wanted()) and all(
            c.settled and c.builder is self._builders.get(c.id or "") for c in charts)

    def refresh_view(self) -> None:
        point = self.pm.as_of
        state = (point.event, point.moment, point.text, self.wb.position)
        if state == self._state:
            return  # (a view switch back, a refresh with nothing new): the charts on show hold
        if self._computing:
            # One computation at a time (a thread cannot be stopped: the running one gives up at
            # its next chart), ending in one more run with the latest state.
            self._generation += 1
            self._again = True
            return
        when = "now" if point.is_now else f"as of {self.pm.travel_label()}"
        self._generation += 1
        self._state, self._builders = state, {}
        self._computing = True
        self.compute(self._generation, point, when)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "dashboard" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._computing = False
        if event.state == WorkerState.ERROR:
            self.notify(f"Dashboard: {event.worker.error}", severity="error", title="Charts")
        if self._again:
            self._again = False
            self._state = None
            self.refresh_view()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def compute(self, generation: int, point: AsOf, when: str) -> None:
        """Every chart's data, one chart at a time in the grid's order (the ones on top, in sight,
        first), each shown as soon as it is ready; then the more charts (``m``), so showing them
        later waits for nothing. Gives up when a later state of the data is asked for."""
        # The app's clock (as the sprint's burndown): "now" is the same moment in every view.
        source = ChartSource(self.wb, point, clock=lambda: self.pm.clock().timestamp(),
                             week_start=getattr(self.app, "week_start", 0))
        kpis = sorted(source.ws.kpis.values(), key=lambda k: k.name.lower())
        base: Wanted = [("kpi", k.name, k.name) for k in kpis] + [(kind, title, None) for kind, title in FLOW_CHARTS]
        alarms = sum(self._off(source, k.name) for k in kpis)
        kpi_part = f"{len(kpis)} KPIs, {alarms} outside their thresholds now" if kpis else \
            self.empty_state("No KPIs yet", "N defines the first").rstrip(".")
        self.app.call_from_thread(self.lay_out, generation, base, f"Dashboard {when} · {kpi_part}")
        for wanted in base + [(kind, title, None) for kind, title in MORE_CHARTS]:
            if generation != self._generation:
                return
            kind, title, kpi = wanted
            builder = source.builder(kind, kpi=kpi, title=title)
            self.app.call_from_thread(self.show_chart, generation, self._widget_id(wanted), builder)

    def _wanted(self) -> Wanted:
        return self._base + ([(kind, title, None) for kind, title in MORE_CHARTS] if self.show_more else [])

    async def lay_out(self, generation: int | None = None, base: Wanted | None = None, facts: str = "") -> None:
        """Mount the charts wanted (the KPIs', the flow charts, the more ones when ``m`` asked),
        keeping those already there: their drawings are kept too."""
        if generation is not None:
            if generation != self._generation:
                return  # a later refresh (another time-travel step, say) is on its way: this one is stale
            self._base, self._facts = base or [], facts
        grid = self.query_one("#dash-grid", Grid)
        have = [w.id for w in grid.query(ChartWidget)]
        ids = [self._widget_id(w) for w in self._wanted()]
        if ids[:len(have)] == have:
            await grid.mount_all([ChartWidget(self._builders.get(i), id=i) for i in ids[len(have):]])
        elif have[:len(ids)] == ids:
            await grid.remove_children(list(grid.query(ChartWidget))[len(ids):])
        else:
            await grid.remove_children()  # before mounting: the new charts reuse the ids
            await grid.mount_all([ChartWidget(self._builders.get(i), id=i) for i in ids])
        for widget in grid.query(ChartWidget):
            builder = self._builders.get(widget.id or "")
            if builder is not None and widget.builder is not builder:
                widget.show(builder)
        more = "fewer" if self.show_more else "more"
        self.query_one("#dash-status", Static).update(f"{self._facts} · m: {more} charts")

    def show_chart(self, generation: int, widget_id: str, builder: ChartBuilder) -> None:
        if generation != self._generation:
            return
        self._builders[widget_id] = builder
        for widget in self.query(f"#{widget_id}").results(ChartWidget):
            widget.show(builder)

    @staticmethod
    def _widget_id(wanted: tuple[str, str, str | None]) -> str:
        kind, _, kpi = wanted
        suffix = "".join(c if c.isalnum() else "-" for c in kpi.lower()) if kpi else ""
        return f"chart-{kind}" + (f"-{suffix}" if suffix else "")

    @staticmethod
    def _off(source: ChartSource, name: str) -> bool:
        """Is the KPI's latest measurement at a warning or alarm level?"""
        (trend,) = source.series("kpi", kpi=name)
        return bool(trend.points) and trend.points[-1].status != "ok"

    WRITE_ACTIONS = frozenset({"record", "new_kpi"})

    def action_record(self) -> None:
        names = sorted((k.name for k in self.ws.kpis.values()), key=str.lower)
        if not names:
            self.notify("No KPI yet: N defines one", severity="warning")
            return
        form = FieldsForm("Record a KPI value", [
            Field("kpi", "KPI (→ completes)", value=names[0] if len(names) == 1 else "", required=True,
                  suggestions=tuple(names), placeholder=", ".join(names)[:60]),
            Field("value", "Value", required=True),
        ], submit_label="Record")

        def record(values: dict[str, str] | None) -> None:
            if values is not None:
                self.pm.write_in_background(lambda wb: wb.measure(values["kpi"], values["value"]),
                           f"Recorded {values['value']} for {values['kpi']}")

        self.app.push_screen(form, record)

    def action_new_kpi(self) -> None:
        form = FieldsForm("New KPI", [
            Field("name", "Name", required=True), Field("unit", "Unit", placeholder="e.g. ms, %, people"),
            Field("direction", "Better when", value="higher", suggestions=("higher", "lower")),
            Field("target", "Target"), Field("warn", "Warning threshold"), Field("alarm", "Alarm threshold"),
        ], submit_label="Define")

        def define(values: dict[str, str] | None) -> None:
            if values is not None:
                self.pm.write_in_background(
                    lambda wb: wb.add_kpi(values["name"], values["unit"], values["direction"], values["target"] or None,
                                          values["warn"] or None, values["alarm"] or None),
                    f"Defined the KPI {values['name']}")

        self.app.push_screen(form, define)

    async def action_toggle_more(self) -> None:
        self.show_more = not self.show_more
        if self._base:  # (before the first layout, the layout to come reads show_more)
            await self.lay_out()
