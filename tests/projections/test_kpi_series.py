"""KPI series: measurements in time order (by when they were measured), status, breaches."""

import pytest

from projections.kpi_series import all_series, find_kpi, kpi_series
from projections.state import KpiView
from projections.kpi_series import KpiSeries
from tests.projections.conftest import DAY, T0, Log


def view(direction: str, warn: float | None, alarm: float | None, target: float | None = None) -> KpiSeries:
    return KpiSeries(KpiView("k", "p", "K", "", direction, target, warn, alarm), [])


@pytest.mark.parametrize(("direction", "value", "status"), [
    ("higher", 31, "ok"), ("higher", 30, "warn"), ("higher", 25, "warn"), ("higher", 20, "alarm"), ("higher", 5, "alarm"),
    ("lower", 1, "ok"), ("lower", 2, "warn"), ("lower", 4, "warn"), ("lower", 5, "alarm"), ("lower", 9, "alarm"),
])
def test_status_by_direction(direction: str, value: float, status: str) -> None:
    thresholds = (30, 20) if direction == "higher" else (2, 5)
    assert view(direction, *thresholds).status(value) == status


def test_no_thresholds_is_always_ok() -> None:
    assert view("higher", None, None).status(-1e9) == "ok"


def test_series_sorted_by_measured_time_with_breaches_and_target(log: Log) -> None:
    nps = log.kpi(1, "NPS", target=40, warn=30, alarm=20)
    churn = log.kpi(2, "Churn", direction="lower", target=2)
    log.add("Kpi.Measured", nps, {"value": 35.0, "source": "manual"}, occurred=T0 - 1 * DAY)
    log.add("Kpi.Measured", nps, {"value": 18.0, "source": "import"}, occurred=T0 - 3 * DAY)  # backdated, older
    log.add("Kpi.Measured", nps, {"value": 28.0, "source": "manual"}, occurred=T0 - 2 * DAY)
    log.add("Kpi.Measured", churn, {"value": 1.5, "source": "manual"})
    ws = log.fold()
    series = kpi_series(ws, nps)
    assert [p.value for p in series.points] == [18.0, 28.0, 35.0]
    assert series.latest is not None and series.latest.value == 35.0
    assert (series.high.value, series.low.value) == (35.0, 18.0)  # type: ignore[union-attr]
    assert [(m.value, s) for m, s in series.breaches] == [(18.0, "alarm"), (28.0, "warn")]
    assert series.on_target is False
    assert kpi_series(ws, churn).on_target is True
    assert [s.kpi.name for s in all_series(ws)] == ["Churn", "NPS"]
    assert find_kpi(ws, "nps").id == nps and find_kpi(ws, churn).id == churn  # type: ignore[union-attr]
    assert find_kpi(ws, "ARR") is None


def test_empty_series(log: Log) -> None:
    kpi = log.kpi(1, "NPS", target=40)
    series = kpi_series(log.fold(), kpi)
    assert (series.latest, series.high, series.low, series.breaches, series.on_target) == (None, None, None, [], None)
