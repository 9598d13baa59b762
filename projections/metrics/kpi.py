"""KPI trends: a KPI's measurements as of a moment, with target, thresholds, high, low and breaches
(the series itself is projections.kpi_series; this reads it from a source at a point, in plain data)."""

from __future__ import annotations

import msgspec

from projections.kpi_series import KpiSeries
from projections.metrics.source import MetricSource


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


def kpi_trends(source: MetricSource) -> list[KpiTrend]:
    """Every KPI as of the source's point, by name."""
    kpis = source.rows("kpis")
    return [kpi_trend(source, k) for k in sorted(kpis, key=lambda k: kpis[k].name.lower())]


def kpi_trend(source: MetricSource, kpi_id: str) -> KpiTrend:
    """One KPI as of the source's point: its row and its measurements up to then."""
    kpi = source.rows("kpis")[kpi_id]
    measured = [s.entry for s in source.entries("measurements", float("-inf"), source.moment, owner=kpi_id)]
    return trend_of(KpiSeries(kpi, sorted(measured, key=lambda m: m.at)))
