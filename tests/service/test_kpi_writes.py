"""A KPI's measurement on SQLite is a quick write (pmtui/service/kpi_writes.py): stored as the
application stores ``Kpi.Measured`` (its class version last), read back by the application's Kpi,
refused when the value is not a finite number, and nothing of eventsourcing opened."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import msgspec
import pytest

from domain.exceptions import ValidationError
from domain.kpi import Kpi
from pmtui.service.workbench import Workbench
from pmtui.store.verify import check_tail


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    wb = Workbench(db=str(path), actor="ann")
    wb.init_product("Acme", "AC")
    wb.add_kpi("NPS", target=50)
    wb.measure("NPS", 10)
    wb.close()
    return path


def test_a_measurement_is_stored_as_the_application_stores_it(store: Path) -> None:
    wb = Workbench(db=str(store), actor="bob")
    try:
        kpi_id = wb.kpi("NPS").id
        wb.measure("NPS", "42.5", reason="survey")
        wb.measure("NPS", 40, at=datetime(2026, 1, 5, tzinfo=timezone.utc))
        assert not wb.log.opened
        rows = wb.log.connection().execute(
            "SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version", [kpi_id.replace("-", "")]).fetchall()
        assert [(v, t) for v, t, _ in rows] == [(1, "domain.kpi:Kpi.Defined"), (2, "domain.kpi:Kpi.Measured"),
                                                 (3, "domain.kpi:Kpi.Measured"), (4, "domain.kpi:Kpi.Measured")]
        state = msgspec.json.decode(rows[2][2])
        assert list(state) == ["timestamp", "actor", "reason", "occurred", "undoes", "redoes", "value", "source",
                               "class_version"]
        assert (state["actor"], state["reason"], state["value"], state["source"], state["class_version"]) == \
            ("bob", "survey", 42.5, "manual", 2)
        assert msgspec.json.decode(rows[3][2])["occurred"] == "2026-01-05T00:00:00Z"
        assert wb.app.load(Kpi, kpi_id, "KPI").last_value == 40  # the application folds them
        assert check_tail(wb.log) is None
        before = wb.log.max_seq()
        with pytest.raises(ValidationError):
            wb.measure("NPS", "lots")
        assert wb.log.max_seq() == before
    finally:
        wb.close()
