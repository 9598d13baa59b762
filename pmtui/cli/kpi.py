"""``pmtui kpi``: KPIs with their latest values, targets and breaches; define and measure."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import local, parse_moment
from projections.kpi_series import all_series


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    series = all_series(ws)
    rows, data = [], []
    for s in series:
        k, last = s.kpi, s.latest
        status = s.status(last.value) if last else ""
        rows.append([k.name, f"{last.value:g} {k.unit}" if last else "-", f"{k.target:g}" if k.target is not None else "",
                     k.direction, status, f"{s.high.value:g}" if s.high else "", f"{s.low.value:g}" if s.low else "",
                     len(s.breaches), local(last.at) if last else ""])
        data.append({"name": k.name, "unit": k.unit, "direction": k.direction, "target": k.target, "warn": k.warn,
                     "alarm": k.alarm, "latest": last.value if last else None, "status": status,
                     "high": s.high.value if s.high else None, "low": s.low.value if s.low else None,
                     "breaches": len(s.breaches), "measurements": len(s.points)})
    emit(args, lambda: as_of_banner(args, ws) + table(
        rows, ["kpi", "latest", "target", "better", "status", "high", "low", "breaches", "measured"]), data)


def add(args: argparse.Namespace, wb: Workbench) -> None:
    name = wb.add_kpi(" ".join(args.name), args.unit or "", args.direction, args.target, args.warn, args.alarm,
                      args.description or "", reason(args))
    emit(args, f"KPI {name} defined", {"name": name})


def measure(args: argparse.Namespace, wb: Workbench) -> None:
    # The rule (no measurement in the future) is the service's; here only the time is read.
    at = datetime.fromtimestamp(parse_moment(args.at), timezone.utc) if args.at else None
    wb.measure(args.name, args.value, at, reason(args))
    emit(args, f"{args.name}: {args.value}", {"name": args.name, "value": args.value})


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("unit", "direction", "target", "warn", "alarm", "description")
              if getattr(args, k) is not None}
    if args.rename:
        values["name"] = args.rename
    if not values:
        raise UserError("nothing to edit")
    wb.edit_kpi(args.name, reason(args), **values)
    emit(args, "KPI edited", values)


def register(sub: argparse._SubParsersAction) -> None:
    kpi = group(sub, "kpi", "KPIs: latest values, targets, breaches; add, measure, edit", default=show, query=True)
    p = command(kpi, "add", add, "define a KPI", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--unit")
    p.add_argument("--direction", default="higher", help="higher or lower is better")
    p.add_argument("--target")
    p.add_argument("--warn", help="warning threshold")
    p.add_argument("--alarm", help="alarm threshold")
    p.add_argument("--description")
    p = command(kpi, "measure", measure, "record a measurement", write=True)
    p.add_argument("name")
    p.add_argument("value")
    p.add_argument("--at", help="when it was measured (default now), e.g. 2026-11-20 or '2026-11-20 09:00'")
    p = command(kpi, "edit", edit, "change a KPI", write=True)
    p.add_argument("name")
    for name in ("unit", "direction", "target", "warn", "alarm", "description", "rename"):
        p.add_argument(f"--{name}")
    command(kpi, "show", show, "KPIs with latest values", query=True)
