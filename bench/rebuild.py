"""What `pmtui rebuild` and `pmtui demo --items N` cost as whole processes, beside the floor
measured in the same run (python + sqlite3 + msgspec, one insert), with the load average.

    python bench/rebuild.py --store /tmp/s100k.db            # a built store (copied for each run)
    python bench/rebuild.py --items 50000 --demo             # the demo's rate too
    python bench/rebuild.py --store S --code /path/to/other  # another checkout's pmtui, in turns

A rebuild folds in a second process (pmtui/store/foldworker.py) from 50k events on, so memory is
the peak of the process tree's summed resident sizes, sampled every 20 ms from /proc; CPU is the
tree's user + system time (wait4 counts the worker, which the command waits for). Targets (issue
10; reported, not asserted): a rebuild of 1M events <= 15 s and <= 300 MB; the demo >= 30k events/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_start import compiled, env_for, python  # noqa: E402
from core import FLOOR  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (one level deep is all pmtui makes)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def measure(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall s, CPU s of the tree, peak summed RSS (MB) and stdout of one process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        err.seek(0)
        out.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {err.read().decode()[-400:]}")
        # ru_maxrss of the waited process covers its own peak (the sampler can miss a short spike).
        return wall, usage.ru_utime + usage.ru_stime, max(peak[0] / 2**20, usage.ru_maxrss / 1024), out.read().decode()


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a built store to rebuild (a copy, each run)")
    parser.add_argument("--items", type=int, help="build a store of this many items first (pmtui demo)")
    parser.add_argument("--demo", action="store_true", help="time the demo that builds the store too")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--code", action="append", default=[], help="another checkout to run in turns (before)")
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "pmtui-bench"))
    args = parser.parse_args()
    codes = compiled([HERE, *(Path(c).resolve() for c in args.code)])
    keep = Path(args.keep)
    keep.mkdir(parents=True, exist_ok=True)
    floor_db = keep / "floor.db"
    store = Path(args.store) if args.store else keep / f"items-{args.items or 10_000}.db"
    for n in range(args.runs):
        wall, cpu, peak, _ = measure([sys.executable, "-c", FLOOR, str(floor_db)], env_for(HERE), HERE)
        floor = wall
        print(f"floor: wall {wall * 1000:.0f} ms, cpu {cpu * 1000:.0f} ms   (load {load()})")
        for code in codes:
            if args.demo or not store.exists():
                fresh = keep / f"demo-{os.getpid()}.db"
                wall, cpu, peak, out = measure([python(code), "-m", "pmtui", "--db", str(fresh), "demo", "--items",
                                                str(args.items or 10_000), "--json"], env_for(code), code)
                events = int(__import__("json").loads(out)["events"])
                print(f"demo {events:,} events: wall {wall:.1f} s = {events / wall:,.0f} ev/s ({wall / floor:,.0f}x floor)"
                      f", cpu {cpu:.1f} s, peak {peak:.0f} MB   (load {load()})  {code}")
                if not store.exists():
                    shutil.move(fresh, store)
                else:
                    fresh.unlink()
            copy = keep / f"rebuild-{os.getpid()}.db"
            shutil.copyfile(store, copy)
            wall, cpu, peak, out = measure([python(code), "-m", "pmtui", "--db", str(copy), "rebuild", "--json"],
                                           env_for(code), code)
            events = int(__import__("json").loads(out)["events"])
            copy.unlink()
            for suffix in ("-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            print(f"rebuild {events:,} events: wall {wall:.1f} s ({wall / floor:,.0f}x floor), cpu {cpu:.1f} s, "
                  f"peak {peak:.0f} MB   (load {load()})  {code}")


if __name__ == "__main__":
    main()
