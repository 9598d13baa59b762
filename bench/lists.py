"""The CLI's lists as the user waits for them (whole process, fresh start), beside the floor
measured in the same run (python + sqlite3 + msgspec, one insert), with each process's peak memory:
``backlog`` (the backlog proper, the default), ``backlog --all`` (every item), ``board --json`` and
``board`` (and ``backlog is:backlog``: the backlog proper from a checkout whose ``backlog`` listed
every item). Processes take turns (floor, this checkout, each other), so load slows them alike.

    python bench/lists.py --store /work/stores/items50000.db
    python bench/lists.py --store /work/stores/events1000000.db --code /work/main   # before, in turns

Targets (issue 10; reported, not asserted): ``backlog`` and ``board --json`` at 50k items <= 400 ms;
a CLI command's peak memory at 1M events <= 100 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_start import compiled, env_for, python  # noqa: E402
from core import FLOOR  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
COMMANDS = {
    "backlog": ["backlog"],
    "backlog is:backlog": ["backlog", "is:backlog"],  # the same answer from a checkout whose default was every item
    "backlog --all": ["backlog", "--all"],
    "backlog --json": ["backlog", "--json"],
    "board --json": ["board", "--json"],
    "board": ["board"],
}


def measured(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Wall ms, CPU ms and peak MB of one process (wait4's rusage), its output read from a pipe."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter() - started) * 1000
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed: {err.read().decode()[-400:]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", action="append", required=True, help="a store (read-only: lists write nothing)")
    parser.add_argument("--runs", type=int, default=5, help="processes per figure and checkout")
    parser.add_argument("--code", action="append", default=[], help="another checkout to run in turns (before)")
    parser.add_argument("--only", action="append", help="only these commands (names as printed)")
    args = parser.parse_args()
    codes = compiled([HERE, *(Path(c).resolve() for c in args.code)])
    floor_db = Path(tempfile.gettempdir()) / "pmtui-lists-floor.db"
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for store in args.store:
        print(f"\n# {store}")
        for name, words in COMMANDS.items():
            if args.only and name not in args.only:
                continue
            figures: dict[str, list[tuple[float, float, float]]] = {"floor": [], **{str(c): [] for c in codes}}
            for _ in range(args.runs):
                figures["floor"].append(measured([sys.executable, "-c", FLOOR, str(floor_db)], env_for(HERE), HERE))
                for code in codes:
                    figures[str(code)].append(measured([python(code), "-m", "pmtui", "--db", store, *words],
                                                       env_for(code), code))
            floor = statistics.median(f[0] for f in figures["floor"])
            floor_cpu = statistics.median(f[1] for f in figures["floor"])
            print(f"{name:<16} floor: wall {floor:4.0f} ms, cpu {floor_cpu:4.0f} ms")
            for code in codes:
                runs = figures[str(code)]
                wall, cpu = statistics.median(f[0] for f in runs), statistics.median(f[1] for f in runs)
                print(f"    wall {wall:5.0f} ms = {wall / floor:4.1f}x floor   cpu {cpu:5.0f} ms = "
                      f"{cpu / floor_cpu:4.1f}x floor   peak {max(f[2] for f in runs):4.0f} MB   {code}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
