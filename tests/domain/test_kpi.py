"""KPI: definition, thresholds, measurements, and the v1 -> v2 upcast of Measured."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.exceptions import NothingChangedError, ValidationError
from domain.kpi import Kpi
from tests.domain.conftest import fresh, names, refused, take

PRODUCT = uuid4()


@pytest.fixture
def nps() -> Kpi:
    return fresh(lambda: Kpi.define(PRODUCT, "NPS", "pts", "higher", 50, "30", 20, " loyalty "))


def test_define(nps: Kpi) -> None:
    assert (nps.name, nps.unit, nps.direction, nps.target, nps.warn, nps.alarm, nps.description) == (
        "NPS", "pts", "higher", 50.0, 30.0, 20.0, "loyalty")
    assert nps.last_value is None
    assert nps.id == Kpi.create_id(PRODUCT, "nps")
    assert names(take(Kpi.define(PRODUCT, "Churn", direction="lower", warn="", alarm=None))) == ["Kpi.Defined"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": ""}, "KPI name must not be empty"),
    ({"name": "X", "direction": "up"}, "direction must be one of: higher, lower"),
    ({"name": "X", "target": "lots"}, "target must be a number"),
    ({"name": "X", "warn": 10, "alarm": 20}, "higher-is-better KPI the alarm threshold must be at or below"),
    ({"name": "X", "direction": "lower", "warn": 20, "alarm": 10}, "lower-is-better KPI the alarm threshold must be at or above"),
])
def test_define_refusals(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Kpi.define(PRODUCT, **kwargs)


def test_edit_checks_thresholds_against_current_values(nps: Kpi) -> None:
    nps.edit(warn=25, unit="points")
    (edited,) = take(nps)
    assert edited.changes == {"warn": [30.0, 25.0], "unit": ["pts", "points"]}
    with refused(nps, ValidationError, "alarm threshold must be at or below"):
        nps.edit(alarm=26)
    nps.edit(direction="lower", warn=10)  # flipping the direction with matching thresholds is fine
    assert (nps.direction, nps.warn, nps.alarm) == ("lower", 10.0, 20.0)


def test_edit_refusals(nps: Kpi) -> None:
    with refused(nps, ValidationError, "a KPI has no field 'last_value'"):
        nps.edit(last_value=3)
    with refused(nps, NothingChangedError):
        nps.edit(name="NPS", target=50)
    with refused(nps, ValidationError, "lower-is-better KPI"):
        nps.edit(direction="lower")  # warn 30 > alarm 20 is wrong for lower-is-better


def test_measure(nps: Kpi) -> None:
    nps.measure("42.5")
    nps.measure(41, source="import")
    first, second = take(nps)
    assert names([first]) == ["Kpi.Measured"]
    assert (first.value, first.source, second.source) == (42.5, "manual", "import")
    assert nps.last_value == 41
    for bad in ("n/a", None, float("nan")):
        with refused(nps, ValidationError, "value must be a"):
            nps.measure(bad)


def test_measured_is_version_2_with_an_upcast_from_1() -> None:
    assert Kpi.Measured.class_version == 2
    state = {"value": 3.0}
    Kpi.Measured.upcast_v1_v2(state)
    assert state == {"value": 3.0, "source": "manual"}


def test_a_v1_measured_event_in_the_log_still_replays(tmp_path: Path) -> None:
    """A store written before Measured gained ``source``: the raw v1 event (no class_version, no
    source) reloads through the application's repository and through the projections."""
    from pmtui.service.workbench import Workbench
    from projections.kpi_series import kpi_series

    db = str(tmp_path / "v1.db")
    wb = Workbench(db=db, actor="ann")
    wb.init_product("Shop", "PM")
    wb.add_kpi("NPS", warn=30, alarm=20)
    kpi_id = UUID(wb.kpi("NPS").id)
    version = wb.app.repository.get(kpi_id).version
    v1_state = {  # exactly what pmtui wrote before v2: no class_version, no source
        "timestamp": "2026-01-05T10:00:00+00:00", "actor": "old-client", "reason": "", "occurred": None,
        "value": 27.0,
    }
    wb.app.recorder.insert_events([StoredEvent(
        originator_id=kpi_id, originator_version=version + 1, topic=get_topic(Kpi.Measured),
        state=msgspec.json.encode(v1_state),
    )])
    wb.close()

    reopened = Workbench(db=db, actor="ann")
    try:
        kpi = reopened.app.repository.get(kpi_id)
        assert kpi.version == version + 1 and kpi.last_value == 27.0
        record = reopened.records_of(str(kpi_id))[-1]
        assert record.name == "Kpi.Measured" and record.data == {"value": 27.0, "source": "manual"}
        assert record.actor == "old-client"
        (point,) = kpi_series(reopened.now, str(kpi_id)).points
        assert (point.value, point.source) == (27.0, "manual")
        # And it keeps working: a v2 measurement after the v1 one.
        reopened.measure("NPS", 31, source="import")
        assert [m.source for m in kpi_series(reopened.now, str(kpi_id)).points] == ["manual", "import"]
        assert reopened.app.repository.get(kpi_id).last_value == 31
    finally:
        reopened.close()
