"""The audit machinery under load: what the hash chain costs a save, and how fast verify,
export and import go, on SQLite and (if a server answers) PostgreSQL.

    python bench/audit.py                   # 50k events
    python bench/audit.py --events 200000 --pg postgresql://postgres@127.0.0.1:5432/test

Reported, not asserted. The machine may be shared: times are wall and CPU of this process.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.work_item import WorkItem
from pmtui.store.jsonl import export_jsonl, import_jsonl
from pmtui.service.workbench import Workbench
from pmtui.service.application import open_application, opened_log
from pmtui.store.storage import locate
from pmtui.store.verify import verify


def timed(label: str, fn: Callable[[], Any], per: int = 0) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rate = f"  ({per / wall:,.0f}/s)" if per else ""
    print(f"  {label:<42} {wall * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms cpu{rate}")
    return result


def save_cost(db: str, chained: bool, saves: int = 200) -> float:
    """Milliseconds per save of one edit, with or without the chain."""
    location = locate(db)
    if not chained:
        location.env.pop("APPLICATION_RECORDER_TOPIC", None)
    app = open_application(location)
    item = WorkItem.create(uuid.uuid4(), uuid.uuid4(), "B-1", "bench", "Backlog", "m")
    app.save(item)
    start = time.perf_counter()
    for n in range(saves):
        item.edit(title=f"bench {n}")
        app.save(item)
    app.close()
    return (time.perf_counter() - start) / saves * 1000


def fill(db: str, events: int) -> None:
    """A product, an item and ``events`` comments on it, written through the chained recorder."""
    wb = Workbench(db=db, actor="bench")
    wb.init_product("Bench", "BE")
    key = wb.add_item("busy item")
    wb.comment(key, "first")
    template = wb.app.recorder.select_events(UUID(wb.item(key).id))[-1]
    version = template.originator_version
    for start in range(0, events, 1000):
        wb.app.recorder.insert_events([
            StoredEvent(template.originator_id, version + 1 + n, template.topic, template.state)
            for n in range(start, min(start + 1000, events))
        ])
    wb.close()


def opened(db: str) -> Any:
    return opened_log(locate(db))


def run(kind: str, make_db: Callable[[str], str], events: int) -> None:
    print(f"{kind}:")
    plain, chained = save_cost(make_db("plain"), False), save_cost(make_db("chained"), True)
    print(f"  one save, without / with the chain          {plain:9.2f} ms / {chained:.2f} ms")
    source = make_db("source")
    timed(f"write {events:,} events (1000 per save)", lambda: fill(source, events), events)
    with opened(source) as log:
        verdict = timed("verify", lambda: verify(log), events)
        assert verdict.intact
        out = io.BytesIO()
        timed("export", lambda: export_jsonl(log, out), events)
    target = Workbench(db=make_db("target"), actor="bench")
    timed("import (and fold)", lambda: import_jsonl(target, io.BytesIO(out.getvalue())), events)
    target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server to use (a temporary schema per store); '' to skip")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", lambda name: str(Path(folder) / f"{name}.db"), args.events)
    if not args.pg:
        return
    try:
        import psycopg
        conn = psycopg.connect(args.pg, autocommit=True, connect_timeout=3)
    except Exception as error:  # noqa: BLE001 - any failure: skip PostgreSQL
        print(f"PostgreSQL skipped: {error}")
        return
    schemas: list[str] = []

    def make(name: str) -> str:
        schemas.append(f"bench_audit_{name}_{uuid.uuid4().hex[:8]}")
        conn.execute(f"CREATE SCHEMA {schemas[-1]}")
        return f"{args.pg}?schema={schemas[-1]}"
    try:
        run("PostgreSQL", make, args.events)
    finally:
        for schema in schemas:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


if __name__ == "__main__":
    main()
