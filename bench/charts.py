"""How long a chart takes to build at 200x50 (the budget is 50 ms), on the demo workspace with a
long KPI series (a year of hourly measurements: far more points than columns, so downsampling
matters). Prints the CPU time per chart kind: the best and the median of several builds.

    python bench/charts.py
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

from pmtui.chart_sources import KINDS, ChartSource, draw_series
from pmtui.charts import kpi_chart
from pmtui.demo import generate
from pmtui.service import Workbench
from projections.metrics import KpiPoint, KpiTrend

WIDTH, HEIGHT, RUNS = 200, 50, 7


def timed(build) -> tuple[float, float]:  # noqa: ANN001
    """CPU time (the machine is shared: wall time measures the neighbours too): best and median."""
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        build()
        times.append((time.process_time() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    wb = Workbench(":memory:", actor="bench")
    generate(wb, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    source = ChartSource(wb)
    print(f"chart build at {WIDTH}x{HEIGHT} (CPU ms, best / median of {RUNS}; series computed once, colours on)")
    for kind in KINDS:
        data = source.series(kind) if kind != "kpi" else source.series(kind, kpi="Conversion rate")
        median, worst = timed(lambda: draw_series(kind, data, WIDTH, HEIGHT, True, None, source.moment))
        print(f"  {kind:<12} {median:6.1f} / {worst:6.1f}")
    hourly = [KpiPoint(1.7e9 + n * 3600, 50 + (n % 97) * 0.3, "ok") for n in range(24 * 365)]
    long = KpiTrend("Hourly", "", "higher", 60.0, 45.0, 40.0, hourly, max(hourly, key=lambda p: p.value),
                    min(hourly, key=lambda p: p.value), [], True)
    median, worst = timed(lambda: kpi_chart(long, WIDTH, HEIGHT, True))
    print(f"  {'kpi 8760 pts':<12} {median:6.1f} / {worst:6.1f}")
    median, worst = timed(lambda: ChartSource(wb).series("cfd"))
    print(f"series: cumulative flow from the log {median:6.1f} / {worst:6.1f}")
    wb.close()


if __name__ == "__main__":
    main()
