"""``pmtui board``: the Kanban board as text, and its columns, WIP limits and swimlanes."""

from __future__ import annotations

import argparse
import sys

from pmtui.cli.common import as_of_banner, command, emit, fmt_points, reason
from pmtui.service import Workbench
from projections.board_view import BoardSnapshot, board_view


def render_board(snapshot: BoardSnapshot, width: int = 100) -> str:
    cols = snapshot.columns
    col_width = max(16, min(32, (width - len(cols) + 1) // max(1, len(cols))))
    def cell(text: str) -> str:
        return (text[: col_width - 1] + "…") if len(text) > col_width else text.ljust(col_width)
    headers = []
    for c in cols:
        limit = f"/{c.wip}" if c.wip is not None else ""
        flag = " !OVER" if c.over_limit else ""
        headers.append(cell(f"{c.name} {c.count}{limit}{flag}"))
    lines = [f"{snapshot.board.name} board", " ".join(headers), " ".join("-" * col_width for _ in cols)]
    lanes = snapshot.lanes() if snapshot.swimlanes != "none" else [""]
    for lane in lanes:
        if lane:
            lines.append(f"== {lane} ==")
        cards = [[card for card in c.cards if not lane or snapshot.lane_of(card) == lane] for c in cols]
        for row in range(max((len(c) for c in cards), default=0)):
            lines.append(" ".join(
                cell(f"{c[row].key} {c[row].title}" + (f" ({fmt_points(c[row].points)})" if c[row].points else ""))
                if row < len(c) else " " * col_width for c in cards).rstrip())
    return "\n".join(lines)


def board(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    b = wb.board(getattr(args, "board", None), ws)
    sprint_id = wb.sprint(args.sprint, ws).id if getattr(args, "sprint", None) else None
    snapshot = board_view(ws, b.id, sprint_id)
    assert snapshot is not None
    emit(args, lambda: as_of_banner(args, ws) + render_board(snapshot, getattr(args, "width", 120) or 120), {
        "board": snapshot.board.name, "as_of_event": ws.position, "swimlanes": snapshot.swimlanes,
        "columns": [{"name": c.name, "category": c.category, "wip": c.wip, "hard": c.hard, "count": c.count,
                     "over_limit": c.over_limit,
                     "cards": [{"key": i.key, "title": i.title, "points": i.points, "assignee": i.assignee,
                                "labels": i.labels, "kind": i.kind} for i in c.cards]} for c in snapshot.columns],
    })


def columns(args: argparse.Namespace, wb: Workbench) -> None:
    b = wb.board(args.board)
    rows = [f"{c['name']:<16} {c['category']:<6} wip={c['wip'] if c['wip'] is not None else '-'}"
            + (" hard" if c["hard"] else "") for c in b.columns]
    emit(args, "\n".join(rows), b.columns)


def column_add(args: argparse.Namespace, wb: Workbench) -> None:
    wb.add_column(" ".join(args.name), args.category, args.wip, args.hard, args.position, args.board, reason(args))
    columns(args, wb)


def column_rename(args: argparse.Namespace, wb: Workbench) -> None:
    wb.rename_column(args.old, args.new, args.board, reason(args))
    columns(args, wb)


def column_remove(args: argparse.Namespace, wb: Workbench) -> None:
    wb.remove_column(" ".join(args.name), args.board, reason(args))
    columns(args, wb)


def wip(args: argparse.Namespace, wb: Workbench) -> None:
    limit = None if args.limit in ("none", "off", "0") else args.limit
    try:
        number = None if limit is None else int(limit)
    except ValueError:
        print(f"pmtui: a WIP limit is a whole number or 'none' (got {args.limit!r})", file=sys.stderr)
        raise SystemExit(2) from None
    wb.set_wip_limit(" ".join(args.column), number, args.hard, args.board, reason(args))
    columns(args, wb)


def swimlanes(args: argparse.Namespace, wb: Workbench) -> None:
    wb.set_swimlanes(args.by, args.board, reason(args))
    emit(args, f"swimlanes by {args.by}", {"swimlanes": args.by})


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "board", board, "show the board (columns, WIP, cards); see also `pmtui board-config`", query=True)
    p.add_argument("--board", help="which board (default: the first)")
    p.add_argument("--sprint", help="only this sprint's items")
    p.add_argument("--width", type=int, default=120, help="text width")
    from pmtui.cli.common import group
    cfg = group(sub, "columns", "configure board columns, WIP limits and swimlanes")
    p = command(cfg, "list", columns, "list the columns with their WIP limits")
    p.add_argument("--board")
    p = command(cfg, "add", column_add, "add a column", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--category", default="doing", choices=["todo", "doing", "done"])
    p.add_argument("--wip", type=int)
    p.add_argument("--hard", action="store_true", help="a hard limit refuses moves past it (default: soft, warns)")
    p.add_argument("--position", type=int, help="0-based position (default: last)")
    p.add_argument("--board")
    p = command(cfg, "rename", column_rename, "rename an empty column", write=True)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--board")
    p = command(cfg, "remove", column_remove, "remove an empty column", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--board")
    p = command(cfg, "wip", wip, "set a column's WIP limit: a number or none", write=True)
    p.add_argument("column", nargs="+")
    p.add_argument("limit")
    p.add_argument("--hard", action="store_true", help="refuse moves past it (default: soft, warns)")
    p.add_argument("--board")
    p = command(cfg, "swimlanes", swimlanes, "group cards in swimlanes", write=True)
    p.add_argument("by", choices=["none", "assignee", "epic", "class"])
    p.add_argument("--board")
