"""``pmtui sprint``: plan, add items, start, show, close with carry-over, list."""

from __future__ import annotations

import argparse
from datetime import date

from pmtui.cli import output
from pmtui.cli.board import render_board
from pmtui.cli.common import as_of_banner, command, emit, fmt_points, group, reason, table
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from projections.board_view import board_view
from projections.sprint_view import sprints_of, summaries, summarize
from projections.state import SprintView


def plan(args: argparse.Namespace, wb: Workbench) -> None:
    name = wb.plan_sprint(" ".join(args.name), args.goal or "", args.start, args.end, args.board, reason(args),
                          items=args.items)
    show_named(args, wb, name)


def add(args: argparse.Namespace, wb: Workbench) -> None:
    wb.add_to_sprint(args.sprint, args.keys, reason(args))
    show_named(args, wb, args.sprint)


def remove(args: argparse.Namespace, wb: Workbench) -> None:
    wb.remove_from_sprint(args.keys, reason(args))
    emit(args, f"removed {', '.join(k.upper() for k in args.keys)} from their sprint", {"removed": args.keys})


def start(args: argparse.Namespace, wb: Workbench) -> None:
    wb.start_sprint(" ".join(args.name), args.start, args.end, reason(args))
    show_named(args, wb, " ".join(args.name))


def close(args: argparse.Namespace, wb: Workbench) -> None:
    name = " ".join(args.name) if args.name else None
    result = wb.close_sprint(name, args.carry_to, reason(args))
    emit(args, f"closed: {result['done']} done, {result['carried']} carried over to {result['to']}", result)


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("goal", "start", "end") if getattr(args, k) is not None}
    if args.rename:
        values["name"] = args.rename
    wb.edit_sprint(" ".join(args.name), reason(args), **values)
    show_named(args, wb, values.get("name", " ".join(args.name)))


def show_named(args: argparse.Namespace, wb: Workbench, name: str | None) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    sprint = wb.sprint(name, ws)
    summary = summarize(ws, sprint)
    snapshot = board_view(ws, sprint.board_id, sprint.id)

    ended = _ended(sprint)

    def text() -> str:
        window = f"{sprint.start or '?'} → {ended or sprint.end or '?'}"
        if ended and ended != sprint.end:
            window += f" (planned to {sprint.end or '?'})"
        head = [f"{sprint.name} · {sprint.state} · {window}"
                + (f" · {summary.days_left} days left" if summary.days_left is not None else ""),
                f"Goal: {sprint.goal or '(none)'}",
                f"Committed {summary.committed_points:g} pts · done {summary.done_points:g} · "
                f"scope now {summary.total_points:g}"]
        if sprint.state == "closed":
            closed = local(sprint.closed_at) if sprint.closed_at else "?"
            head.append(f"Closed {closed}: {len(sprint.done)} done, {len(sprint.carried)} carried over")
            rows = [[i.key, i.title[:50], fmt_points(i.points), "done" if i.id in sprint.done else "carried"]
                    for i in summary.items]
            return "\n".join(head) + "\n\n" + table(rows, ["key", "title", "pts", "outcome"])
        return "\n".join(head) + "\n\n" + (render_board(snapshot, output.width(), output.color()) if snapshot else "")
    emit(args, lambda: as_of_banner(args, ws) + text(), {
        "name": sprint.name, "state": sprint.state, "goal": sprint.goal, "start": sprint.start, "end": sprint.end,
        "started_at": sprint.started_at, "closed_at": sprint.closed_at, "ended": ended,
        "days_left": summary.days_left, "committed_points": summary.committed_points,
        "done_points": summary.done_points, "total_points": summary.total_points,
        "items": [{"key": i.key, "title": i.title, "points": i.points, "status": i.status,
                   "done": i.id in summary.done_ids} for i in summary.items],
    })


def _ended(sprint: SprintView) -> str | None:
    """The day a closed sprint really ended (the close), whatever its planned end said."""
    return date.fromtimestamp(sprint.closed_at).isoformat() if sprint.closed_at else None


def show(args: argparse.Namespace, wb: Workbench) -> None:
    show_named(args, wb, " ".join(args.name) if args.name else None)


def list_sprints(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    found = summaries(ws, sprints_of(ws))
    rows = [[s.sprint.name, s.sprint.state, s.sprint.start or "", _ended(s.sprint) or s.sprint.end or "",
             f"{s.committed_points:g}",
             f"{s.done_points:g}", len(s.items), s.sprint.goal[:40]] for s in found]
    emit(args, lambda: as_of_banner(args, ws) + table(rows, ["sprint", "state", "start", "end", "committed", "done", "items", "goal"]),
         [{"name": s.sprint.name, "state": s.sprint.state, "start": s.sprint.start, "end": s.sprint.end,
           "ended": _ended(s.sprint), "started_at": s.sprint.started_at, "closed_at": s.sprint.closed_at,
           "committed_points": s.committed_points, "done_points": s.done_points, "goal": s.sprint.goal}
          for s in found])


def register(sub: argparse._SubParsersAction) -> None:
    sprints = group(sub, "sprint", "sprints: plan, add, start, show, close, list")
    p = command(sprints, "plan", plan, "plan a sprint", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--goal")
    p.add_argument("--start", help="YYYY-MM-DD")
    p.add_argument("--end", help="YYYY-MM-DD")
    p.add_argument("--items", nargs="*", default=[], metavar="KEY", help="items to put in it")
    p.add_argument("--board")
    p = command(sprints, "add", add, "put items into a sprint", write=True)
    p.add_argument("sprint")
    p.add_argument("keys", nargs="+")
    p = command(sprints, "remove", remove, "take items out of their sprint (back to the backlog)", write=True)
    p.add_argument("keys", nargs="+")
    p = command(sprints, "start", start, "start a planned sprint (records the committed scope)", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--start", help="YYYY-MM-DD (default: today; the planned window moves with it)")
    p.add_argument("--end", help="YYYY-MM-DD (default: the start plus the planned length, or two weeks)")
    p = command(sprints, "close", close, "close the active (or named) sprint", write=True)
    p.add_argument("name", nargs="*")
    p.add_argument("--carry-to", default="backlog", help="unfinished items go to: backlog (default), next, or a sprint name")
    p = command(sprints, "edit", edit, "change a sprint's goal, dates or name", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--goal")
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--rename")
    p = command(sprints, "show", show, "the active (or named) sprint: goal, dates, points, board", query=True)
    p.add_argument("name", nargs="*")
    command(sprints, "list", list_sprints, "all sprints", query=True)
