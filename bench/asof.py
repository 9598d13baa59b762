"""Every view as of random points of a big log, as the user waits for it: whole processes from a
fresh start (``board``, ``board --json``, ``backlog``, ``sprint list``, ``sprint show``, ``roadmap``,
``okr``, ``kpi``, ``log``) with ``--as-of '#N'`` and ``--as-of TIME``, beside the floor measured in
the same run (python + sqlite3 + msgspec, one insert); then, with ``--in-process``, what the TUI's
time travel does at a random point (a jump, not a step) in one warmed process.

    python bench/asof.py --store /work/stores/events1000000.db
    python bench/asof.py --store ... --code /work/main          # before, in turns with this checkout
    python bench/asof.py --store ... --only board,log --runs 9
    python bench/asof.py --store ... --in-process --queries 100

Each run draws one point and runs the floor, then every checkout at that same point (taking turns
at going first), so a machine that gets busier slows them alike. Figures are medians and the slowest run, as multiples of the
floor's median, with the load average before and after. Targets (issue 10; reported, not asserted):
any ``--as-of`` point of a 1M-event log <= 300 ms whole process; in process p99 <= 30 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_start import compiled, env_for, python, run  # noqa: E402
from core import FLOOR, pct  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
COMMANDS = {
    "board": ["board"],
    "board --json": ["--json", "board"],
    "backlog": ["backlog"],
    "sprint list": ["sprint", "list"],
    "sprint show": ["sprint", "show"],
    "roadmap": ["roadmap"],
    "okr": ["okr"],
    "kpi": ["kpi"],
    "log --limit 50": ["log", "--limit", "50"],
    "log": ["log"],
}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


class Points:
    """Random points of the store: event numbers, and moments as a user types them (local time)."""

    def __init__(self, store: Path, rng: random.Random) -> None:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            self.last, self.last_t = conn.execute("SELECT MAX(seq), MAX(t) FROM rm_log").fetchone()
            # Moments from the first board on (a demo's log begins with backdated events of things
            # made before any board: every board command there would only say there is none).
            self.first_t = conn.execute("SELECT MIN(from_t) FROM (SELECT from_t FROM rm_current WHERE tbl = 'boards' "
                                        "UNION ALL SELECT from_t FROM rm_history WHERE tbl = 'boards')").fetchone()[0]
        self.rng = rng

    def event(self) -> str:
        return f"#{self.rng.randint(1, self.last)}"

    def moment(self) -> str:
        return datetime.fromtimestamp(self.rng.uniform(self.first_t, self.last_t)).strftime("%Y-%m-%d %H:%M")


def whole_process(store: Path, codes: list[Path], names: list[str], runs: int, points: Points) -> None:
    floor_db = Path("/tmp") / f"asof-floor-{os.getpid()}.db"
    for name in names:
        for axis, draw in (("#N", points.event), ("TIME", points.moment)):
            walls: dict[str, list[float]] = {"floor": [], **{str(c): [] for c in codes}}
            peaks: dict[str, float] = {str(c): 0.0 for c in codes}
            refused = 0
            before = load()
            for turn in range(runs):
                at = draw()
                wall, _, _ = run([sys.executable, "-c", FLOOR, str(floor_db)], env_for(HERE), HERE)
                walls["floor"].append(wall)
                # Turn about which checkout meets the point first (its pages may come from disk).
                for code in codes[turn % len(codes):] + codes[:turn % len(codes)]:
                    started = time.perf_counter()
                    pid = os.fork()
                    if pid == 0:  # the child: stdout to /dev/null, as fast as a pipe read to its end
                        devnull = os.open(os.devnull, os.O_WRONLY)
                        os.dup2(devnull, 1)
                        os.dup2(devnull, 2)
                        os.chdir(code)
                        env = env_for(code)
                        os.execve(python(code), [python(code), "-m", "pmtui", "--db", str(store), "--as-of", at,
                                                 *COMMANDS[name]], env)
                    _, status, usage = os.wait4(pid, 0)
                    code_of_exit = os.waitstatus_to_exitcode(status)
                    if code_of_exit == 1:  # a user error (no sprint active then): timed all the same
                        refused += 1
                    elif code_of_exit != 0:
                        raise SystemExit(f"{name} --as-of {at} failed in {code}")
                    walls[str(code)].append((time.perf_counter() - started) * 1000)
                    peaks[str(code)] = max(peaks[str(code)], usage.ru_maxrss / 1024)
            floor = statistics.median(walls["floor"])
            print(f"{name + ' --as-of ' + axis:<30} floor {floor:4.0f} ms   load {before} -> {load()}"
                  + (f"   ({refused} runs refused: a user error)" if refused else ""))
            for code in codes:
                got = walls[str(code)]
                print(f"    median {statistics.median(got):6.0f} ms = {statistics.median(got) / floor:5.1f}x floor   "
                      f"max {max(got):6.0f} ms = {max(got) / floor:5.1f}x   peak {peaks[str(code)]:4.0f} MB   {code.name}",
                      flush=True)
    floor_db.unlink(missing_ok=True)


def in_process(store: Path, rng: random.Random, queries: int, parts: list[str]) -> None:
    """A jump to a random point in one warmed process, as the TUI's time travel makes it: the
    board (``bench/core.py``'s ``tui_at``: per-column counts, first pages, the cards a screen
    draws), the backlog proper (its order and the first page of rows) and the history (its
    order and the entries of a screen)."""
    from core import tui_at

    from pmtui.service.workbench import Workbench
    from pmtui.store.backlog_pages import BacklogRows, PagedBacklog
    from pmtui.timespec import AsOf
    from pmtui.tui.history_source import HistoryFilter, HistorySource

    wb = Workbench(db=str(store), actor="bench")
    last = wb.position
    first_t, last_t = Points(store, rng).first_t, wb.read.query("SELECT MAX(t) FROM {l}")[0][0]
    history = HistorySource(wb)

    def backlog(point: AsOf) -> None:
        ws = wb.view(point)
        paged = PagedBacklog(ws, "is:backlog", "rank", "bench", False).build()
        rows = BacklogRows(ws, paged.entries)
        for item in rows[:40]:
            (item.key, item.title)  # noqa: B018 - drawn

    def log(point: AsOf) -> None:
        ws = wb.view(point)
        history.clear()
        order = history.order(ws, point.moment, HistoryFilter())
        window = order[:60]
        for seq in window[:40]:
            history.get(ws, seq, window)

    views: dict[str, Callable[[AsOf], Any]] = {"board": lambda point: tui_at(wb, point), "backlog": backlog,
                                               "history": log}
    print(f"in process ({store.name}, {last:,} events): load {load()}")
    for name in parts:
        for label, make in (("#N", lambda: AsOf(event=rng.randint(1, last))),
                            ("TIME", lambda: AsOf(moment=rng.uniform(first_t, last_t)))):
            times = []
            for _ in range(queries):
                point = make()
                started = time.perf_counter()
                views[name](point)
                times.append((time.perf_counter() - started) * 1000)
            print(f"    TUI {name:<8} at {label:<5} p50 {pct(times, 50):6.1f} ms  p99 {pct(times, 99):6.1f} ms  "
                  f"max {max(times):6.1f} ms  (target p99 <= 30 ms)   load {load()}", flush=True)
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="the store (opened read-only by the bench itself)")
    parser.add_argument("--code", action="append", default=[], help="another checkout to run in turns (before)")
    parser.add_argument("--runs", type=int, default=5, help="points (processes) per figure and checkout")
    parser.add_argument("--only", default="", help=f"commands, comma-separated (of: {', '.join(COMMANDS)})")
    parser.add_argument("--in-process", action="store_true", help="the TUI's jumps in one process instead")
    parser.add_argument("--parts", default="board,backlog,history", help="in-process views, comma-separated")
    parser.add_argument("--queries", type=int, default=100, help="in-process jumps per figure")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store = Path(args.store).resolve()
    rng = random.Random(args.seed)
    if args.in_process:
        in_process(store, rng, args.queries, [p for p in args.parts.split(",") if p])
        return
    codes = compiled([HERE, *(Path(c).resolve() for c in args.code)])
    names = [n.strip() for n in args.only.split(",") if n.strip()] or [n for n in COMMANDS if n != "log"]
    whole_process(store, codes, names, args.runs, Points(store, rng))


if __name__ == "__main__":
    main()
