"""What a person waits for to see a chart: the whole ``pmtui --db X chart KIND`` process, from a
fresh start, on stores of realistic history made by bench/core.py's Generator (pmtui/service/demo_scale.py), beside the floor
(python + sqlite3 + msgspec doing one insert) measured in the same run. Then, in process, the CPU
time of drawing each chart at 200x50 on the demo workspace (the budget is 50 ms).

    python bench/charts.py                               # 10k items (~100k events) and 1M events
    python bench/charts.py --items 10000 --events 0      # only the 10k-item store
    python bench/charts.py --keep /tmp/stores            # keep (and reuse) the stores there
    python bench/charts.py --before /path/to/checkout    # the same timings of another checkout too

Targets (reported, not asserted): ``chart burndown`` at 10k items <= 300 ms; every chart at 1M
events <= 1 s; peak memory of a chart command at 1M events <= 100 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT, RUNS = 200, 50, 7
KINDS = ["burndown", "burnup", "velocity", "cfd", "wip", "cycle-time", "lead-time", "throughput", "okr", "kpi"]

FLOOR = """
import sqlite3, msgspec, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
conn.execute("INSERT INTO t (body) VALUES (?)", [msgspec.msgpack.encode({"title": "one"})])
conn.commit()
"""


def build(db: Path, items: int) -> None:
    """A store of about ``items`` items with a year of realistic history, ~10 events an item (the
    Generator of bench/core.py, now pmtui/service/demo_scale.py: what ``pmtui demo --items N`` writes)."""
    from pmtui.service.demo_scale import generate_at_scale
    from pmtui.service.workbench import Workbench

    wb = Workbench(db=str(db), actor="bench")
    began = time.perf_counter()
    written = generate_at_scale(wb, items)
    wb.close()
    print(f"  built {db.name}: {written:,} events, {items:,} items in {time.perf_counter() - began:.0f} s")


def whole(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float, float]:
    """Median and best wall ms of a fresh process, and its peak memory in MB (GNU time's %M).
    One unmeasured run first: Python writes its bytecode caches, as on a user's machine after the
    first use (PYTHONDONTWRITEBYTECODE is dropped for the same reason)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, cwd=cwd, capture_output=True, env=env)
    times, peak = [], 0.0
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, capture_output=True, text=True, env=env)
        times.append((time.perf_counter() - began) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(times), min(times), peak


def chart_timings(db: Path, checkout: Path, runs: int, kinds: list[str]) -> dict[str, tuple[float, float, float]]:
    out = {}
    for kind in kinds:
        # -m from the checkout's directory: its pmtui is the one imported.
        cmd = [sys.executable, "-m", "pmtui", "--db", str(db), "chart", kind, "--width", "120", "--height", "30",
               "--color", "never"]
        out[kind] = whole(cmd, checkout, runs)
    return out


def draw_budget() -> None:
    """CPU time of drawing each chart (the series computed once) on the demo workspace."""
    from pmtui.service.chart_sources import ChartSource, draw_series
    from pmtui.charts import kpi_chart
    from pmtui.service.demo import generate
    from pmtui.service.workbench import Workbench
    from projections.metrics import KpiPoint, KpiTrend

    def timed(build) -> tuple[float, float]:  # noqa: ANN001
        times = []
        for _ in range(RUNS):
            start = time.process_time()
            build()
            times.append((time.process_time() - start) * 1000)
        return min(times), statistics.median(times)

    wb = Workbench(":memory:", actor="bench")
    generate(wb, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    source = ChartSource(wb)
    print(f"\nchart drawing at {WIDTH}x{HEIGHT} on the demo (CPU ms, best / median of {RUNS}; series computed once)")
    for kind in KINDS:
        data = source.series(kind) if kind != "kpi" else source.series(kind, kpi="Conversion rate")
        best, median = timed(lambda: draw_series(kind, data, WIDTH, HEIGHT, True, None, source.moment))
        print(f"  {kind:<12} {best:6.1f} / {median:6.1f}")
    hourly = [KpiPoint(1.7e9 + n * 3600, 50 + (n % 97) * 0.3, "ok") for n in range(24 * 365)]
    long = KpiTrend("Hourly", "", "higher", 60.0, 45.0, 40.0, hourly, max(hourly, key=lambda p: p.value),
                    min(hourly, key=lambda p: p.value), [], True)
    best, median = timed(lambda: kpi_chart(long, WIDTH, HEIGHT, True))
    print(f"  {'kpi 8760 pts':<12} {best:6.1f} / {median:6.1f}")
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="items of the small store (0: none)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events of the big store (0: none)")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure")
    parser.add_argument("--keep", help="a directory to keep the stores in (reused when there)")
    parser.add_argument("--before", help="another checkout (e.g. the previous release) to time beside this one")
    parser.add_argument("--kinds", default=",".join(KINDS), help="chart kinds, comma-separated")
    args = parser.parse_args()
    kinds = args.kinds.split(",")

    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="pmtui-charts-")
    where = Path(args.keep or tmp.name)  # type: ignore[union-attr]
    where.mkdir(parents=True, exist_ok=True)
    stores = []
    if args.items:
        stores.append((f"{args.items:,} items", where / f"items{args.items}.db", args.items))
    if args.events:  # ~10 events an item
        stores.append((f"{args.events:,} events", where / f"events{args.events}.db", args.events // 10))
    print("pmtui chart bench: whole process, fresh start (median / best wall ms, peak MB)")
    for _, db, items in stores:
        if not db.exists():
            build(db, items)
    floor_db = where / "floor.db"
    floor = whole([sys.executable, "-c", FLOOR, str(floor_db)], ROOT, args.runs)
    print(f"  floor: python + sqlite3 + msgspec, one insert: {floor[0]:6.0f} / {floor[1]:6.0f} ms  {floor[2]:5.0f} MB")
    checkouts = [("this", ROOT)] + ([("before", Path(args.before).resolve())] if args.before else [])
    for label, db, _ in stores:
        print(f"\n{label} ({db.stat().st_size / 2**20:,.0f} MB store)")
        for name, checkout in checkouts:
            for kind, (median, best, peak) in chart_timings(db, checkout, args.runs, kinds).items():
                print(f"  {name:<7} chart {kind:<11} {median:7.0f} / {best:7.0f} ms  {peak:6.0f} MB")
    draw_budget()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
