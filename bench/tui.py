"""TUI benchmark, headless: time to first frame, key -> frame latency, and time-travel steps,
with a large store (default 50,000 items and ~100,000 events).

    python bench/tui.py [--items 50000] [--db /tmp/pmtui-bench.sqlite] [--keys 200]
    python bench/tui.py --db /tmp/s50k.db --first-frame 7   # any store, e.g. `pmtui demo --items 50000`

The store is built once (in bulk, straight through the application: adding 50k items one by one
through the workbench re-reads the board's ranks each time) and reused on later runs.

Figures:
- process first frame (``--first-frame RUNS``: only these): from starting a fresh process to the
  view's first frame painted (the wall, the CPU the process used, its peak), interleaved with the
  floor (python + sqlite3 + msgspec) and given as multiples of it (target <= 0.8 s at 50k);
- imports: loading the views' modules (once per process, before the app exists);
- open: opening the workbench (fold from the snapshot), not part of the first-frame target;
- first frame: from creating the app (store open) to its first frame painted (target <= 300 ms);
- key -> frame: from a key reaching the app to the first frame painted after it (p50/p90, target
  p90 <= 16 ms); Textual paints at most 60 times a second, so up to ~16 ms of it is waiting for
  the next paint tick;
- step: ``[`` (one event back in time travel) to its frame (target <= 50 ms);
- search: the palette's search (pmtui.service.search.find) for each prefix of queries typed key by
  key, with the words index built as the TUI builds it (in a worker at start and when the palette
  opens), and the first key after an edit; also the cold first key that builds the index itself
  (target <= 50 ms after each key, the first included);
- t prompt: ``t`` to the time-travel prompt painted, the first and the median of nine more (target <= 50 ms);
- dashboard: from the app's start to the frame with every chart on screen drawn, then ``m`` (more
  charts, and again fewer) to the frame in which the charts on screen are all drawn for the
  latest data (target <= 200 ms), and how long the data of every chart (off screen too) took.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.base import attributed  # noqa: E402
from domain.product import Product  # noqa: E402
from domain.work_item import WorkItem  # noqa: E402
from pmtui.service.workbench import Workbench  # noqa: E402
from pmtui.timespec import AsOf  # noqa: E402
from frames import Effect, FrameClock  # noqa: E402  (bench/frames.py)

KINDS = ["story", "story", "story", "bug", "task", "spike"]
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def even_rank(n: int, total: int, width: int = 6) -> str:
    """Ranks spread evenly over the space, so later reorders have room between neighbours."""
    value = (n + 1) * (36 ** width // (total + 2))
    out = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        out.append(DIGITS[digit])
    return "".join(reversed(out))


def build_store(db: str, items: int, batch: int = 1000) -> None:
    """A product with ``items`` items (each created, then edited once: ~2 events per item)."""
    wb = Workbench(db=db, actor="bench")
    if wb.now.product is None:
        wb.init_product("Bench", "BE")
    board_view = wb.board()
    have = len(wb.now.items)
    if have >= items:  # built already (or a `pmtui demo` store given with --db)
        wb.close()
        return
    app = wb.app
    columns = board_view.column_names
    board_id = UUID(board_view.id)
    with attributed("bench", "bulk load"):
        product = app.repository.get(Product.create_id("BE"))
        for start in range(have, items, batch):
            created = []
            numbers = range(start, min(items, start + batch))
            keys = [f"{product.key_prefix}-{n + 1}" for n in numbers]
            for n, key in zip(numbers, keys, strict=True):
                item = WorkItem.create(product.id, board_id, key, f"Item number {n} of the bench",
                                       columns[n % 2], even_rank(n, items), KINDS[n % len(KINDS)], points=float(n % 8 + 1))
                item.edit(labels=[f"l{n % 7}"], assignee=["ann", "bob", "cy"][n % 3])
                created.append(item)
            app.save(product, *created)
            print(f"\r  {min(items, start + batch)} items", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    wb.refresh()
    wb.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def dashboard_settled(app: Any) -> bool:
    """The Dashboard shows every chart on screen for its latest data, drawn at its size."""
    return getattr(app.screen, "mode", None) == "dashboard" and app.screen.settled


def summary(name: str, effects: list[Effect], floor_p90: float | None = None) -> dict[str, float]:
    """p50/p90/max of the keys that showed an effect, how many showed none, and p90 as a
    multiple of the floor (a bare Textual app's key -> frame, measured in the same run)."""
    shown = [e.ms for e in effects if e.ms is not None]
    out: dict[str, float] = {}
    if shown:
        out[f"{name}_p50_ms"] = statistics.median(shown)
        out[f"{name}_p90_ms"] = percentile(shown, 90)
        out[f"{name}_max_ms"] = max(shown)
        if floor_p90:
            out[f"{name}_p90_x_floor"] = percentile(shown, 90) / floor_p90
    cpu = [e.cpu_ms for e in effects if e.cpu_ms is not None]
    if cpu:
        out[f"{name}_cpu_p90_ms"] = percentile(cpu, 90)
    if len(shown) < len(effects):
        out[f"{name}_no_effect"] = float(len(effects) - len(shown))
    return out


async def floor_keys(keys: int) -> list[Effect]:
    """The floor for key -> frame: a bare Textual app whose key changes one line of text, measured
    with the same clock (frames written, effect found the same way)."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("0", id="n")

        def on_key(self) -> None:
            self.count = getattr(self, "count", 0) + 1
            self.query_one("#n", Static).update(str(self.count))

    app = Floor()
    clock = FrameClock(app, *SIZE)
    async with app.run_test(size=SIZE):
        await clock.first_frame()
        return [await clock.key_effect("j") for _ in range(keys)]


SIZE = (120, 40)


def cursor_keys(keys: int) -> list[str]:
    """j twenty times, then k twenty times, and so on: down a list and back, every key a move."""
    return ["j" if (n // 20) % 2 == 0 else "k" for n in range(keys)]


async def view_keys(app: Any, clock: FrameClock, mode: str, keys: int, floor: float,
                    figures: dict[str, Any]) -> None:
    """Cursor moves and a card move (where the view moves cards) in ``mode``, shown already."""
    writer = app.writer
    effects = [await clock.key_effect(key) for key in cursor_keys(keys)]
    figures.update(summary(f"{mode}_cursor", effects, floor))
    moves = {"board": ("L", "H"), "sprint": ("L", "H"), "backlog": ("J", "K")}.get(mode)
    if moves is not None:
        # A move is done when its write is: the frame that shows it comes after the write is
        # folded in (the toast saying so is cleared before the next key, so it is not waited on).
        moved = []
        for n in range(max(4, keys // 10)):
            app.clear_notifications()
            moved.append(await clock.key_effect(moves[n % 2], done=lambda: writer.pending == 0))
        figures.update(summary(f"{mode}_card_move", moved, floor))
        app.clear_notifications()


async def measure(db: str, keys: int, only: set[str] | None = None) -> dict[str, Any]:
    """Every in-process figure (or the sections named in ``only``: search, t, dashboard, views,
    travel); ``db`` is changed (cards move): give it a copy."""
    def wanted(section: str) -> bool:
        return not only or section in only

    started = time.perf_counter()
    from pmtui.tui.app import PmApp, load_screens

    load_screens()  # imports every view (plotext for the dashboard included): once per process
    figures: dict[str, Any] = {"imports_ms": (time.perf_counter() - started) * 1000}
    floor = await floor_keys(keys)
    figures.update(summary("floor_key", floor))
    floor_p90 = figures["floor_key_p90_ms"]
    started = time.perf_counter()
    wb = Workbench(db=db, actor="bench")
    figures["open_ms"] = (time.perf_counter() - started) * 1000
    figures["events"] = wb.position
    figures["items"] = len(wb.now.items)
    if wanted("search"):
        figures.update(measure_search(wb))

    # The t prompt, the process started afresh each time (the palette's words index warming in a
    # worker and the other views' modules loading, as a person meets them), then t again.
    if wanted("t"):
        figures.update(t_prompt(db, runs=5, delay=T_DELAY))

    if wanted("dashboard"):
        app = PmApp(wb, mode="dashboard", poll=False)
        start = time.perf_counter()
        clock = FrameClock(app, *SIZE)
        async with app.run_test(size=SIZE):
            await clock.quiet(0.3, 120, lambda: dashboard_settled(app))
            figures["dashboard_first_settled_ms"] = (clock.frames[-1][0] - start) * 1000
            # Below the fold the charts' data goes on computing in the worker: how long until every
            # chart, the more ones (m) included, has its data; m is timed after that.
            while app.screen._computing and time.perf_counter() < start + 600:
                await asyncio.sleep(0.05)
            figures["dashboard_all_charts_data_ms"] = (time.perf_counter() - start) * 1000
            # m shows the four more charts, m again hides them: each to the frame with them drawn.
            settles = [await clock.key_effect("m", done=lambda: dashboard_settled(app), quiet=0.3, limit=30)
                       for _ in range(10)]
            figures.update(summary("dashboard_m", settles, floor_p90))

    # The three views a person lives in: cursor, card move, switching between them.
    if wanted("views"):
        app = PmApp(wb, mode="board", poll=False)
        clock = FrameClock(app, *SIZE)
        async with app.run_test(size=SIZE):
            await clock.first_frame()
            await clock.quiet(0.3)
            switches: dict[str, list[Effect]] = {"board": [], "backlog": [], "history": []}
            digits = {"board": "1", "backlog": "3", "history": "7"}
            for mode in ("board", "backlog", "history"):
                if mode != "board":
                    switches[mode].append(await clock.key_effect(digits[mode], limit=60))  # its first visit
                await view_keys(app, clock, mode, keys, floor_p90, figures)
            for n in range(max(6, keys // 10)):
                mode = ("board", "backlog", "history")[n % 3]
                switches[mode].append(await clock.key_effect(digits[mode], limit=60))
            for mode, effects in switches.items():
                if mode != "board":
                    figures[f"{mode}_switch_first_ms"] = effects[0].ms or 0.0
                    effects = effects[1:]
                figures.update(summary(f"{mode}_switch", effects, floor_p90))

    # The other views, and time travel everywhere (one event back at a time).
    if wanted("travel"):
        for mode in ("backlog", "history", "roadmap", "okrs", "board", "sprint"):
            app = PmApp(wb, mode=mode, poll=False)
            start = time.perf_counter()
            clock = FrameClock(app, *SIZE)
            async with app.run_test(size=SIZE) as pilot:
                figures[f"{mode}_first_frame_ms"] = (await clock.first_frame() - start) * 1000
                if mode == "sprint":
                    await view_keys(app, clock, mode, keys // 2, floor_p90, figures)
                if mode == "backlog":
                    pages = [await clock.key_effect("pagedown") for _ in range(20)]
                    figures.update(summary("backlog_pagedown", pages, floor_p90))
                    figures["backlog_resort_ms"] = (await clock.key_effect("o", limit=60)).ms or 0.0
                    t = time.perf_counter()
                    app.screen.apply_filter("label:l3 points>3")
                    await pilot.pause()
                    figures["backlog_filter_ms"] = (time.perf_counter() - t) * 1000
                    app.screen.apply_filter("")
                middle = wb.position // 2
                t = time.perf_counter()
                app.travel_to(AsOf(event=middle, text=f"#{middle}"))
                await pilot.pause()
                figures[f"{mode}_travel_ms"] = (time.perf_counter() - t) * 1000
                steps = [await clock.key_effect("left_square_bracket", limit=30) for _ in range(10)]
                figures.update(summary(f"{mode}_step", steps, floor_p90))
                app.return_to_now()
                await pilot.pause()
    wb.close()
    return figures


def typed(query: str) -> list[str]:
    """What the palette searches for as ``query`` is typed key by key."""
    return [query[:n] for n in range(1, len(query) + 1) if query[:n].strip()]


def timed(fn: Any, *args: Any) -> tuple[float, float]:
    """Milliseconds of wall time and of this thread's CPU time (less moved by others' load)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    fn(*args)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def measure_search(wb: Workbench) -> dict[str, float]:
    """The palette's search (pmtui.service.search.find) for each prefix of a query typed key by
    key: cold (the words index built by the first key, as before the warm-up), then as the TUI
    runs it (the index built in a worker when the app starts or the palette opens), and on the
    first key after an edit (the index moves by the rows the new events touched). Each as wall
    time and as CPU time (``_cpu``)."""
    from pmtui.service import search

    figures: dict[str, float] = {}
    ws = wb.now
    first = next(iter(search.item_words(ws)))
    queries = [f"item {first.key} slow".lower(), first.key.lower(), "zz"]
    search._state = None
    figures["search_cold_first_key_ms"], figures["search_cold_first_key_cpu_ms"] = timed(search.find, ws, "i")
    search._state = None
    # What the worker does, off the UI thread:
    figures["search_index_build_ms"], figures["search_index_build_cpu_ms"] = timed(search.prepare, ws)
    per_key: list[tuple[float, float]] = []
    firsts: list[tuple[float, float]] = []
    for query in queries:
        for n, prefix in enumerate(typed(query)):
            per_key.append(timed(search.find, ws, prefix))
            if n == 0:
                firsts.append(per_key[-1])
    after = []
    for n in range(5):
        wb.edit_item(first.key, title=f"{first.title} (edited {n})")
        wb.refresh()
        after.append(timed(search.find, wb.now, "i"))
    wb.edit_item(first.key, title=first.title)
    wb.refresh()
    for name, values in (("first_key", firsts), ("per_key", per_key), ("first_key_after_edit", after)):
        for unit, column in (("ms", 0), ("cpu_ms", 1)):
            figures[f"search_{name}_p90_{unit}"] = percentile([v[column] for v in values], 90)
            figures[f"search_{name}_max_{unit}"] = max(v[column] for v in values)
    return figures


