"""KPI series: measurements over time against target and thresholds, with highs, lows and breaches."""

from __future__ import annotations

import msgspec

from projections.state import KpiView, Measurement, Workspace


class KpiSeries(msgspec.Struct, frozen=True):
    kpi: KpiView
    points: list[Measurement]

    @property
    def latest(self) -> Measurement | None:
        return self.points[-1] if self.points else None

    @property
    def high(self) -> Measurement | None:
        return max(self.points, key=lambda m: m.value, default=None)

    @property
    def low(self) -> Measurement | None:
        return min(self.points, key=lambda m: m.value, default=None)

    def status(self, value: float) -> str:
        """ok, warn or alarm, by the KPI's direction and thresholds."""
        k = self.kpi
        worse = (lambda v, t: v < t) if k.direction == "higher" else (lambda v, t: v > t)
        if k.alarm is not None and (worse(value, k.alarm) or value == k.alarm):
            return "alarm"
        if k.warn is not None and (worse(value, k.warn) or value == k.warn):
            return "warn"
        return "ok"

    @property
    def breaches(self) -> list[tuple[Measurement, str]]:
        return [(m, s) for m in self.points if (s := self.status(m.value)) != "ok"]

    @property
    def on_target(self) -> bool | None:
        if self.kpi.target is None or self.latest is None:
            return None
        value = self.latest.value
        return value >= self.kpi.target if self.kpi.direction == "higher" else value <= self.kpi.target


def measurements(ws: Workspace) -> list[Measurement]:
    """The measurements not withdrawn (an undone measurement cancels one equal to it)."""
    if not ws.withdrawn:
        return ws.measurements
    pending: dict[tuple[str, float, float], int] = {}
    for w in ws.withdrawn:
        pending[(w.kpi_id, w.at, w.value)] = pending.get((w.kpi_id, w.at, w.value), 0) + 1
    kept: list[Measurement] = []
    for m in reversed(ws.measurements):  # the latest equal one goes
        key = (m.kpi_id, m.at, m.value)
        if pending.get(key):
            pending[key] -= 1
        else:
            kept.append(m)
    kept.reverse()
    return kept


def kpi_series(ws: Workspace, kpi_id: str) -> KpiSeries:
    points = sorted((m for m in measurements(ws) if m.kpi_id == kpi_id), key=lambda m: m.at)
    return KpiSeries(ws.kpis[kpi_id], points)


def all_series(ws: Workspace) -> list[KpiSeries]:
    by_kpi: dict[str, list[Measurement]] = {k: [] for k in ws.kpis}
    for m in measurements(ws):
        by_kpi.setdefault(m.kpi_id, []).append(m)
    return [KpiSeries(ws.kpis[k], sorted(by_kpi[k], key=lambda m: m.at))
            for k in sorted(ws.kpis, key=lambda k: ws.kpis[k].name.lower())]


def find_kpi(ws: Workspace, name: str) -> KpiView | None:
    text = name.strip().lower()
    return next((k for k in ws.kpis.values() if k.name.lower() == text or k.id == name), None)
