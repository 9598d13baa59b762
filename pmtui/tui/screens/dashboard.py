"""The dashboard: KPI trends against their targets (highs, lows and breaches marked) and the team's
flow — the sprint burndown, velocity, cumulative flow and cycle time — all as of the time-travel
point, so stepping back a day redraws every chart as it looked then."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from pmtui.chart_sources import ChartSource
from pmtui.tui.screens.base import Command, PmScreen
from pmtui.tui.widgets.chart import ChartWidget

FLOW_CHARTS = [("burndown", "Burndown"), ("velocity", "Velocity"), ("cfd", "Cumulative flow"),
               ("cycle-time", "Cycle time")]
MORE_FLOW_CHARTS = [("throughput", "Throughput"), ("wip", "Work in progress"), ("lead-time", "Lead time"),
                    ("okr", "OKR progress")]


class DashboardScreen(PmScreen):
    mode = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_more", "More charts", tooltip="Show or hide throughput, WIP, lead time and OKRs"),
    ]
    DEFAULT_CSS = """
    DashboardScreen #dash-status { height: 1; padding: 0 1; background: $panel; }
    DashboardScreen #dash-grid { grid-size: 2; grid-gutter: 0 1; height: auto; padding: 0 1; }
    DashboardScreen ChartWidget { height: 18; }
    DashboardScreen .-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_more = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="dash-status")
        with VerticalScroll(id="dash-scroll"):
            yield Grid(id="dash-grid")

    def on_mount(self) -> None:
        self.refresh_view()

    def source(self) -> ChartSource:
        return ChartSource(self.wb, self.pm.as_of)

    def refresh_view(self) -> None:
        source = self.source()
        ws = source.ws
        kpis = sorted(ws.kpis.values(), key=lambda k: k.name.lower())
        wanted: list[tuple[str, str, str | None]] = [("kpi", k.name, k.name) for k in kpis]
        wanted += [(kind, title, None) for kind, title in FLOW_CHARTS]
        wanted += [(kind, title, None) for kind, title in MORE_FLOW_CHARTS] if self.show_more else []
        grid = self.query_one("#dash-grid", Grid)
        widgets = list(grid.query(ChartWidget))
        if len(widgets) != len(wanted):
            grid.remove_children()
            widgets = [ChartWidget(classes=f"chart-{kind}") for kind, _, _ in wanted]
            grid.mount_all(widgets)
        for widget, (kind, title, kpi) in zip(widgets, wanted):
            widget.show(source.builder(kind, kpi=kpi, title=title))
        breaches = sum(self._breached(source, k.name) for k in kpis)
        when = "now" if self.pm.as_of.is_now else f"as of {self.pm.travel_label()}"
        self.query_one("#dash-status", Static).update(
            f"Dashboard {when} · {len(kpis)} KPIs, {breaches} with a breach in their latest value · m: more charts")

    @staticmethod
    def _breached(source: ChartSource, name: str) -> bool:
        (trend,) = source.series("kpi", kpi=name)
        return bool(trend.points) and trend.points[-1].status != "ok"

    def action_toggle_more(self) -> None:
        self.show_more = not self.show_more
        self.refresh_view()

    def commands(self) -> Iterable[Command]:
        yield ("Dashboard: more charts", "Show or hide throughput, WIP, lead time and OKR progress (key m)",
               self.action_toggle_more)
