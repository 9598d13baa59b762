"""One storage suite, run against SQLite (a temporary file) and PostgreSQL (a schema of its own
per test, created before and dropped after). PostgreSQL tests are skipped only when no server
answers at the default address; PMTUI_TEST_POSTGRES overrides the address, and when it is set
(as in CI) a server that does not answer fails the tests instead of skipping them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_base() -> str:
    return os.environ.get("PMTUI_TEST_POSTGRES") or DEFAULT_POSTGRES


def _connect(base: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(base.split("?", 1)[0], autocommit=True, connect_timeout=3)


_reachable: bool | None = None


def postgres_reachable() -> bool:
    global _reachable
    if _reachable is None:
        try:
            _connect(postgres_base()).close()
            _reachable = True
        except Exception:  # noqa: BLE001 - any failure to connect means "no server here"
            _reachable = False
    return _reachable


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The address of a new, empty store (what ``--db`` / ``PMTUI_DB`` take)."""
    if request.param == "sqlite":
        yield str(tmp_path / "pmtui.db")
        return
    if not postgres_reachable():
        if os.environ.get("PMTUI_TEST_POSTGRES"):  # asked for explicitly (CI): a missing server is a failure
            pytest.fail(f"PMTUI_TEST_POSTGRES is set but no PostgreSQL server answers at {postgres_base()}")
        pytest.skip(f"no PostgreSQL server answers at {postgres_base()}")
    schema = f"pmtui_test_{uuid.uuid4().hex[:12]}"
    with _connect(postgres_base()) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_base().split('?', 1)[0]}?schema={schema}"
    finally:
        with _connect(postgres_base()) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
