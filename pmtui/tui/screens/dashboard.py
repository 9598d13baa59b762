"""The dashboard: KPI trends against their targets (highs, lows and breaches marked) and the team's
flow — the sprint burndown, velocity, cumulative flow and cycle time — all as of the time-travel
point, so stepping back a day redraws every chart as it looked then.

The metrics query the store's versions of their window in a worker thread, so the screen stays
responsive on a long history.
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
        self._generation = 0  # which refresh the charts on show belong to
        self._computing = False
        self._again = False  # a refresh came while computing: run once more when done

    def compose_body(self) -> ComposeResult:
        yield Static("Dashboard: computing…", id="dash-status")
        with VerticalScroll(id="dash-scroll"):
            yield Grid(id="dash-grid")

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if self._computing:
            # One computation at a time (a thread cannot be stopped): a burst of changes from the
            # team, or of time-travel steps, ends in one more run with the latest state.
            self._again = True
            return
        when = "now" if self.pm.as_of.is_now else f"as of {self.pm.travel_label()}"
        self._generation += 1
        self._computing = True
        self.compute(self._generation, self.pm.as_of, self.show_more, when)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "dashboard" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._computing = False
        if event.state == WorkerState.ERROR:
            self.notify(f"Dashboard: {event.worker.error}", severity="error", title="Charts")
        if self._again:
            self._again = False
            self.refresh_view()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def compute(self, generation: int, point: AsOf, more: bool, when: str) -> None:
        # The app's clock (as the sprint's burndown): "now" is the same moment in every view.
        source = ChartSource(self.wb, point, clock=lambda: self.pm.clock().timestamp(),
                             week_start=getattr(self.app, "week_start", 0))
        ws = source.ws
        kpis = sorted(ws.kpis.values(), key=lambda k: k.name.lower())
        wanted: Wanted = [("kpi", k.name, k.name) for k in kpis]
        wanted += [(kind, title, None) for kind, title in FLOW_CHARTS + (MORE_CHARTS if more else [])]
        builders = [source.builder(kind, kpi=kpi, title=title) for kind, title, kpi in wanted]
        alarms = sum(self._off(source, k.name) for k in kpis)
        kpi_part = f"{len(kpis)} KPIs, {alarms} outside their thresholds now" if kpis else \
            self.empty_state("No KPIs yet", "N defines the first").rstrip(".")
        status = f"Dashboard {when} · {kpi_part} · m: {'fewer' if more else 'more'} charts"
        self.app.call_from_thread(self.show_charts, generation, wanted, builders, status)

    async def show_charts(self, generation: int, wanted: Wanted, builders: list[ChartBuilder], status: str) -> None:
        if generation != self._generation:
            return  # a later refresh (another time-travel step, say) is on its way: this one is stale
        grid = self.query_one("#dash-grid", Grid)
        widgets = list(grid.query(ChartWidget))
        if [w.id for w in widgets] != [self._widget_id(w) for w in wanted]:
            await grid.remove_children()  # before mounting: the new charts reuse the ids
            widgets = [ChartWidget(id=self._widget_id(w)) for w in wanted]
            await grid.mount_all(widgets)
        for widget, builder in zip(widgets, builders):
            widget.show(builder)
        self.query_one("#dash-status", Static).update(status)

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

    def action_toggle_more(self) -> None:
        self.show_more = not self.show_more
        self.refresh_view()
