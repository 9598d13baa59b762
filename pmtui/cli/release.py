"""``pmtui release``: releases and milestones with their target dates and items."""

from __future__ import annotations

import argparse

from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench


def add(args: argparse.Namespace, wb: Workbench) -> None:
    name = wb.add_release(" ".join(args.name), args.target, args.description or "", args.milestone, reason(args))
    emit(args, f"release {name} added", {"name": name})


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("target", "description") if getattr(args, k) is not None}
    if args.rename:
        values["name"] = args.rename
    if args.shipped:
        values["shipped"] = True
    if not values:
        raise UserError("nothing to edit: give --target, --description, --rename or --shipped")
    wb.edit_release(" ".join(args.name), reason(args), **values)
    emit(args, "release edited", values)


def list_releases(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    data = []
    for r in sorted(ws.releases.values(), key=lambda r: (r.target or "9999", r.name)):
        items = [i for i in ws.items.values() if i.release == r.id and not i.archived]
        done = sum(1 for i in items if ws.boards[i.board_id].column(i.status) and
                   ws.boards[i.board_id].column(i.status)["category"] == "done")
        data.append({"name": r.name, "target": r.target, "milestone": r.milestone, "shipped": r.shipped,
                     "description": r.description, "items": len(items), "done": done})
    rows = [[d["name"], d["target"] or "", "milestone" if d["milestone"] else "release",
             "shipped" if d["shipped"] else "", f"{d['done']}/{d['items']}", d["description"][:40]] for d in data]
    emit(args, lambda: as_of_banner(args, ws) + table(rows, ["name", "target", "kind", "state", "done", "description"]), data)


def register(sub: argparse._SubParsersAction) -> None:
    releases = group(sub, "release", "releases and milestones; alone: the list", default=list_releases, query=True)
    p = command(releases, "add", add, "add a release or milestone", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--target", help="target date YYYY-MM-DD")
    p.add_argument("--description")
    p.add_argument("--milestone", action="store_true")
    p = command(releases, "edit", edit, "change a release", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--target")
    p.add_argument("--description")
    p.add_argument("--rename")
    p.add_argument("--shipped", action="store_true")
    command(releases, "list", list_releases, "releases with their progress", query=True)
