"""Helpers for the backlog, roadmap, OKR and history view tests (imported by those test files).

Snapshots of History show when each event was *recorded*; the shared demo store records with the
real clock, so the snapshot tests use a demo generated with eventsourcing's clock pinned too."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import eventsourcing.domain
import pytest
from textual.pilot import Pilot

from pmtui.service.demo import generate
from pmtui.service.workbench import Workbench
from pmtui.tui.app import PmApp
from tests.tui.conftest import FIXED_NOW

RECORDED_AT = FIXED_NOW + timedelta(hours=1)


@pytest.fixture(scope="session")
def frozen_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("frozen-demo") / "demo.db"
    ticks = iter(range(10**9))
    saved = eventsourcing.domain.datetime_now_with_tzinfo
    # Each event recorded a microsecond after the previous one, starting an hour after the demo's "now".
    eventsourcing.domain.datetime_now_with_tzinfo = lambda: RECORDED_AT + timedelta(microseconds=next(ticks))
    try:
        wb = Workbench(db=str(path), actor="alice")
        try:
            generate(wb, now=FIXED_NOW)
        finally:
            wb.close()
    finally:
        eventsourcing.domain.datetime_now_with_tzinfo = saved
    return path


@pytest.fixture
def frozen_app(frozen_demo_template: Path, tmp_path: Path) -> Iterator[Callable[[str], PmApp]]:
    """An app on a copy of the frozen demo, for snapshots."""
    path = tmp_path / "frozen.db"
    shutil.copy(frozen_demo_template, path)
    opened: list[Workbench] = []

    def make(mode: str) -> PmApp:
        wb = Workbench(db=str(path), actor="tester")
        opened.append(wb)
        return PmApp(wb, mode=mode, clock=lambda: FIXED_NOW, poll=False)

    yield make
    for wb in opened:
        wb.close()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type like a user, one key at a time."""
    for char in text:
        await pilot.press(char)


def fixed_now() -> datetime:
    return FIXED_NOW
