"""Shared helpers for the importer tests: the real exports in ../shared/fixtures (skipped when
absent; never copied into the project) and small hand-made exports written to tmp_path."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pmtui.service.workbench import Workbench

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


POSTGRES = os.environ.get("PMTUI_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_db() -> str:
    """The address of a fresh PostgreSQL schema (dropped afterwards); skipped when no server answers."""
    try:
        import psycopg
        connect = lambda: psycopg.connect(POSTGRES.split("?", 1)[0], autocommit=True, connect_timeout=3)  # noqa: E731
        connect().close()
    except Exception:  # noqa: BLE001 - any failure to connect means "no server here"
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES}")
    schema = f"pmtui_import_{uuid.uuid4().hex[:12]}"
    with connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES.split('?', 1)[0]}?schema={schema}"
    finally:
        with connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
