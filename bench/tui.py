"""TUI benchmark, headless: time to first frame, key -> frame latency, and time-travel steps,
with a large store (default 50,000 items and ~100,000 events).

    /work/venv/bin/python bench/tui.py [--items 50000] [--db /tmp/pmtui-bench.sqlite] [--keys 200]

The store is built once (in bulk, straight through the application: adding 50k items one by one
through the workbench re-reads the board's ranks each time) and reused on later runs.

Figures:
- open: opening the workbench (fold from the snapshot), not part of the first-frame target;
- first frame: from creating the app to its first screen painted (target <= 300 ms);
- key -> frame: a key press until the app has processed it and repainted (p50/p90, target p90 <= 16 ms),
  per view, for cursor keys and view switches;
- step: one event back in time travel (``[``), including the repaint (target <= 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
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
from pmtui.service import Workbench  # noqa: E402
from pmtui.timespec import AsOf  # noqa: E402

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
    app = wb.app
    columns = board_view.column_names
    board_id = UUID(board_view.id)
    with attributed("bench", "bulk load"):
        product = app.repository.get(Product.create_id("BE"))
        for start in range(have, items, batch):
            created = []
            numbers = range(start, min(items, start + batch))
            # Keys first: the product's events then come before the items' in time as in the log.
            keys = [product.allocate_key() for _ in numbers]
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


async def measure(db: str, keys: int) -> dict[str, Any]:
    from pmtui.tui.app import PmApp

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    wb = Workbench(db=db, actor="bench")
    figures["open_ms"] = (time.perf_counter() - started) * 1000
    figures["events"] = wb.timeline.position
    figures["items"] = len(wb.now.items)

    for mode in ("backlog", "history", "board"):
        start = time.perf_counter()
        app = PmApp(wb, mode=mode, poll=False)
        first_frame: list[float] = []

        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first_frame.append((time.perf_counter() - start) * 1000)
            figures[f"first_frame_{mode}_ms"] = first_frame[0]
            latencies = []
            for n in range(keys):
                key = "j" if (n // 20) % 2 == 0 else "k"
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                latencies.append((time.perf_counter() - t) * 1000)
            figures[f"key_{mode}_p50_ms"] = statistics.median(latencies)
            figures[f"key_{mode}_p90_ms"] = percentile(latencies, 90)
            if mode == "backlog":
                page = []
                for _ in range(20):
                    t = time.perf_counter()
                    await pilot.press("pagedown")
                    await pilot.pause()
                    page.append((time.perf_counter() - t) * 1000)
                figures["key_backlog_pagedown_p90_ms"] = percentile(page, 90)
                t = time.perf_counter()
                await pilot.press("o")
                await pilot.pause()
                figures["backlog_resort_ms"] = (time.perf_counter() - t) * 1000
            # Time travel: go to an event in the middle, then step back one event at a time.
            middle = wb.timeline.seqs[len(wb.timeline.seqs) // 2]
            t = time.perf_counter()
            app.travel_to(AsOf(event=middle, text=f"#{middle}"))
            await pilot.pause()
            figures[f"travel_{mode}_ms"] = (time.perf_counter() - t) * 1000
            steps = []
            for _ in range(20):
                t = time.perf_counter()
                await pilot.press("left_square_bracket")
                await pilot.pause()
                steps.append((time.perf_counter() - t) * 1000)
            figures[f"step_{mode}_p50_ms"] = statistics.median(steps)
            figures[f"step_{mode}_p90_ms"] = percentile(steps, 90)
            app.return_to_now()
            await pilot.pause()
    wb.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--db", default="/tmp/pmtui-bench.sqlite")
    parser.add_argument("--keys", type=int, default=200, help="key presses measured per view")
    args = parser.parse_args()
    started = time.perf_counter()
    build_store(args.db, args.items)
    print(f"store ready in {time.perf_counter() - started:.1f} s: {args.db}", file=sys.stderr)
    figures = asyncio.run(measure(args.db, args.keys))
    width = max(len(k) for k in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:10.1f}" if isinstance(value, float) else f"{name:<{width}}  {value:10d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
