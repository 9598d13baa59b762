"""What a chart shows, as of a point in the log: the metric series of one chart kind, read from a
workbench, and the text drawing of it. Shared by ``pmtui chart`` and the TUI's chart widgets.

A source stands at one point (now, #N or a moment) and reads the store's read model through
``pmtui.service.metric_source``: each metric queries the versions of its window (a sprint, the board's
life), never the log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from domain.exceptions import DomainError
from pmtui import charts
from pmtui.errors import NotFoundError, UserError
from pmtui.service.metric_source import store_source
from pmtui.store.readmodel import Point, StoredWorkspace
from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf, NOW
from projections import metrics
from projections.sprint_view import active_sprint, sprints_of
from projections.state import SprintView

KINDS = ["burndown", "burnup", "velocity", "cfd", "wip", "cycle-time", "lead-time", "throughput", "okr", "kpi"]


class ChartSource:
    """The read model at one point in time, and the charts drawn from it."""

    def __init__(self, wb: Workbench, point: AsOf = NOW, tz: metrics.Zone = None,
                 clock: Callable[[], float] = time.time, week_start: int = 0) -> None:
        """``week_start``: the first day of a week in weekly charts (0 Monday ... 6 Sunday)."""
        self.wb = wb
        self.week_start = week_start
        self.point = point
        self.tz = tz
        if point.event is not None:
            if point.event > wb.position:
                raise UserError(f"there is no event #{point.event} yet (the last is #{wb.position})")
            at = Point(pos=point.event)
        elif point.moment is not None:
            at = Point(moment=point.moment)
        else:
            at = Point()  # now: the clock's moment (see store_source)
        self.source = store_source(wb.read, at, clock())
        self.moment = self.source.moment
        self._ws: StoredWorkspace | None = None
        self._memo: dict[str, Any] = {}  # shared walks: cfd and wip, cycle, lead time and throughput

    def _once(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    @property
    def ws(self) -> StoredWorkspace:
        """The workspace as of the source's point (read lazily from the store's tables)."""
        if self._ws is None:
            self._ws = self.wb.view(self.point if not self.point.is_now else AsOf(moment=self.moment, text="now"))
        return self._ws

    # Picking what to chart ---------------------------------------------------------------------
    def sprint(self, name: str | None = None) -> SprintView:
        """The named sprint, else the active one, else the last closed one (as of the point)."""
        ws = self.ws
        if name:
            return self.wb.sprint(name, ws)
        running = active_sprint(ws)
        if running is not None:
            return running
        closed = [s for s in sprints_of(ws) if s.state == "closed"]
        if not closed:
            raise NotFoundError("no sprint has started yet: plan and start one (`pmtui sprint start`)")
        return max(closed, key=lambda s: s.closed_at or 0)

    def kpi_ids(self, name: str | None = None) -> list[str]:
        if name:
            return [self.wb.kpi(name, self.ws).id]
        ids = [k.id for k in sorted(self.ws.kpis.values(), key=lambda k: k.name.lower())]
        if not ids:
            raise NotFoundError("there are no KPIs yet: define one with `pmtui kpi add`")
        return ids

    # Series ------------------------------------------------------------------------------------
    def series(self, kind: str, sprint: str | None = None, kpi: str | None = None) -> Any:
        """The data behind a chart kind (plain structs, ready for JSON)."""
        source, moment, tz = self.source, self.moment, self.tz
        if kind in ("burndown", "burnup"):
            chosen = self.sprint(sprint)
            found = metrics.sprint_series(source, chosen.id, tz)
            if found is None:
                raise UserError(f"sprint {chosen.name!r} had not started by then")
            return found
        if kind == "velocity":
            return metrics.velocity(source)
        if kind in ("cfd", "wip"):
            return self._once("cfd", lambda: metrics.cumulative_flow(source, tz))
        flows = lambda: self._once("flows", lambda: metrics.item_flows(source))  # noqa: E731
        if kind in ("cycle-time", "lead-time"):
            return metrics.time_stats(flows(), "cycle" if kind == "cycle-time" else "lead", tz)
        if kind == "throughput":
            return metrics.throughput(flows(), moment, tz, week_start=self.week_start)
        if kind == "okr":
            return metrics.okr_trends(source)
        if kind == "kpi":
            return [metrics.kpi_trend(source, kpi_id) for kpi_id in self.kpi_ids(kpi)]
        raise UserError(f"no chart {kind!r} (charts: {', '.join(KINDS)})")

    def builder(self, kind: str, sprint: str | None = None, kpi: str | None = None,
                title: str | None = None) -> charts.ChartBuilder:
        """A chart to draw at any size (the series is computed once, now). When there is nothing to
        chart (no sprint yet, an unknown KPI) the chart says why instead of failing."""
        try:
            data = self.series(kind, sprint, kpi)
        except DomainError as error:
            reason = str(error)
            return lambda width, height, colors: charts.message(width, height, title or kind, reason, colors)
        tz, moment = self.tz, self.moment
        return lambda width, height, colors: draw_series(kind, data, width, height, colors, tz, moment)

    def draw(self, kind: str, width: int, height: int, colors: bool = True, sprint: str | None = None,
             kpi: str | None = None) -> str:
        """The chart as text (ANSI colours unless ``colors`` is False)."""
        data = self.series(kind, sprint, kpi)
        return draw_series(kind, data, width, height, colors, self.tz, self.moment)


def draw_series(kind: str, data: Any, width: int, height: int, colors: bool = True, tz: metrics.Zone = None,
                moment: float | None = None) -> str:
    if kind == "burndown":
        return charts.burndown_chart(data, width, height, colors)
    if kind == "burnup":
        return charts.burnup_chart(data, width, height, colors)
    if kind == "velocity":
        return charts.velocity_chart(data, width, height, colors)
    if kind == "cfd":
        return charts.cfd_chart(data, width, height, colors)
    if kind == "wip":
        return charts.wip_chart(data, width, height, colors)
    if kind in ("cycle-time", "lead-time"):
        return charts.time_chart(data, width, height, colors)
    if kind == "throughput":
        return charts.throughput_chart(data, width, height, colors)
    if kind == "okr":
        return charts.okr_chart(data, width, height, colors, tz, moment)
    if kind == "kpi":
        return "\n".join(charts.kpi_chart(trend, width, height, colors, tz) for trend in data)
    raise UserError(f"no chart {kind!r} (charts: {', '.join(KINDS)})")
