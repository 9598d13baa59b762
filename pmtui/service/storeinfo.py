"""What ``pmtui version`` says about a store, read without opening the application: on SQLite
with the standard library alone (read-only, so asking never creates or changes a store).

``schema_version`` is the schema of the read model's tables in the store (``rm_meta``, see
``pmtui.store.readmodel.SCHEMA_VERSION``; None before they are built), ``read_model_at`` the event they
are folded to.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

META_TABLE = "rm_meta"  # pmtui.store.readmodel: the read model's position and schema version


def default_db_path() -> Path:
    """The default store (the same as ``pmtui.store.storage.default_db_path``, without its imports)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "pmtui" / "pmtui.db"


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def connect_readonly(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to an existing SQLite store, or None if there is none."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        conn.execute("SELECT 1 FROM stored_events LIMIT 1")
    except sqlite3.Error:
        return None
    return conn


def store_info(db: str | None) -> dict[str, Any]:
    target = db or os.environ.get("PMTUI_DB") or str(default_db_path())
    if target == ":memory:":
        return {"store": "memory", "kind": "memory", "exists": False, "schema_version": None, "events": 0}
    if is_postgres(target):
        return _postgres_info(target)
    path = Path(target).expanduser()
    info: dict[str, Any] = {"store": str(path), "kind": "sqlite", "exists": path.is_file(),
                            "schema_version": None, "events": 0 if not path.is_file() else None,
                            "read_model_at": None}
    conn = connect_readonly(path)
    if conn is None:
        return info
    try:
        info["events"] = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        try:
            meta = dict(conn.execute(f"SELECT name, value FROM {META_TABLE}").fetchall())  # noqa: S608
        except sqlite3.Error:  # the read model's tables are not built yet
            meta = {}
        info["schema_version"] = meta.get("schema")
        info["read_model_at"] = meta.get("position")
    finally:
        conn.close()
    return info


def _postgres_info(target: str) -> dict[str, Any]:
    """PostgreSQL needs the application's connection settings: the one slow path here (it still
    folds nothing)."""
    from pmtui.service.application import opened_log
    from pmtui.store.readmodel import open_read_model
    from pmtui.store.storage import locate

    location = locate(target)
    with opened_log(location) as log:
        read = open_read_model(log)
        try:
            schema = read.query("SELECT value FROM {m} WHERE name = 'schema'")
            return {"store": location.describe(), "kind": "postgres", "exists": True,
                    "schema_version": schema[0][0] if schema else None, "events": log.max_seq(),
                    "read_model_at": read.position()}
        finally:
            read.close()
