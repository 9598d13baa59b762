"""``pmtui chart KIND``: agile metrics and KPI trends drawn as text, as of any moment; ``--json``
prints the series instead (for spreadsheets and scripts)."""

from __future__ import annotations

import argparse
import shutil
import sys

from pmtui.service.chart_sources import KINDS, ChartSource, draw_series
from pmtui.cli import output
from pmtui.cli.common import as_of, as_of_banner, command, emit
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench

MIN_SIZE, MAX_SIZE = (20, 6), (1000, 500)


def _size(args: argparse.Namespace) -> tuple[int, int]:
    columns, lines = shutil.get_terminal_size((100, 30))
    width = args.width if args.width is not None else min(columns, 120)
    height = args.height if args.height is not None else max(MIN_SIZE[1], min(lines - 4, 30))
    if not MIN_SIZE[0] <= width <= MAX_SIZE[0] or not MIN_SIZE[1] <= height <= MAX_SIZE[1]:
        raise UserError(f"a chart is {MIN_SIZE[0]}-{MAX_SIZE[0]} columns wide and {MIN_SIZE[1]}-{MAX_SIZE[1]} "
                        f"lines high (got {width}x{height})")
    return width, height


def _colors(args: argparse.Namespace) -> bool:
    """Colours only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if args.color != "auto":
        return args.color == "always"
    return output.color_wanted(sys.stdout, no_color=bool(getattr(args, "no_color", False)))


def chart(args: argparse.Namespace, wb: Workbench) -> None:
    if args.sprint and args.kind not in ("burndown", "burnup"):
        raise UserError("--sprint goes with the burndown and burnup charts")
    if args.kpi and args.kind != "kpi":
        raise UserError("--kpi goes with the kpi chart")
    width, height = _size(args)
    settings = getattr(args, "settings", None)
    source = ChartSource(wb, as_of(args), week_start=settings.week_start if settings is not None else 0)
    data = source.series(args.kind, args.sprint, args.kpi)

    def text() -> str:
        drawn = draw_series(args.kind, data, width, height, _colors(args), source.tz, source.moment)
        return as_of_banner(args, source.ws) + drawn
    emit(args, text, data, colors=_colors(args))


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "chart", chart, "draw a metric or KPI chart (burndown, velocity, cumulative flow, ...)",
                query=True)
    p.add_argument("kind", choices=KINDS, help="what to draw")
    p.add_argument("--sprint", help="burndown/burnup: the sprint (default: the active one, else the last closed)")
    p.add_argument("--kpi", help="kpi: one KPI by name (default: all of them, one after another)")
    p.add_argument("--width", type=int, help="columns (default: the terminal's, at most 120)")
    p.add_argument("--height", type=int, help="lines (default: fits the terminal, at most 30)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="ANSI colours (default: only on a terminal)")
