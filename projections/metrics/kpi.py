"""KPI trends: a KPI's measurements as of a moment, with target, thresholds, high, low and breaches
(the series itself is projections.kpi_series; this adds the as-of cut and a plain-data form)."""

from __future__ import annotations

import msgspec

from projections.kpi_series import KpiSeries, all_series, kpi_series
from projections.metrics.replay import Replay, in_time_order
from projections.records import EventRecord
from projections.state import Workspace


class KpiPoint(msgspec.Struct, frozen=True):
    at: float
    value: float
    status: str  # ok | warn | alarm


class KpiTrend(msgspec.Struct, frozen=True):
    name: str
    unit: str
    direction: str  # higher | lower (is better)
    target: float | None
    warn: float | None
    alarm: float | None
    points: list[KpiPoint]
    high: KpiPoint | None
    low: KpiPoint | None
    breaches: list[KpiPoint]
    on_target: bool | None


def trend_of(series: KpiSeries) -> KpiTrend:
    def point(m) -> KpiPoint:  # noqa: ANN001 - a Measurement
        return KpiPoint(m.at, m.value, series.status(m.value))
    k = series.kpi
    return KpiTrend(k.name, k.unit, k.direction, k.target, k.warn, k.alarm, [point(m) for m in series.points],
                    point(series.high) if series.high else None, point(series.low) if series.low else None,
                    [point(m) for m, _ in series.breaches], series.on_target)


def workspace_as_of(records: list[EventRecord], as_of: float) -> Workspace:
    return Replay(in_time_order(records, as_of)).rest()


def kpi_trends(ws: Workspace) -> list[KpiTrend]:
    """Every KPI of a workspace (pass the as-of workspace to travel in time), by name."""
    return [trend_of(s) for s in all_series(ws)]


def kpi_trend(ws: Workspace, kpi_id: str) -> KpiTrend:
    return trend_of(kpi_series(ws, kpi_id))