T_DELAY = 0.3  # seconds from the first frame to the first t: a quick person (the warm still runs)

T_PROMPT = """
import asyncio, json, os, sys, time
sys.path.insert(0, os.path.join(sys.argv[3], "bench"))
from frames import FrameClock
from pmtui.service.workbench import Workbench
from pmtui.tui.app import PmApp

async def main(db, delay):
    app = PmApp(Workbench(db=db, actor="bench"), mode="board", poll=False)
    clock = FrameClock(app, 120, 40)
    async with app.run_test(size=(120, 40)):
        await clock.first_frame()
        await asyncio.sleep(delay)
        prompts = []
        for n in range(6):
            asking = lambda: getattr(app.screen, "asking", lambda: False)()  # the in-view question
            prompts.append((await clock.key_effect("t", wait_before=n > 0, done=asking)).ms)
            await clock.key_effect("escape", done=lambda: not asking())
    os.write(1, json.dumps(prompts).encode() + b"\\n")

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"""


def t_prompt(db: str, runs: int, delay: float) -> dict[str, float]:
    """``t`` to the prompt written, in fresh processes: the first t ``delay`` s after the first
    frame (the start-up workers still running), then five more once the screen is quiet."""
    import json
    import subprocess

    firsts: list[float] = []
    later: list[float] = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", T_PROMPT, db, str(delay), str(Path(__file__).parents[1])],
                             capture_output=True, check=True).stdout
        shown = json.loads(out.splitlines()[-1])
        firsts.append(shown[0] or 0.0)
        later += [v or 0.0 for v in shown[1:]]
    return {"t_prompt_first_p50_ms": statistics.median(firsts), "t_prompt_first_max_ms": max(firsts),
            "t_prompt_p50_ms": statistics.median(later), "t_prompt_p90_ms": percentile(later, 90)}


