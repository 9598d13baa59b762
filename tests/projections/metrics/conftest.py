"""Hand-made histories with known answers: a story told through the workbench (the real commands,
so the events have their real shapes), each step at a chosen moment, then the metrics read the log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pmtui.service.workbench import Workbench
from projections.records import EventRecord

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def moment(text: str, tz: Any = UTC) -> datetime:
    """'2026-03-02 10:00' in ``tz`` (UTC unless told)."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


class Story:
    def __init__(self) -> None:
        self.wb = Workbench(":memory:", actor="alice")

    @contextmanager
    def at(self, text: str, tz: Any = UTC) -> Iterator[Workbench]:
        with self.wb.recorded_as("alice", moment(text, tz)):
            yield self.wb

    def records(self) -> list[EventRecord]:
        return list(self.wb.records())

    def ts(self, text: str, tz: Any = UTC) -> float:
        return moment(text, tz).timestamp()


@pytest.fixture
def story() -> Iterator[Story]:
    s = Story()
    with s.at("2026-03-01 08:00") as wb:
        wb.init_product("Shop", "SH")
    yield s
    s.wb.close()
