"""``pmtui chart`` end to end on the demo store: charts print, --json gives the series, --as-of
travels, mistakes are one line with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pmtui.service.chart_sources import KINDS
from pmtui.charts import downsample, kpi_chart
from pmtui.service.workbench import Workbench
from projections.metrics import KpiPoint, KpiTrend
from projections.sprint_view import sprints_of
from tests.cli.support import run

ANSI = re.compile(r"\x1b\[")


def last_closed(db: Path) -> tuple[str, float]:
    wb = Workbench(db=str(db), actor="tester")
    try:
        closed = [s for s in sprints_of(wb.now) if s.state == "closed"]
        sprint = closed[-1]
        committed = sum(v or 0 for v in sprint.committed.values())
        return sprint.name, committed
    finally:
        wb.close()


def test_burndown_of_the_last_closed_sprint_is_drawn_at_the_asked_size(demo_db: Path, capsys) -> None:
    name, _ = last_closed(demo_db)
    code, out, err = run(capsys, "chart", "burndown", "--sprint", name, "--width", "100", "--height", "25")
    assert (code, err) == (0, "")
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 25 and max(len(line) for line in lines) <= 100
    assert f"Burndown: {name}" in lines[0]
    assert "ideal" in out and "remaining" in out
    assert not ANSI.search(out)  # not a terminal: no colours


def test_burndown_json_matches_the_sprint_and_velocity(demo_db: Path, capsys) -> None:
    name, committed = last_closed(demo_db)
    code, out, _ = run(capsys, "chart", "burndown", "--sprint", name, "--json")
    series = json.loads(out)
    assert code == 0 and series["committed"] == committed
    first, last = series["days"][0], series["days"][-1]
    assert first["ideal"] == committed and last["ideal"] == 0
    assert first["remaining"] + first["done"] == first["scope"]
    assert series["sprint"]["state"] == "closed"
    code, out, _ = run(capsys, "chart", "velocity", "--json")
    row = next(r for r in json.loads(out) if r["sprint"] == name)
    assert row["completed"] == last["done"]  # what was done at the close, both ways
    assert row["committed"] == committed


def test_as_of_a_week_ago_shows_the_week_old_picture(demo_db: Path, capsys) -> None:
    _, now_out, _ = run(capsys, "chart", "cfd", "--json")
    code, out, err = run(capsys, "chart", "cfd", "--json", "--as-of", "2026-11-13")
    assert code == 0, err
    now_flow, past_flow = json.loads(now_out), json.loads(out)
    assert past_flow["days"][-1]["day"] == "2026-11-13"
    assert past_flow["days"] == now_flow["days"][:len(past_flow["days"])]  # the past is a prefix of now
    code, text, _ = run(capsys, "chart", "cfd", "--as-of", "2026-11-13", "--width", "80", "--height", "20")
    assert code == 0 and text.startswith("(as of 2026-11-13")


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_kind_draws_and_has_a_json_form(demo_db: Path, capsys, kind: str) -> None:
    code, out, err = run(capsys, "chart", kind, "--width", "70", "--height", "16")
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) >= 16
    code, out, _ = run(capsys, "chart", kind, "--json")
    assert code == 0 and json.loads(out)


def test_colour_is_asked_for_explicitly(demo_db: Path, capsys) -> None:
    code, out, _ = run(capsys, "chart", "velocity", "--color", "always", "--width", "60", "--height", "12")
    assert code == 0 and ANSI.search(out)


def test_one_kpi_with_its_high_low_and_breaches(demo_db: Path, capsys) -> None:
    code, out, _ = run(capsys, "chart", "kpi", "--kpi", "conversion rate", "--json")
    (trend,) = json.loads(out)
    assert code == 0 and trend["name"] == "Conversion rate"
    assert trend["high"]["value"] == max(p["value"] for p in trend["points"])
    assert trend["low"]["value"] == min(p["value"] for p in trend["points"])
    assert all(b["status"] != "ok" for b in trend["breaches"])


@pytest.mark.parametrize("argv, message", [
    (["chart", "burndown", "--sprint", "Sprint 99"], "no sprint named 'Sprint 99'"),
    (["chart", "velocity", "--width", "5"], "20-1000 columns wide"),
    (["chart", "velocity", "--sprint", "Sprint 1"], "--sprint goes with the burndown"),
    (["chart", "kpi", "--kpi", "nope"], "no KPI named 'nope'"),
    (["chart", "pie"], "invalid choice"),
    (["chart", "cfd", "--as-of", "#99999"], "there is no event #99999"),
])
def test_mistakes_are_one_line_and_exit_2(demo_db: Path, capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_target_line_is_drawn_at_its_value() -> None:
    trend = KpiTrend("Errors", "", "lower", 2.0, None, None,
                     [KpiPoint(0.0, 0.0, "ok"), KpiPoint(86400.0 * 10, 10.0, "ok")], None, None, [], None)
    rows = kpi_chart(trend, 40, 24, colors=False).splitlines()
    plot = [n for n, row in enumerate(rows) if "│" in row or "┤" in row or "├" in row]
    # The line meets the axis as ├, or as ┼ where it falls on a tick.
    line = next(n for n, row in enumerate(rows) if ("├" in row or "┼" in row) and row.count("─") > 20)
    # The plot spans about -0.5..10.5; 2 sits about 77% of the way down.
    assert 0.65 < (line - plot[0]) / (plot[-1] - plot[0]) < 0.9


def test_downsample_keeps_about_one_point_per_column_and_both_ends() -> None:
    xs = [float(n) for n in range(1000)]
    x, y = downsample(xs, xs, 50)
    assert len(x) == 50 and (x[0], x[-1]) == (0.0, 999.0) and x == y
    assert downsample([1.0, 2.0], [3.0, 4.0], 50) == ([1.0, 2.0], [3.0, 4.0])


def test_a_control_chart_of_many_finishes_draws_about_the_same_dots_from_far_fewer_points(monkeypatch) -> None:
    """Thinned to a few points per character cell, 30k finishes draw a control chart whose dots
    differ from drawing every point in a handful of cells at most (plotext rounds to cells its own
    way), and plotext is given a fraction of the points."""
    import random
    from datetime import date, timedelta

    from pmtui import charts
    from projections.metrics.cycle import ControlPoint, TimeStats

    rng = random.Random(7)
    first = date(2026, 1, 1)
    points = sorted((ControlPoint(f"PM-{n}", 86400.0 * d, first + timedelta(days=d), rng.expovariate(1 / 20))
                     for n, d in enumerate(rng.randrange(300) for _ in range(30_000))), key=lambda p: p.done)
    stats = TimeStats("cycle", points, len(points), 20.0, 14.0, 38.0, 60.0)
    given: list[int] = []
    thin = charts.thin_scatter
    monkeypatch.setattr(charts, "thin_scatter", lambda *a: (lambda out: given.append(len(out[0])) or out)(thin(*a)))
    thinned = charts.time_chart(stats, 120, 30, colors=False)
    monkeypatch.setattr(charts, "thin_scatter", lambda xs, ys, *_: (list(xs), list(ys)))
    whole = charts.time_chart(stats, 120, 30, colors=False)
    dots = lambda text: {(r, c) for r, row in enumerate(text.splitlines()) for c, ch in enumerate(row) if ch == "•"}  # noqa: E731
    assert len(dots(whole)) > 1000 and len(dots(whole) ^ dots(thinned)) <= 10
    assert given and given[0] < 30_000 / 2


def test_as_of_an_event_number_cuts_the_log_there(demo_db: Path, capsys) -> None:
    wb = Workbench(db=str(demo_db), actor="tester")
    try:
        first_close = next(r.seq for r in wb.records() if r.name == "Sprint.Closed")
    finally:
        wb.close()
    code, out, _ = run(capsys, "chart", "velocity", "--json", "--as-of", f"#{first_close}")
    assert code == 0 and [r["sprint"] for r in json.loads(out)] == ["Sprint 1"]
    code, out, _ = run(capsys, "chart", "velocity", "--json", "--as-of", f"#{first_close - 1}")
    assert code == 0 and json.loads(out) == []


def test_an_empty_store_explains_instead_of_drawing(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "empty.db")
    code, out, err = run(capsys, "--db", db, "chart", "burndown")
    assert code == 2 and out == "" and "no sprint has started yet" in err
    code, out, _ = run(capsys, "--db", db, "chart", "velocity", "--width", "60", "--height", "10")
    assert code == 0 and "no sprint closed yet" in out


def _latency_trend() -> KpiTrend:
    points = [KpiPoint(86400.0 * n, 900.0 + 80 * (n % 5), "ok") for n in range(30)]
    return KpiTrend("Checkout p95 latency", "ms", "lower", 800.0, 1300.0, 1600.0, points, None, None, [], None)


def test_reference_lines_sit_on_the_charts_own_background() -> None:
    # plotext's default gives lines a white background (48;5;15): stripes in a dark terminal.
    text = kpi_chart(_latency_trend(), 80, 18, colors=True)
    assert "\x1b[48;" not in text


def test_axes_and_labels_read_as_plain_numbers() -> None:
    text = kpi_chart(_latency_trend(), 80, 18, colors=False)
    assert "e3" not in text and "e+" not in text
    assert "1,600" in text and "target 800" in text and "alarm 1,600" in text
    assert text.splitlines()[0].strip().startswith("1,220 ms · Checkout p95 latency")  # the value first


def test_the_legend_is_below_the_plot_never_on_the_data() -> None:
    rows = kpi_chart(_latency_trend(), 40, 18, colors=False).splitlines()
    bottom = max(n for n, row in enumerate(rows) if "└" in row)
    legend = "\n".join(rows[bottom + 1:])
    for label in ("value", "target 800", "warn 1,300", "alarm 1,600"):
        assert label in legend
    assert all(len(row) <= 40 for row in rows) and len(rows) == 18


def test_plain_numbers() -> None:
    from pmtui.charts import plain

    assert [plain(v) for v in (1700, 12188, 3.14159, 0.5, 2_500_000, 0)] == ["1,700", "12.2k", "3.14", "0.5", "2.5M", "0"]


def test_a_chart_loads_plotext_without_its_documentation_and_plotext_stays_whole(tmp_path: Path) -> None:
    """Drawing skips plotext's package ``__init__`` (its documentation is most of the import);
    plotext imported afterwards in the same process is still the whole package."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pmtui.charts import velocity_chart\n"
        "print(len(velocity_chart([], 40, 10, False).splitlines()))\n"
        "print('plotext._kernel.terminal' in sys.modules, 'plotext._doc.doc' in sys.modules)\n"
        "import plotext\n"
        "from plotext import colorize\n"
        "print(callable(plotext.figure.plot_size), 'plotext._doc.doc' in sys.modules, colorize.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.split("\n")[1:3] == ["True False", "True True colorize"]