FIRST_FRAME = """
import os, sys, time
from pmtui.service.workbench import Workbench
from pmtui.tui.app import PmApp

mode, db = sys.argv[1], sys.argv[2]
app = PmApp(Workbench(db=db, actor="bench"), mode=mode, poll=False)
display = app._display
def first_frame(screen, renderable):
    # The first frame painted (as FrameClock sees frames): the view with its data, drawn in
    # on_mount. The CPU the process used to get there is less at the mercy of the load than the wall.
    if renderable is not None and app._display is first_frame:
        app._display = display
        os.write(1, b"frame %d\\n" % (time.process_time() * 1000))
        app.exit()
    display(screen, renderable)
app._display = first_frame
app.run(headless=True, size=(120, 40))
"""


def whole_process_first_frame(db: str, runs: int = 3, views: tuple[str, ...] = ("board", "backlog", "history")) -> dict[str, float]:
    """A person's wait: from starting the process (imports, opening the store) to the first frame
    of a view, and that process's peak memory; beside the floor (python + sqlite3 + msgspec)."""
    import subprocess

    out: dict[str, float] = {}
    floor = "import sqlite3, msgspec; c = sqlite3.connect(':memory:'); c.execute('create table t (x)'); " \
            "c.execute('insert into t values (?)', [msgspec.json.encode(1)])"
    cases = [("floor", [sys.executable, "-c", floor])] + [
        (f"{mode}", [sys.executable, "-c", FIRST_FRAME, mode, db]) for mode in views]
    walls: dict[str, list[float]] = {name: [] for name, _ in cases}
    peaks: dict[str, list[float]] = {name: [] for name, _ in cases}
    cpus: dict[str, list[float]] = {name: [] for name, _ in cases}  # less at the mercy of the load than the wall
    for _ in range(runs):  # interleaved, so a change in the machine's load falls on every case alike
        for name, argv in cases:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            line = proc.stdout.readline()  # type: ignore[union-attr]  # the frame (the floor: its end)
            walls[name].append((time.perf_counter() - started) * 1000)
            cpus[name].append(float(line.split()[1]) if line.startswith(b"frame ") else 0.0)
            proc.stdout.read()  # type: ignore[union-attr]
            _, _, usage = os.wait4(proc.pid, 0)
            peaks[name].append(usage.ru_maxrss / 1024)
    floor_ms = statistics.median(walls["floor"])
    for name, _ in cases:
        if name == "floor":
            out["process_floor_ms"] = floor_ms
        else:
            out[f"process_{name}_first_frame_ms"] = statistics.median(walls[name])
            out[f"process_{name}_first_frame_x_floor"] = statistics.median(walls[name]) / floor_ms
            out[f"process_{name}_first_frame_cpu_ms"] = statistics.median(cpus[name])
        out[f"process_{name}_peak_mb"] = max(peaks[name])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--db", default="/tmp/pmtui-bench.sqlite")
    parser.add_argument("--keys", type=int, default=60, help="cursor keys measured per view (a tenth of it: card moves, view switches)")
    parser.add_argument("--only", help="only these in-process sections, comma-separated: search,t,dashboard,views,travel "
                        "(no whole-process first frames)")
    parser.add_argument("--copy-of", metavar="STORE", help="copy this store (read-only, e.g. /work/stores/items50000.db) to --db "
                        "first: the bench moves cards")
    parser.add_argument("--out", help="also write the figures to this file")
    parser.add_argument("--first-frame", type=int, metavar="RUNS", default=0,
                        help="only the whole-process first frames (RUNS each) on --db as it is, built or not "
                             "by this script (e.g. a `pmtui demo --items 50000` store)")
    parser.add_argument("--views", default="board,backlog,history",
                        help="the views --first-frame opens the TUI on (comma-separated modes)")
    args = parser.parse_args()
    if args.first_frame:
        if not Path(args.db).exists():
            print(f"bench: no store at {args.db}", file=sys.stderr)
            return 2
        figures = whole_process_first_frame(args.db, args.first_frame, tuple(args.views.split(",")))
    else:
        if args.copy_of:
            import shutil

            shutil.copyfile(args.copy_of, args.db)
        started = time.perf_counter()
        build_store(args.db, args.items)
        print(f"store ready in {time.perf_counter() - started:.1f} s: {args.db}", file=sys.stderr)
        only = set(args.only.split(",")) if args.only else None
        figures = {} if only else whole_process_first_frame(args.db)
        figures.update(asyncio.run(measure(args.db, args.keys, only)))
    figures["load_average_1min"] = os.getloadavg()[0]
    width = max(len(k) for k in figures)
    lines = [f"{name:<{width}}  {value:10.1f}" if isinstance(value, float) else f"{name:<{width}}  {value:10d}"
             for name, value in figures.items()]
    # Straight to the terminal's file descriptors: Textual's headless runs leave sys.stdout captured.
    os.write(2, ("\n".join(lines) + "\n").encode())
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
