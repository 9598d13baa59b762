"""A demo store made once per test session and copied for each test that needs one."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pmtui.service.demo import generate
from pmtui.service.workbench import Workbench

FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's own config file, completion cache and time zone never reach a test."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    for name in ("PMTUI_CONFIG", "PMTUI_TIMEZONE", "PMTUI_WEEK_START", "PMTUI_THEME", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    wb = Workbench(db=str(path), actor="tester")
    generate(wb, now=FIXED_NOW)
    wb.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.db"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("PMTUI_DB", str(path))
    monkeypatch.setenv("PMTUI_ACTOR", "carol")
    return path
