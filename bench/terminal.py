"""The commands a shell runs on every TAB, and ``--version``, timed as the user runs them: whole
processes, fresh starts, beside the floor (python + sqlite3 + msgspec, one insert) measured in the
same run. Builds a store with ``pmtui demo --items N`` (about ten events an item) in a temporary
directory.

    python bench/terminal.py                  # 10k items, ~100k events
    python bench/terminal.py --items 100000

Reported, not asserted. Targets: ``--version`` and a warm TAB (``__complete``, the store's values
kept since the last TAB) within 2x the floor; the first TAB on a store folds the names of the
whole log once (sqlite3 + json, no eventsourcing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pmtui-bench-") as tmp:
        db = str(Path(tmp) / "bench.db")
        env = {**os.environ, "PMTUI_DB": db, "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
               "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        pmtui = [sys.executable, "-m", "pmtui.cli"]
        subprocess.run([*pmtui, "demo", "--items", str(args.items)], env=env, check=True, stdout=subprocess.DEVNULL)
        events = subprocess.run([*pmtui, "version", "--json"], env=env, check=True, capture_output=True, text=True)
        tab = [*pmtui, "__complete", "bash", "3", "item", "move", ""]
        count = json.loads(events.stdout)["events"]
        print(f"pmtui terminal bench: {args.items:,} items, {count:,} events; "
              f"median (best) of {args.runs} whole processes")
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
