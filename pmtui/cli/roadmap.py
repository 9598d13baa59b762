"""``pmtui roadmap``: Now / Next / Later, the quarter timeline, decisions with their reasons."""

from __future__ import annotations

import argparse
from typing import Any

from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from projections.roadmap_view import decisions, lanes, timeline
from projections.state import RoadmapView, Workspace


def _item_dict(ws: Workspace, r: RoadmapView) -> dict[str, Any]:
    return {"ref": f"RM-{r.number}", "title": r.title, "horizon": r.horizon, "timeframe": r.timeframe,
            "status": r.status, "description": r.description,
            "epics": [ws.items[e].key for e in r.epics if e in ws.items],
            "objectives": [f"O-{ws.objectives[o].number}" for o in r.objectives if o in ws.objectives]}


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    if args.timeline:
        groups = timeline(ws)
        def text() -> str:
            out = []
            for quarter, items in groups.items():
                out.append(quarter)
                out += [f"  RM-{r.number:<3} {r.title}  [{r.horizon}, {r.status}]" for r in items]
            return "\n".join(out)
        emit(args, lambda: as_of_banner(args, ws) + text(),
             {q: [_item_dict(ws, r) for r in items] for q, items in groups.items()})
        return
    by_lane = lanes(ws, include_closed=args.all)
    def text() -> str:
        out = []
        for lane, items in by_lane.items():
            out.append(f"{lane.upper()} ({len(items)})")
            out += [f"  RM-{r.number:<3} {r.title}  [{r.status}{', ' + r.timeframe if r.timeframe else ''}]"
                    for r in items]
        return "\n".join(out)
    emit(args, lambda: as_of_banner(args, ws) + text(),
         {lane: [_item_dict(ws, r) for r in items] for lane, items in by_lane.items()})


def add(args: argparse.Namespace, wb: Workbench) -> None:
    ref = wb.add_roadmap_item(" ".join(args.title), args.horizon, args.timeframe, args.description or "",
                              args.status, reason(args))
    emit(args, ref, _item_dict(wb.now, wb.roadmap_item(ref)))


def decide(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("horizon", "timeframe", "status", "title", "description")
              if getattr(args, k) is not None}
    if not values:
        raise UserError("nothing to change: give --horizon, --timeframe, --status, --title or --description")
    wb.decide(args.ref, reason(args), **values)
    emit(args, f"{args.ref.upper()} changed" + ("" if reason(args) else " (no reason given)"),
         _item_dict(wb.now, wb.roadmap_item(args.ref)))


def move(args: argparse.Namespace, wb: Workbench) -> None:
    wb.decide(args.ref, reason(args), horizon=args.horizon)
    emit(args, f"{args.ref.upper()} -> {args.horizon}" + ("" if reason(args) else " (no reason given)"),
         _item_dict(wb.now, wb.roadmap_item(args.ref)))


def link(args: argparse.Namespace, wb: Workbench) -> None:
    if not args.epic and not args.objective:
        raise UserError("link to what? give --epic KEY or --objective O-n")
    wb.link_roadmap(args.ref, args.epic, args.objective, args.remove, reason(args))
    emit(args, "linked" if not args.remove else "unlinked", _item_dict(wb.now, wb.roadmap_item(args.ref)))


def decision_log(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    target = wb.roadmap_item(args.ref, ws).id if args.ref else None
    found = decisions((r for r in wb.records(0, ws.position)
                       if getattr(args, "as_of", None) is None or r.occurred <= ws.at), target)
    found.reverse()
    def change_text(changes: dict[str, list[Any]]) -> str:
        return ", ".join(f"{k}: {old or '∅'} -> {new or '∅'}" for k, (old, new) in changes.items())
    def subject(d: Any) -> str | None:
        if d.roadmap_id in ws.roadmap:
            return f"RM-{ws.roadmap[d.roadmap_id].number}"
        return "product" if d.roadmap_id in ws.products else None
    rows = [[f"#{d.seq}", local(d.occurred), d.actor, subject(d) or "?",
             change_text(d.changes), d.reason or "(no reason given)"] for d in found]
    emit(args, lambda: as_of_banner(args, ws) + table(rows, ["event", "when", "who", "item", "change", "why"]),
         [{"event": d.seq, "occurred": d.occurred, "actor": d.actor,
           "item": subject(d),
           "changes": d.changes, "reason": d.reason} for d in found])


def register(sub: argparse._SubParsersAction) -> None:
    rm = group(sub, "roadmap", "the roadmap: Now / Next / Later (or --timeline by quarter); add, move, decide, "
               "link, decisions", default=show, query=True)
    rm.parser.add_argument("--timeline", action="store_true", help="group by quarter instead of horizon")
    rm.parser.set_defaults(all=True)
    command(rm, "show", show, "the roadmap lanes", query=True).set_defaults(timeline=False, all=True)
    p = command(rm, "add", add, "add a roadmap item", write=True)
    p.add_argument("title", nargs="+")
    p.add_argument("--horizon", default="later", help="now, next or later")
    p.add_argument("--timeframe", help="a quarter like 2026-Q4 or dates like 2026-11-01..2027-01-31")
    p.add_argument("--status", default="proposed", help="proposed, planned, in progress, done, dropped")
    p.add_argument("--description")
    p = command(rm, "move", move, "move to another horizon (give --reason: the decision log keeps it)", write=True)
    p.add_argument("ref", help="RM-n or the title")
    p.add_argument("horizon", choices=["now", "next", "later"])
    p = command(rm, "decide", decide, "change horizon, timeframe, status, title or description", write=True)
    p.add_argument("ref")
    for name in ("horizon", "timeframe", "status", "title", "description"):
        p.add_argument(f"--{name}")
    p = command(rm, "link", link, "link to an epic or an objective", write=True)
    p.add_argument("ref")
    p.add_argument("--epic")
    p.add_argument("--objective")
    p.add_argument("--remove", action="store_true")
    p = command(rm, "decisions", decision_log, "the decision log, newest first, with reasons", query=True)
    p.add_argument("ref", nargs="?", help="only this roadmap item")
