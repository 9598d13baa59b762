"""The Backlog and History views on a large store (e.g. a `pmtui demo --items 50000` one), in process:
switching to each from the Board, key -> frame for cursor moves (j/k, PageDown) now and in the
past, and time travel's one-event step; then the process's peak memory.

    python bench/tui_lists.py --db /work/stores/items50000.db

Key -> frame is timed as bench/tui.py times it (``FrameClock``: from the key reaching the app to the
first frame painted after it; target p90 <= 16 ms for cursor moves). The switch includes importing
the view's module if its loader has not yet (it starts once the first frame is painted) and
shares the CPU with the palette's words index built at start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui import FrameClock, percentile  # noqa: E402

from pmtui.service.workbench import Workbench  # noqa: E402
from pmtui.timespec import AsOf  # noqa: E402


async def measure(db: str, keys: int) -> dict[str, float]:
    from pmtui.tui.app import PmApp
    from pmtui.tui.widgets.banner import MODE_LABELS

    wb = Workbench(db=db, actor="bench")
    out: dict[str, float] = {}
    for mode in ("backlog", "history"):
        app = PmApp(wb, mode="board", poll=False)
        clock = FrameClock(app)
        async with app.run_test(size=(120, 40)) as pilot:
            while not clock.frames:
                await asyncio.sleep(0.001)
            digit = next(d for d, m, _ in MODE_LABELS if m == mode)
            started = time.perf_counter()
            await pilot.press(digit)
            while getattr(app.screen, "mode", None) != mode:
                await asyncio.sleep(0.001)
            await pilot.pause()
            out[f"{mode}_switch_ms"] = (time.perf_counter() - started) * 1000
            moves = [await clock.key_to_frame(app, pilot, "j" if (n // 20) % 2 == 0 else "k") for n in range(keys)]
            out[f"{mode}_key_p50_ms"], out[f"{mode}_key_p90_ms"] = statistics.median(moves), percentile(moves, 90)
            pages = [await clock.key_to_frame(app, pilot, "pagedown") for _ in range(20)]
            out[f"{mode}_pagedown_p90_ms"] = percentile(pages, 90)
            middle = wb.position // 2
            app.travel_to(AsOf(event=middle, text=f"#{middle}"))
            await pilot.pause()
            steps = [await clock.key_to_frame(app, pilot, "left_square_bracket") for _ in range(10)]
            out[f"{mode}_step_p50_ms"] = statistics.median(steps)
            moves = [await clock.key_to_frame(app, pilot, "j" if (n // 20) % 2 == 0 else "k") for n in range(keys // 2)]
            out[f"{mode}_past_key_p90_ms"] = percentile(moves, 90)
    wb.close()
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_average_1min"] = os.getloadavg()[0]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a store, e.g. one made by `pmtui demo --items 50000`")
    parser.add_argument("--keys", type=int, default=100, help="cursor keys timed per view")
    args = parser.parse_args()
    if not Path(args.db).exists():
        print(f"bench: no store at {args.db}", file=sys.stderr)
        return 2
    figures = asyncio.run(measure(args.db, args.keys))
    # Straight to the terminal's file descriptor: Textual's headless runs leave sys.stdout captured.
    os.write(2, ("\n".join(f"{name:<24} {value:10.1f}" for name, value in figures.items()) + "\n").encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
