"""Helpers of the property tests over the tables of changes (rm_flow, rm_plan, rm_flow_sum):
playing a random plan of steps, some recorded late, and filling a table again from the versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pmtui.service.workbench import Workbench
from pmtui.store.readmodel import Sql


def play(wb: Workbench, steps: list[tuple[int, tuple[Any, ...]]], run: Callable[[Workbench, tuple[Any, ...]], None]) -> None:
    """Each step now, or recorded now as having occurred ``6 * -n`` hours ago (a late event)."""
    for hours_back, op in steps:
        if hours_back:
            with wb.recorded_as("ann", datetime.now(timezone.utc) + timedelta(hours=hours_back * 6)):
                run(wb, op)
        else:
            run(wb, op)
    wb.refresh()


def fill_again(db: Path, fill: Callable[[Sql], Any]) -> None:
    """Run a table's ``fill`` (a store made before the table) in a write transaction of its own."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        fill(Sql(conn.cursor(), False))
        conn.execute("COMMIT")
    finally:
        conn.close()
