"""Shared helpers for the importer tests: the real exports in ../shared/fixtures (skipped when
absent; never copied into the project) and small hand-made exports written to tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pmtui.service import Workbench

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def fixture_path(*parts: str) -> Path:
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"fixture {path} is absent")
    return path


@pytest.fixture
def wb() -> Workbench:
    bench = Workbench(db=":memory:", actor="importer")
    yield bench
    bench.close()


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any, str], Path]:
    def write(data: Any, name: str = "export.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path
    return write
