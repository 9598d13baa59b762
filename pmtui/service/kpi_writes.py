"""A KPI's measurement, written quickly on SQLite without eventsourcing (as pmtui/service/item_writes.py
writes an item's commands): ``Kpi.measure``'s one rule (the value is a finite number) needs none of
the KPI's state, so the event is stored at the KPI's next version, exactly as the application
stores ``Kpi.Measured`` (its fields, then its class version), with its chain link and read-model
rows in one transaction. A version taken meanwhile is refused by the primary key and the save tried
again at the next one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.values import number
from pmtui.errors import ConflictError, NotFoundError
from pmtui.service.item_writes import MAX_ATTEMPTS, backoff, stored_state
from pmtui.store.append import append
from projections.records import CLASS_VERSIONS

TOPIC = "domain.kpi:Kpi"
MEASURED = f"{TOPIC}.Measured"


def measure(conn: sqlite3.Connection, kpi_id: str, value: Any, source: str,
            attribution: tuple[str, str, datetime | None]) -> None:
    checked = number(value, "value")
    hex_id = UUID(str(kpi_id)).hex
    for attempt in range(MAX_ATTEMPTS):
        first, last = conn.execute("SELECT MIN(originator_version), MAX(originator_version) FROM stored_events "
                                   "WHERE originator_id = ?", [hex_id]).fetchone()
        if first is None or not conn.execute("SELECT 1 FROM stored_events WHERE originator_id = ? AND "
                                             "originator_version = ? AND topic = ?",
                                             [hex_id, first, f"{TOPIC}.Defined"]).fetchone():
            raise NotFoundError(f"no such KPI: {kpi_id}")
        state = stored_state(attribution, value=checked, source=source, class_version=CLASS_VERSIONS[MEASURED])
        try:
            append(conn, [(hex_id, last + 1, MEASURED, state)])
        except sqlite3.IntegrityError:
            backoff(attempt)
            continue
        return
    raise ConflictError("someone else kept changing the same thing; nothing was written, try again")
