"""Charts drawn as text: the metric series (projections.metrics) rendered with plotext 6.

Each builder takes a series, a size in character cells and whether to colour, and returns the
chart as a string (ANSI colours or plain). Every chart gets its own plotext terminal and figure, so
builds never share state (the TUI may build in a worker while the CLI builds in the main thread).
Series longer than the plot is wide are cut down to about one point per column first: more points
than cells draw nothing more and cost time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any


from projections.metrics import (
    CumulativeFlow, KpiTrend, OkrTrend, SprintSeries, SprintVelocity, TimeStats, WeekCount, Zone, day_of,
)

Figure = Any  # plotext's plot_class: untyped
ChartBuilder = Callable[[int, int, bool], str]  # (width, height, colors) -> text

MIN_WIDTH, MIN_HEIGHT = 20, 6
DAY = 86400.0


def _plotext_without_its_docs() -> None:
    """Let plotext's drawing modules load without its package ``__init__``, which first builds its
    interactive documentation (about 150 of the 215 ms the import takes; ``chart burndown`` is a
    300 ms command): the package is put in place as a bare module over plotext's folder, and
    completes itself (runs that ``__init__``) the first time anyone asks it for anything else."""
    import importlib.util
    import sys
    import types

    if "plotext" in sys.modules:
        return
    spec = importlib.util.find_spec("plotext")
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return  # not an ordinary package: import it as it is
    package = types.ModuleType("plotext")
    package.__spec__, package.__file__ = spec, spec.origin
    package.__path__ = list(spec.submodule_search_locations)
    package.__package__ = "plotext"

    def complete(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        del package.__dict__["__getattr__"]
        with open(spec.origin, encoding="utf-8") as source:
            exec(compile(source.read(), spec.origin, "exec"), package.__dict__)  # noqa: S102 - plotext's own __init__
        return getattr(package, name)

    package.__getattr__ = complete  # type: ignore[attr-defined]
    sys.modules["plotext"] = package


def _no_line_backgrounds() -> None:
    """plotext gives reference lines (``figure.line``) a white background by default, drawn as thick
    white stripes in a dark terminal; a pixel's empty background is filled from that default, so the
    default itself loses its background (lines then sit on the chart's own background)."""
    from plotext._primitives.pixel import pixel
    from plotext._settings import defaults

    if str(defaults.pixels["line"]).count("48;"):
        defaults.pixels["line"] = pixel(foreground="orange")


def new_figure(width: int, height: int, title: str, colors: bool) -> Figure:
    # plotext is imported on first use: it costs ~0.5 s, which the TUI's first frame should not pay.
    # Its own terminal object per chart (not the module-level one) keeps concurrent builds apart.
    _plotext_without_its_docs()
    from plotext._kernel.terminal import terminal as plotext_terminal

    _no_line_backgrounds()
    terminal = plotext_terminal()
    terminal.limit(False, False)  # our size, not the terminal's
    figure = terminal._master
    # One row less than asked: the legend goes on its own row below the plot, off the data.
    figure.plot_size(max(width, MIN_WIDTH), max(height, MIN_HEIGHT) - 1)
    figure.theme("simple" if colors else "colorless")
    figure._pm_width = max(width, MIN_WIDTH)
    figure._pm_height = max(height, MIN_HEIGHT)
    figure._pm_labels = []  # (text, signal or None, ANSI colour code, glyph)
    figure._pm_ys = []  # every y drawn: the y axis gets plain tick labels from their range
    figure._pm_ylim = None
    room = max(width, MIN_WIDTH) - 2
    figure.title(title if len(title) <= room else title[:room - 1] + "…")  # plotext drops a title too long
    return figure


def add_label(figure: Figure, signal: Any, text: str, glyph: str = "▄") -> None:
    figure._pm_labels.append((text, signal, "", glyph))


def plain(value: float) -> str:
    """A number as people write it: 1,700 · 12k · 3.14 · 0.5, never 1.7e3."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if size >= 10_000:
        return f"{value / 1000:.3g}k"
    if size >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}" if size >= 0.001 else "0"


def _nice_step(span: float, count: int) -> float:
    import math

    raw = span / max(1, count)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), 10 * power)


def set_ylim(figure: Figure, low: float | None, high: float | None) -> None:
    """The y range (None: from the data); ``render`` sets it with plain tick labels."""
    figure._pm_ylim = (low, high)


def _y_ticks(figure: Figure) -> None:
    low, high = figure._pm_ylim or (None, None)
    ys = figure._pm_ys
    if not ys and (low is None or high is None):
        return
    low = min(ys) if low is None else low
    high = max(ys) if high is None else high
    if high <= low:
        high = low + 1
    if figure._pm_ylim and figure._pm_ylim[1] is None:
        high += (high - low) * 0.05
    figure.ruler("y").lim(low, high)
    rows = figure._pm_height - 5
    step = _nice_step(high - low, max(1, rows // 2))
    import math

    first = math.ceil(low / step) * step
    ticks = [first + n * step for n in range(int((high - first) / step + 1e-9) + 1)]
    figure.ruler("y").ticks(ticks, [plain(t) for t in ticks])


def _legend_rows(figure: Figure, colors: bool, most: int = 2) -> list[str]:
    """Rows under the plot: a coloured sample and the label of each line, wrapped, at most ``most``
    rows (a label that does not fit then is left out whole, never cut)."""
    width = figure._pm_width
    rows: list[list[str]] = [[]]
    used = 1
    for text, signal, code, glyph in figure._pm_labels:
        if signal is not None and not code:
            code = str(signal._get_marker().pixel()).split("PlotextPixel")[0]
        piece_width = len(glyph) + 1 + len(text) + 2
        if used + piece_width > width and rows[-1]:
            if len(rows) == most:
                break
            rows.append([])
            used = 1
        used += piece_width
        sample = f"{code}{glyph}\x1b[0m" if colors and code else glyph
        rows[-1].append(f"{sample} {text}")
    return [" " + "  ".join(row) for row in rows]


def render(figure: Figure, colors: bool, legend: str = "right") -> str:
    """The chart as text, with its legend on a row or two of its own below the plot (never on the
    data). ``legend`` is kept for callers: the legend no longer sits in a corner of the plot."""
    _y_ticks(figure)
    rows = _legend_rows(figure, colors) if figure._pm_labels else []
    if len(rows) > 1:
        figure.plot_size(figure._pm_width, figure._pm_height - len(rows))
    text = figure.build().string(colorless=not colors)
    if rows:
        text = text.rstrip("\n") + "\n" + "\n".join(rows)
    return text


def message(width: int, height: int, title: str, text: str, colors: bool = True) -> str:
    """An empty chart's frame with a line saying why it is empty (no data as of then, say)."""
    figure = new_figure(width, height, title, colors)
    figure.ruler("x").lim(0, 1)
    figure.ruler("y").lim(0, 1)
    figure.ruler("x").ticks([], [])
    figure.ruler("y").ticks([], [])
    figure.draw(figure.text(0.5, 0.5, text, alignment="center"))
    return render(figure, colors)


def plot_columns(width: int) -> int:
    """Roughly how many character columns the plot area gets (the y ticks take ~8)."""
    return max(4, width - 10)


def downsample(xs: Sequence[float], ys: Sequence[float], columns: int) -> tuple[list[float], list[float]]:
    """At most about ``columns`` points, evenly spread, always keeping the first and the last."""
    n = len(xs)
    if n <= columns or columns < 2:
        return list(xs), list(ys)
    step = (n - 1) / (columns - 1)
    picks = sorted({round(i * step) for i in range(columns)})
    return [xs[i] for i in picks], [ys[i] for i in picks]


_FINE = 4  # grid cells per character cell, each way, when thinning a scatter


def thin_scatter(xs: Sequence[float], ys: Sequence[float], columns: int, rows: int,
                 high: float) -> tuple[list[float], list[float]]:
    """The dots of a scatter that can show: one per part of a cell (of ``columns`` x ``rows`` cells,
    y from 0 to ``high``), the first met in each, in order. Every dot is a character cell, so
    sixty thousand finishes on a control chart draw a few thousand distinct dots at most, and
    plotext costs per point given (1.5 s for 28k). A grid finer than the cells (``_FINE``):
    plotext's own rounding to a cell is not ours, and a finer grid keeps every cell that had a
    dot lit but in rare cases: on the 1M-event store a dot or two of thousands lands in the next
    cell or is left out (tests/cli/test_chart.py draws both ways)."""
    if len(xs) <= columns * rows or high <= 0:
        return list(xs), list(ys)
    low_x, span_x = min(xs), (max(xs) - min(xs)) or 1.0
    scale_x, scale_y = _FINE * columns / span_x, _FINE * rows / high
    seen: set[tuple[int, int]] = set()
    out_x: list[float] = []
    out_y: list[float] = []
    for x, y in zip(xs, ys):
        cell = (int((x - low_x) * scale_x), int(y * scale_y))
        if cell not in seen:
            seen.add(cell)
            out_x.append(x)
            out_y.append(y)
    return out_x, out_y


def _date_ticks(figure: Figure, first: date, count: int, width: int, offset: float = 0.0) -> None:
    """Tick labels on a day-number x axis: about one label per 12 columns."""
    if count <= 0:
        return
    slots = max(2, min(count, plot_columns(width) // 12))
    step = max(1, round((count - 1) / (slots - 1))) if slots > 1 else 1
    positions = list(range(0, count, step))
    labels = [(first.toordinal() + p) for p in positions]
    figure.ruler("x").ticks([p + offset for p in positions], [date.fromordinal(d).strftime("%m-%d") for d in labels])


def _line(figure: Figure, xs: Sequence[float], ys: Sequence[float], label: str, width: int,
          marker: str | None = None, fill: bool = False) -> Any:
    x, y = downsample(xs, ys, plot_columns(width))
    figure._pm_ys.extend(y)
    signal = figure.signal(x, y, marker=marker)
    add_label(figure, signal, label)
    signal.lines()
    if fill:
        signal.fillx()
    figure.draw(signal)
    return signal


def _hline(figure: Figure, value: float, label: str, color: str) -> None:
    # plotext 6.1 places a line at the data value with relative=True (False gives a fraction of the
    # height), the reverse of what its documentation says: checked by tests/cli/test_chart.py.
    from plotext._primitives.pixel import pixel

    line_pixel = pixel(foreground=color)
    figure.line(value, orientation=0, relative=True, pixel=line_pixel)
    figure._pm_ys.append(value)
    figure._pm_labels.append((f"{label} {plain(value)}", None, str(line_pixel).split("PlotextPixel")[0], "──"))


# Sprint ------------------------------------------------------------------------------------------
def burndown_chart(series: SprintSeries | None, width: int, height: int, colors: bool = True) -> str:
    title = "Burndown"
    if series is None or not series.days:
        return message(width, height, title, "the sprint has not started", colors)
    title = f"Burndown: {series.sprint.name}"
    points = series.has_points
    unit = "points" if points else "items"
    first = series.days[0].day
    xs = [float((d.day - first).days) for d in series.days]
    remaining = [d.remaining if points else float(d.remaining_items) for d in series.days]
    figure = new_figure(width, height, f"{title} ({unit} remaining)", colors)
    span = max(len(series.days), (date.fromisoformat(series.sprint.end) - first).days + 1 if series.sprint.end else 0)
    if points:
        ideal_end = float(span - 1)
        _line(figure, [0.0, ideal_end], [series.committed, 0.0], "ideal", width)
    else:
        start_items = float(series.days[0].remaining_items + series.days[0].done_items)
        _line(figure, [0.0, float(span - 1)], [start_items, 0.0], "ideal", width)
    _line(figure, xs, remaining, "remaining", width)
    for change in series.changes:
        x = float((change.day - first).days)
        figure.draw(figure.text(x, _at(series, change.day, points), f"{change.points:+g}", alignment="center"))
    _date_ticks(figure, first, max(span, len(xs)), width)
    set_ylim(figure, 0, None)
    return render(figure, colors)


def _side(x: float, low: float, high: float) -> str:
    """Align a note so it stays inside the plot: left near the left edge, right near the right."""
    where = (x - low) / (high - low) if high > low else 0.5
    return "left" if where < 0.2 else "right" if where > 0.8 else "center"


def _at(series: SprintSeries, day: date, points: bool) -> float:
    for d in series.days:
        if d.day == day:
            return d.remaining if points else float(d.remaining_items)
    return 0.0


def burnup_chart(series: SprintSeries | None, width: int, height: int, colors: bool = True) -> str:
    if series is None or not series.days:
        return message(width, height, "Burnup", "the sprint has not started", colors)
    points = series.has_points
    unit = "points" if points else "items"
    first = series.days[0].day
    xs = [float((d.day - first).days) for d in series.days]
    figure = new_figure(width, height, f"Burnup: {series.sprint.name} ({unit})", colors)
    _line(figure, xs, [d.scope if points else float(d.done_items + d.remaining_items) for d in series.days], "scope", width)
    _line(figure, xs, [d.done if points else float(d.done_items) for d in series.days], "done", width)
    _date_ticks(figure, first, len(xs), width)
    set_ylim(figure, 0, None)
    return render(figure, colors, legend="left")


def velocity_chart(rows: list[SprintVelocity], width: int, height: int, colors: bool = True) -> str:
    if not rows:
        return message(width, height, "Velocity", "no sprint closed yet", colors)
    rows = rows[-max(1, plot_columns(width) // 6):]  # each sprint needs a few columns for its two bars
    figure = new_figure(width, height, "Velocity (points per sprint)", colors)
    names = [r.sprint for r in rows]
    xs = list(range(1, len(rows) + 1))
    for offset, label, values in ((-0.2, "committed", [r.committed for r in rows]),
                                  (0.2, "completed", [r.completed for r in rows])):
        bars = figure.bar([x + offset for x in xs], values, width=0.3, fill=label == "completed")
        figure._pm_ys.extend(values)
        add_label(figure, bars, label, "█" if label == "completed" else "▯")
        figure.draw(bars)
    figure._pm_ys.extend(r.rolling for r in rows)
    average = figure.signal(xs, [r.rolling for r in rows])
    add_label(figure, average, "rolling average")
    average.lines()
    figure.draw(average)
    figure.ruler("x").ticks(xs, names)
    set_ylim(figure, 0, None)
    return render(figure, colors)


def cfd_chart(flow: CumulativeFlow | None, width: int, height: int, colors: bool = True) -> str:
    if flow is None or not flow.days:
        return message(width, height, "Cumulative flow", "no items yet", colors)
    figure = new_figure(width, height, f"Cumulative flow: {flow.board}", colors)
    first = flow.days[0].day
    xs = [float((d.day - first).days) for d in flow.days]
    # Stack the bands with done at the bottom, as flow charts are read: each line is a band's top
    # (filling the bands with plotext costs ~10x the build time: lines keep it within budget).
    tops: list[tuple[str, list[float]]] = []
    running = [0.0] * len(flow.days)
    for index in reversed(range(len(flow.columns))):
        running = [r + d.counts[index] for r, d in zip(running, flow.days)]
        tops.append((flow.columns[index], running))
    for name, top in reversed(tops):
        _line(figure, xs, top, name, width)
    _date_ticks(figure, first, len(xs), width)
    set_ylim(figure, 0, None)
    return render(figure, colors, legend="left")


def wip_chart(flow: CumulativeFlow | None, width: int, height: int, colors: bool = True) -> str:
    if flow is None or not flow.days:
        return message(width, height, "Work in progress", "no items yet", colors)
    figure = new_figure(width, height, "Work in progress (items in doing columns)", colors)
    first = flow.days[0].day
    _line(figure, [float((d.day - first).days) for d in flow.days], [float(d.wip) for d in flow.days], "WIP", width)
    _date_ticks(figure, first, len(flow.days), width)
    set_ylim(figure, 0, None)
    return render(figure, colors)


def time_chart(stats: TimeStats, width: int, height: int, colors: bool = True) -> str:
    """The control chart: one dot per finished item at its finish day, with the percentiles."""
    what = "Cycle time" if stats.what == "cycle" else "Lead time"
    if not stats.points:
        return message(width, height, what, "no item finished yet", colors)
    first = stats.points[0].day
    last = stats.points[-1].day
    figure = new_figure(width, height, f"{what} (days), {stats.count} items: "
                        f"p50 {stats.p50:.1f}  p85 {stats.p85:.1f}  p95 {stats.p95:.1f}", colors)
    xs = [float((p.day - first).days) for p in stats.points]
    ys = [p.days for p in stats.points]
    figure._pm_ys.extend(ys)
    # The y range as render sets it (from 0, 5 % above the highest of the dots and the lines).
    high = max([*ys, *(v for v in (stats.p50, stats.p85, stats.p95) if v is not None)]) * 1.05
    xs, ys = thin_scatter(xs, ys, max(width, MIN_WIDTH), max(height, MIN_HEIGHT), high)
    dots = figure.signal(xs, ys, marker="dot")
    add_label(figure, dots, "items", "•")
    figure.draw(dots)
    for value, label, color in ((stats.p50, "p50", "green"), (stats.p85, "p85", "orange"), (stats.p95, "p95", "red")):
        if value is not None:
            _hline(figure, value, label, color)
    _date_ticks(figure, first, (last - first).days + 1, width)
    set_ylim(figure, 0, None)
    return render(figure, colors)


def throughput_chart(weeks: list[WeekCount], width: int, height: int, colors: bool = True) -> str:
    if not weeks:
        return message(width, height, "Throughput", "no item finished yet", colors)
    weeks = weeks[-max(1, plot_columns(width) // 4):]
    figure = new_figure(width, height, "Throughput (items finished per week)", colors)
    xs = list(range(1, len(weeks) + 1))
    figure._pm_ys.extend(float(w.items) for w in weeks)
    figure.draw(figure.bar(xs, [w.items for w in weeks]))
    step = max(1, len(weeks) // max(1, plot_columns(width) // 8))
    figure.ruler("x").ticks(xs[::step], [w.week.strftime("%m-%d") for w in weeks][::step])
    set_ylim(figure, 0, None)
    return render(figure, colors)


def _time_axis(moments: list[float], tz: Zone) -> tuple[date, list[float]]:
    """Days (fractional) since the first moment's local midnight, and that first day."""
    first = day_of(moments[0], tz)
    base = datetime.combine(first, datetime.min.time())
    origin = (base.replace(tzinfo=tz) if tz is not None else base).timestamp()
    return first, [(m - origin) / DAY for m in moments]


def okr_chart(trends: list[OkrTrend], width: int, height: int, colors: bool = True, tz: Zone = None,
              as_of: float | None = None, max_lines: int = 6) -> str:
    """Progress (%) over time as steps (progress holds until the next check-in): each objective,
    and its key results too while that makes at most ``max_lines`` lines."""
    drawn = [t for t in trends if t.points]
    if not drawn:
        return message(width, height, "OKR progress", "no objective yet", colors)
    lines: list[tuple[str, list[float], list[float]]] = []
    with_krs = len(drawn) + sum(len(t.key_results) for t in drawn) <= max_lines
    for trend in drawn:
        lines.append((f"{trend.ref} {trend.title}", [p.at for p in trend.points], [p.progress for p in trend.points]))
        if with_krs:
            for number, points in sorted(trend.key_results.items()):
                lines.append((f"{trend.ref}.{number} {trend.metrics.get(number, '')}", [p.at for p in points],
                              [p.progress for p in points]))
    moments = sorted({at for _, ats, _ in lines for at in ats} | ({as_of} if as_of else set()))
    first, _ = _time_axis(moments, tz)
    figure = new_figure(width, height, "OKR progress (%)" + (": objectives and key results" if with_krs else ""),
                        colors)
    end = as_of or moments[-1]
    for label, ats, progress in lines:
        step_x, step_y = _steps(ats + [end], [p * 100 for p in progress] + [progress[-1] * 100])
        _, xs = _time_axis([moments[0], *step_x], tz)
        _line(figure, xs[1:], step_y, label[:32], width)
    _, span = _time_axis([moments[0], end], tz)
    _date_ticks(figure, first, int(span[1]) + 1, width)
    set_ylim(figure, 0, 100)
    return render(figure, colors, legend="left")


def _steps(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """A step line: each value holds until the next x."""
    out_x: list[float] = []
    out_y: list[float] = []
    for n, (x, y) in enumerate(zip(xs, ys)):
        if n:
            out_x.append(x)
            out_y.append(ys[n - 1])
        out_x.append(x)
        out_y.append(y)
    return out_x, out_y


def kpi_chart(trend: KpiTrend, width: int, height: int, colors: bool = True, tz: Zone = None) -> str:
    """A KPI's measurements with its target and thresholds as lines, the high and low marked."""
    unit = f" ({trend.unit})" if trend.unit else ""
    if not trend.points:
        return message(width, height, f"{trend.name}{unit}", "no measurement yet", colors)
    first, xs = _time_axis([p.at for p in trend.points], tz)
    status = "" if trend.on_target is None else ("on target" if trend.on_target else "off target")
    latest = trend.points[-1]
    # The current value first: a title too wide is cut at its end, never the number.
    title = f"{plain(latest.value)}{' ' + trend.unit if trend.unit else ''} · {trend.name} · {latest.status}" \
            f"{', ' + status if status else ''} · {len(trend.breaches)} breaches · " \
            f"{'higher' if trend.direction == 'higher' else 'lower'} is better"
    figure = new_figure(width, height, title, colors)
    values = [p.value for p in trend.points]
    marks = [v for v in (trend.target, trend.warn, trend.alarm) if v is not None]
    low, high = min(values + marks), max(values + marks)
    pad = (high - low) * 0.05 or 1.0
    set_ylim(figure, low - pad, high + pad)  # the thresholds stay in view even when far off
    _line(figure, xs, values, "value", width)
    for value, label, color in ((trend.target, "target", "green"), (trend.warn, "warn", "orange"),
                                (trend.alarm, "alarm", "red")):
        if value is not None:
            _hline(figure, value, label, color)
    for point, label in ((trend.high, "high"), (trend.low, "low")):
        if point is not None:
            x = (point.at - trend.points[0].at) / DAY + xs[0]
            figure.draw(figure.text(x, point.value, f"{label} {plain(point.value)}", alignment=_side(x, xs[0], xs[-1])))
    _date_ticks(figure, first, int(xs[-1]) + 1, width)
    return render(figure, colors)
