"""``pmtui release``: releases and milestones with their target dates and items."""

from __future__ import annotations

import argparse

from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from projections.release_view import release_progress


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
    progress = release_progress(ws)
    data = [{"name": p.release.name, "target": p.release.target, "milestone": p.release.milestone,
             "shipped": p.release.shipped, "description": p.release.description, "items": p.items, "done": p.done}
            for p in progress]
    rows = [[p.release.name, p.release.target or "", "milestone" if p.release.milestone else "release", p.state,
             f"{p.done}/{p.items}", p.release.description[:40]] for p in progress]
    emit(args, lambda: as_of_banner(args, ws) + (
        table(rows, ["name", "target", "kind", "state", "done", "description"]) if rows
        else "no releases yet: `pmtui release add NAME --target 2026-12-20`"), data)


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
