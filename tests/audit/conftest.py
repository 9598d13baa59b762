"""Stores for the audit tests: the same tests run on a SQLite file and on a fresh PostgreSQL
schema (skipped only when no server answers), with raw SQL access for tampering."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from pmtui.service.workbench import Workbench

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_connect() -> Any:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")


@dataclass
class RawStore:
    """A store's address plus direct SQL on its tables, as someone with database access would."""

    kind: str
    url: str
    events: str  # the events table, qualified
    chain: str
    seq: str  # the column that numbers events
    conn: Any

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        prefix = self.events.rsplit(".", 1)[0] + "." if "." in self.events else ""
        text = statement.format(events=self.events, chain=self.chain, seq=self.seq,
                                versions=prefix + "rm_current", meta=prefix + "rm_meta")
        if self.kind == "postgres":
            text = text.replace("?", "%s")
        cursor = self.conn.execute(text, params)
        rows = cursor.fetchall() if cursor.description else []
        if self.kind == "sqlite":
            self.conn.commit()
        return rows

    def workbench(self, actor: str = "ann") -> Workbench:
        return Workbench(db=self.url, actor=actor)


def sqlite_store(path: str) -> RawStore:
    return RawStore("sqlite", path, "stored_events", "pmtui_chain", "rowid", sqlite3.connect(path))


@contextmanager
def postgres_store() -> Iterator[RawStore]:
    """A fresh schema of its own, dropped afterwards."""
    conn = _pg_connect()
    schema = f"audit_{uuid.uuid4().hex[:12]}"
    conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield RawStore("postgres", f"{PG_SERVER}?schema={schema}", f"{schema}.pmtui_events", f"{schema}.pmtui_chain",
                       "notification_id", conn)
    finally:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def raw_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[RawStore]:
    if request.param == "sqlite":
        store = sqlite_store(str(tmp_path / "store.db"))
        yield store
        store.conn.close()
    else:
        with postgres_store() as store:
            yield store


@pytest.fixture
def pg_store() -> Iterator[RawStore]:
    with postgres_store() as store:
        yield store


@pytest.fixture
def memory_wb() -> Iterator[Workbench]:
    wb = Workbench(db=":memory:", actor="ann")
    wb.init_product("Audit", "AU")
    yield wb
    wb.close()
