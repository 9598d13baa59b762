"""``pmtui board``: the Kanban board as text, and its columns, WIP limits and swimlanes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

import msgspec

from pmtui.cli import output
from pmtui.cli.common import (
    as_of_banner, command, emit, fmt_points, json_bytes, json_list, reason, wants_json, write_out,
    write_text)
from pmtui.cli.output import clean, render
from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import epics
from pmtui.store.board_pages import PagedBoard
from projections.board_view import BoardSnapshot, ColumnView
from projections.state import ItemView

Part = tuple[str, str]  # (text, rich style)


def column_label(column: ColumnView) -> list[Part]:
    """A column's header as the TUI's board draws it: ``Review 3/3 hard``, ``In progress 5/4 ⚠ OVER``."""
    count = f"{column.count}" if column.wip is None else f"{column.count}/{column.wip}"
    parts: list[Part] = [(f"{clean(column.name)} ", "bold")]
    if column.over_limit:
        parts.append((f"{count} ⚠ OVER{' (hard)' if column.hard else ''}", "bold red"))
    else:
        parts.append((count + (" hard" if column.hard and column.wip else ""),
                      "bold yellow" if column.at_limit else "dim"))
    return parts


def card_parts(card: ItemView) -> list[Part]:
    """Key, points, then the title: a long title is cut, never the points (as on the TUI's cards)."""
    parts: list[Part] = [(card.key, "bold cyan")]
    if card.points is not None:
        parts.append((f" {fmt_points(card.points)}pt", "green"))
    parts.append((f" {clean(card.title)}", ""))
    return parts


def fit(parts: list[Part], width: int) -> list[Part]:
    """Cut to ``width`` characters (with an ellipsis) and pad to it."""
    out: list[Part] = []
    room = width
    for text, style in parts:
        if len(text) > room:
            out.append((text[: max(room - 1, 0)] + "…", style))
            room = 0
            break
        out.append((text, style))
        room -= len(text)
    if room:
        out.append((" " * room, ""))
    return out


def fit_text(parts: list[Part], width: int) -> str:
    """``fit``'s text alone (a plain board of 50k cards need not carry a style per part)."""
    out: list[str] = []
    room = width
    for text, _ in parts:
        if len(text) > room:
            out.append(text[: max(room - 1, 0)] + "…")
            room = 0
            break
        out.append(text)
        room -= len(text)
    if room:
        out.append(" " * room)
    return "".join(out)


def card_text(card: ItemView, width: int) -> str:
    """``fit_text(card_parts(card), width)`` made in one piece (a plain board of 50k cards): the
    whole cut where a part would be, but for ``fit``'s corner case (the parts before one fill
    the width exactly: they are kept whole, and the ellipsis follows them)."""
    points = "" if card.points is None else f" {fmt_points(card.points)}pt"
    text = f"{card.key}{points} {clean(card.title)}"
    if len(text) <= width:
        return text.ljust(width)
    filled = width == len(card.key) or width == len(card.key) + len(points)
    return text[:width if filled else max(width - 1, 0)] + "…"


def column_width(width: int, columns: int) -> int:
    return max(16, min(32, (width - columns + 1) // max(1, columns)))


def render_board(snapshot: BoardSnapshot, width: int = 100, colour: bool = False) -> str:
    if not colour:
        return "\n".join(plain_board(snapshot, width))
    cols = snapshot.columns
    col_width = column_width(width, len(cols))
    lines: list[list[Part]] = [[(f"{clean(snapshot.board.name)} board", "bold")]]
    header: list[Part] = []
    for c in cols:
        header += [*fit(column_label(c), col_width), (" ", "")]
    lines.append(header)
    lines.append([(" ".join("-" * col_width for _ in cols), "dim")])
    lanes = snapshot.lanes() if snapshot.swimlanes != "none" else [""]
    for lane in lanes:
        if lane:
            lines.append([(f"== {clean(lane)} ==", "bold magenta")])
        cards = [[card for card in c.cards if not lane or snapshot.lane_of(card) == lane] for c in cols]
        for row in range(max((len(c) for c in cards), default=0)):
            line: list[Part] = []
            for c in cards:
                line += fit(card_parts(c[row]), col_width) if row < len(c) else [(" " * col_width, "")]
                line.append((" ", ""))
            lines.append(line)
    from rich.text import Text

    rendered = []
    for line in lines:
        text = Text(no_wrap=True, overflow="ignore")
        for part, style in line:
            text.append(part, style=style or None)
        text.rstrip()
        rendered.append(text)
    return render(*rendered, out_width=max(width, len(cols) * (col_width + 1)) + 1)


def plain_board(snapshot: BoardSnapshot, width: int = 100, block: int = 4096) -> Iterator[str]:
    """``render_board``'s plain text (the same cells as strings, without a style per part), a
    block of lines at a time (joined by line breaks, they are its text): a 50k-card board is
    written as it is made, never held whole as text."""
    cols = snapshot.columns
    col_width = column_width(width, len(cols))
    header = "".join(text for c in cols for text, _ in (*fit(column_label(c), col_width), (" ", "")))
    yield "\n".join([f"{clean(snapshot.board.name)} board".rstrip(), header.rstrip(),
                     " ".join("-" * col_width for _ in cols).rstrip()])
    blank = " " * col_width
    for lane in snapshot.lanes() if snapshot.swimlanes != "none" else [""]:
        if lane:
            yield f"== {clean(lane)} ==".rstrip()
        cells = [[card_text(card, col_width) for card in c.cards if not lane or snapshot.lane_of(card) == lane]
                 for c in cols]
        depth = max(map(len, cells), default=0)
        for start in range(0, depth, block):
            rows = min(block, depth - start)
            padded = [c[start:start + rows] + [blank] * (rows - len(c[start:start + rows])) for c in cells]
            yield "\n".join(map(str.rstrip, map(" ".join, zip(*padded))))


class PlainCard(msgspec.Struct, frozen=True, gc=False):
    """What the text board reads of a card for its cell (``card_text``)."""

    key: str
    title: str
    points: float | None = None


class LaneCard(PlainCard, frozen=True, gc=False):
    """... and for its swimlane (``lane_of``)."""

    assignee: str | None = None
    parent: str | None = None
    moscow: str | None = None
    labels: list[str] = []


class Card(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What ``board --json`` prints of a card, in the order printed: decoded from the stored
    view with the rest of it skipped, and encoded as it is."""

    key: str
    title: str
    points: float | None = None
    assignee: str | None = None
    labels: list[str] = []
    kind: str


def board_json(head: dict[str, object], columns: list[ColumnView]) -> Iterator[bytes]:
    """``head`` and the columns with their cards (each its compact JSON) as ``json_text`` writes
    them (``json.dumps``' indented form), a block of cards at a time: each part is formatted
    alone and indented to its place."""
    if not columns:
        yield json_bytes({**head, "columns": []})
        return
    top = json_bytes({**head, "columns": [None]})
    yield top[:top.rindex(b"null")]
    for n, c in enumerate(columns):
        part = json_bytes({"name": c.name, "category": c.category, "wip": c.wip, "hard": c.hard, "count": c.count,
                           "over_limit": c.over_limit, "cards": []}, indent=4)
        yield part[4:-len(b"[]\n    }")]
        yield from json_list(c.cards, indent=6)  # type: ignore[arg-type]
        yield b"\n    }"
        yield b",\n    " if n < len(columns) - 1 else b"\n  ]\n}"


def board(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    b = wb.board(getattr(args, "board", None), ws)
    sprint_id = wb.sprint(args.sprint, ws).id if getattr(args, "sprint", None) else None
    # The store's cards (``board_view``'s), decoded with only the fields printed: as data, each
    # kept as its compact JSON (encoded as it is decoded: a third of a struct's memory, and the
    # blocks are formatted from it in one call each); as text, its cell's (and lane's) fields.
    as_data = wants_json(args)
    kind = Card if as_data else PlainCard if b.swimlanes == "none" else LaneCard
    cards = PagedBoard(ws, b).every_card(kind, sprint_id, msgspec.json.Encoder().encode if as_data else None)
    columns = [ColumnView(c["name"], c["category"], c["wip"], c["hard"], cards[c["name"]])  # type: ignore[arg-type]
               for c in b.columns]
    if as_data:
        write_out(board_json({"board": b.name, "as_of_event": ws.position, "swimlanes": b.swimlanes}, columns))
        return
    epic_titles = {e.id: f"{e.key} {e.title}" for e in epics(ws)} if b.swimlanes == "epic" else {}
    snapshot = BoardSnapshot(b, columns, b.swimlanes, epic_titles)
    width = getattr(args, "width", None) or output.width()
    if output.color():  # a person's terminal: coloured
        emit(args, lambda: as_of_banner(args, ws) + render_board(snapshot, width, True))
        return

    def text() -> Iterator[str]:  # written a block of lines at a time, as they are made
        yield as_of_banner(args, ws)
        for n, block in enumerate(plain_board(snapshot, width)):
            yield "\n" + block if n else block
    write_text(text())


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
    p = command(sub, "board", board, "show the board (columns, WIP, cards); columns and WIP limits: `pmtui columns`",
                query=True)
    p.add_argument("--board", help="which board (default: the first)")
    p.add_argument("--sprint", help="only this sprint's items")
    p.add_argument("--width", type=int, help="text width (default: the terminal's, or 120 in a pipe)")
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
