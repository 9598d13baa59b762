"""The commands a shell runs on every TAB, and ``--version``, timed as the user runs them: whole
processes, fresh starts, beside the floor (python + sqlite3 + msgspec, one insert) measured in the
same run. Builds a log with bench/core.py's generator (default 100k events) in a temporary file.

    python bench/terminal.py                  # 100k events
    python bench/terminal.py --events 1000000

Reported, not asserted. Targets: ``--version`` and a warm TAB (``__complete``, the store's values
kept since the last TAB) within 2x the floor; the first TAB on a store folds the names of the
whole log once (sqlite3 + json, no eventsourcing).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FLOOR = ("import sqlite3, msgspec, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('CREATE TABLE IF NOT EXISTS t (x BLOB)'); "
         "c.execute('INSERT INTO t VALUES (?)', [msgspec.json.encode({'a': 1})]); c.commit()")


def whole(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median, best) wall seconds of ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    from core import build_bulk  # bench/core.py's realistic generator

    from pmtui.service import Workbench

    with tempfile.TemporaryDirectory(prefix="pmtui-bench-") as tmp:
        db = str(Path(tmp) / "bench.db")
        end = datetime.now(timezone.utc)
        wb = Workbench(db=db, actor="bench")
        with wb.recorded_as("bench", end - timedelta(days=366)):
            wb.init_product("Bench", "BN")
        build_bulk(wb, args.events, random.Random(7), end - timedelta(days=365), end, 2000)
        wb.close()
        env = {**os.environ, "PMTUI_DB": db, "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
               "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        pmtui = [sys.executable, "-m", "pmtui.cli"]
        tab = [*pmtui, "__complete", "bash", "3", "item", "move", ""]
        print(f"pmtui terminal bench: {args.events:,} events, median (best) of {args.runs} whole processes")
        floor = whole([sys.executable, "-c", FLOOR, str(Path(tmp) / "floor.db")], env, args.runs)
        print(f"floor (python+sqlite3+msgspec insert)  {floor[0] * 1000:6.0f} ms ({floor[1] * 1000:.0f})")
        started = time.perf_counter()
        subprocess.run(tab, env=env, stdout=subprocess.DEVNULL, check=True)
        print(f"first TAB (tree + names of the log)    {(time.perf_counter() - started) * 1000:6.0f} ms")
        for label, argv in (("pmtui --version", [*pmtui, "--version"]),
                            ("pmtui version --json", [*pmtui, "version", "--json"]),
                            ("TAB: item keys (warm)", tab),
                            ("TAB: commands (warm)", [*pmtui, "__complete", "bash", "1", ""]),
                            ("pmtui config", [*pmtui, "config"])):
            median, best = whole(argv, env, args.runs)
            print(f"{label:<38} {median * 1000:6.0f} ms ({best * 1000:.0f})  {median / floor[0]:.1f}x floor")


if __name__ == "__main__":
    main()
