"""Where a rebuild's time goes, phase by phase, in one process (no fold worker): reading the
stored rows, decoding them, folding, encoding the rows, inserting each table, each index build
and the commit. CPU seconds (this process and its sort threads) and wall seconds per phase.

    python bench/rebuild_phases.py /tmp/copy-of-a-store.db     # the store is rebuilt in place

Run it on a copy: the store's tables are rebuilt. Phases overlap nowhere here (the worker is off),
so the parts add up to the whole; ``bench/rebuild.py`` times the command as a user runs it.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WALL: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)


@contextmanager
def phase(name: str) -> Iterator[None]:
    w, c = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        WALL[name] += time.perf_counter() - w
        CPU[name] += time.process_time() - c


def timed_iter(name: str, it: Any) -> Iterator[Any]:
    it = iter(it)
    while True:
        with phase(name):
            try:
                value = next(it)
            except StopIteration:
                return
        yield value


def label(sql: str) -> str:
    words = sql.split()
    if words[0] == "INSERT":
        return "insert " + words[2]
    if words[0] == "CREATE":
        return "index " + next(w for w in words if w.startswith("rm_") and w not in ("rm_history", "rm_current"))
    if words[0] == "ALTER":
        return "alter " + words[5]
    return " ".join(words[:3])


def main() -> None:
    from pmtui.store import readmodel
    import pmtui.store.storage as storage  # noqa: F401  (the CLI's imports, outside the phases)

    target = sys.argv[1]
    readmodel.WORKER_FROM = 1 << 62  # in process: the phases do not overlap
    real_many, real_run = readmodel.Sql.many, readmodel.Sql.run

    def many(self: Any, sql: str, rows: Any) -> None:
        with phase(label(sql)):
            real_many(self, sql, rows)

    def run(self: Any, sql: str, params: Any = ()) -> None:
        with phase(label(sql)):
            real_run(self, sql, params)

    readmodel.Sql.many, readmodel.Sql.run = many, run  # type: ignore[method-assign]
    real_stored = readmodel._sqlite_stored

    def stored(conn: Any, after: int, upto: int) -> Any:
        s = real_stored(conn, after, upto)
        s.raw = timed_iter("read stored rows", s.raw)
        return s

    readmodel._sqlite_stored = stored
    real_iter = readmodel.Stored.__iter__
    readmodel.Stored.__iter__ = lambda self: timed_iter("decode", real_iter(self))  # type: ignore[method-assign]
    from projections.versions import LogFold

    real_apply = LogFold.apply

    def apply(self: Any, records: Any) -> Any:
        with phase("fold"):
            return real_apply(self, records)

    LogFold.apply = apply  # type: ignore[method-assign]
    real_chunk = readmodel.fold_chunk

    def fold_chunk(fold: Any, chunk: Any) -> Any:
        with phase("fold+encode"):
            return real_chunk(fold, chunk)

    readmodel.fold_chunk = fold_chunk
    real_open = readmodel.open_rows
    readmodel.open_rows = lambda fold: timed_iter("encode open rows", real_open(fold))

    import sqlite3

    real_connect = sqlite3.connect

    class Conn(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            if sql.strip().upper() == "COMMIT":
                with phase("commit"):
                    return super().execute(sql, *args)
            return super().execute(sql, *args)

    sqlite3.connect = lambda *a, **k: real_connect(*a, factory=Conn, **k)  # type: ignore[assignment]

    class Log:
        class location:
            kind = "sqlite"

        location.target = target  # type: ignore[attr-defined]

        @staticmethod
        def max_seq() -> int:
            c = real_connect(target)
            try:
                return c.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0
            finally:
                c.close()

    w, c = time.perf_counter(), time.process_time()
    count = readmodel.rebuild(Log())
    total_w, total_c = time.perf_counter() - w, time.process_time() - c
    # Nested phases: fold+encode holds fold, decode holds the read.
    WALL["decode"] -= WALL["read stored rows"]
    CPU["decode"] -= CPU["read stored rows"]
    WALL["encode closed rows"] = WALL.pop("fold+encode") - WALL["fold"]
    CPU["encode closed rows"] = CPU.pop("fold+encode") - CPU["fold"]
    print(f"rebuild of {count:,} events in process: wall {total_w:.1f} s, cpu {total_c:.1f} s   "
          f"(load {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    for name in sorted(WALL, key=lambda n: -CPU[n]):
        print(f"  {name:34s} cpu {CPU[name]:6.2f} s   wall {WALL[name]:6.2f} s")
    print(f"  {'(other)':34s} cpu {total_c - sum(CPU.values()):6.2f} s   wall {total_w - sum(WALL.values()):6.2f} s")


if __name__ == "__main__":
    main()
