"""``pmtui item``: add, show, edit, move, rank, archive, restore, comment, link work items."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pmtui.terminal import safe_text
from pmtui.cli.common import command, emit, fmt_points, group, reason, table, warn
from pmtui.errors import UserError
from pmtui.timespec import local

if TYPE_CHECKING:  # the commands' modules are imported when one runs (see pmtui.cli.COMMANDS)
    from pmtui.service.workbench import Workbench
    from projections.state import ItemView, Workspace

FIELD_OPTIONS = ("kind", "title", "description", "acceptance", "points", "labels", "assignee", "epic", "sprint",
                 "release", "moscow")


def _field_options(parser: argparse.ArgumentParser, creating: bool) -> None:
    parser.add_argument("--kind", help="epic, story, bug, task or spike" + (" (default story)" if creating else ""))
    if not creating:
        parser.add_argument("--title")
    parser.add_argument("--description", "--desc", dest="description", help="Markdown text")
    parser.add_argument("--acceptance", help="acceptance criteria")
    parser.add_argument("--points", help="story points (empty to clear)")
    parser.add_argument("--labels", help="comma-separated labels (replaces them)")
    parser.add_argument("--assignee", help="a name, 'me', or empty to clear")
    parser.add_argument("--epic", help="the parent epic's key")
    parser.add_argument("--sprint", help="a sprint name (empty to clear)")
    parser.add_argument("--release", help="a release name (empty to clear)")
    parser.add_argument("--moscow", help="must, should, could or wont")
    parser.add_argument("--rice", metavar="R,I,C,E", help="reach,impact,confidence,effort")
    parser.add_argument("--wsjf", metavar="V,T,R,S", help="business value,time criticality,risk/opportunity,job size")


def _values(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FIELD_OPTIONS:
        value = getattr(args, name, None)
        if value is None:
            continue
        values["parent" if name == "epic" else name] = value
    if getattr(args, "rice", None) is not None or getattr(args, "wsjf", None) is not None:
        from domain.work_item import parse_scores
    if getattr(args, "rice", None) is not None:
        values["rice"] = parse_scores(args.rice, "RICE")
    if getattr(args, "wsjf", None) is not None:
        values["wsjf"] = parse_scores(args.wsjf, "WSJF")
    return values


def item_dict(ws: Workspace, item: ItemView) -> dict[str, Any]:
    data = {k: v for k, v in __import__("msgspec").structs.asdict(item).items()}
    data["epic"] = ws.items[item.parent].key if item.parent in ws.items else None
    data["sprint"] = ws.sprints[item.sprint].name if item.sprint in ws.sprints else None
    data["release"] = ws.releases[item.release].name if item.release in ws.releases else None
    data["rice_score"], data["wsjf_score"] = item.rice_score, item.wsjf_score
    data["links"] = [[kind, ws.items[t].key if t in ws.items else t] for kind, t in item.links]
    return data


def add(args: argparse.Namespace, wb: Workbench) -> None:
    values = _values(args)
    values.pop("title", None)  # the positional title, given below
    kind = values.pop("kind", "story")
    key = wb.add_item(" ".join(args.title), kind=kind, status=args.status, top=args.top, board=args.board,
                      reason=reason(args), **values)
    emit(args, key, lambda: item_dict(wb.now, wb.item(key)))  # the item read back for --json only


def show(args: argparse.Namespace, wb: Workbench) -> None:
    from pmtui.cli.feedback import evidence_dict, evidence_text
    from projections.document_view import documents_of
    from projections.feedback_view import evidence
    from projections.history import history

    ws = wb.view(getattr(args, "as_of", None))
    item = wb.item(args.key, ws)
    data = item_dict(ws, item)
    data["evidence"] = evidence_dict(ws, evidence(ws, item.id), 0)
    data["reach_suggestion"] = data["evidence"]["customer_count"]
    data["documents"] = [{"ref": d.ref, "title": d.title, "kind": d.kind, "version": d.revision}
                         for d in documents_of(ws, item.id)]

    def text() -> str:
        lines = [f"{item.key}  {item.title}", f"{item.kind} · {item.status} · {fmt_points(item.points) or '-'} points"
                 + (" · ARCHIVED" if item.archived else "")]
        for label, value in (("epic", data["epic"]), ("sprint", data["sprint"]), ("release", data["release"]),
                             ("assignee", item.assignee), ("labels", ", ".join(item.labels)),
                             ("moscow", item.moscow), ("rice", item.rice_score and f"{item.rice_score:.1f}"),
                             ("wsjf", item.wsjf_score and f"{item.wsjf_score:.2f}"),
                             ("links", ", ".join(f"{k} {t}" for k, t in data["links"]))):
            if value:
                lines.append(f"{label:>9}: {value}")
        if item.description:
            lines += ["", item.description]
        if item.acceptance:
            lines += ["", "Acceptance criteria:", item.acceptance]
        found = evidence(ws, item.id)
        if found.quotes:
            lines += ["", evidence_text(ws, found, 5)]
            if item.kind != "epic":
                current = item.rice["reach"] if item.rice else None
                lines.append(f"  suggested RICE reach: {found.customer_count} customers"
                             + (f" (now {current:g}; accept with `pmtui item edit {item.key} --reach-from-evidence`)"
                                if current != found.customer_count else " (as set)"))
        docs = documents_of(ws, item.id)
        if docs:
            lines += ["", "Documents:"] + [f"  {d.ref:<7} {safe_text(d.title)} ({d.kind}, version {d.revision})"
                                           for d in docs]
        entries = history(ws, (r for r in wb.records_of(item.id) if r.seq <= ws.position))
        if entries:
            lines += ["", "History:"]
            lines += [f"  #{e.seq:<5} {local(e.occurred)}  {e.actor:<10} {e.summary}" + (f"  ({e.reason})" if e.reason else "")
                      for e in entries]
        return "\n".join(lines)
    emit(args, text, data)


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = _values(args)
    accept = getattr(args, "reach_from_evidence", False)
    if not values and not accept:
        raise UserError("nothing to edit: give at least one field, e.g. --points 3 (see `pmtui item edit --help`)")
    message = f"{args.key.upper()} edited"
    if accept:
        # The suggestion replaces the reach of the RICE score given (or the item's): one edit.
        reach = wb.reach_suggestion(args.key)
        rice = values.get("rice") or wb.item(args.key).rice
        if not reach:
            raise UserError(f"{args.key.upper()} has no customer evidence yet: link feedback to it first")
        if rice is None:
            raise UserError(f"{args.key.upper()} has no RICE score yet: give the other parts too "
                            f"(--rice {reach},IMPACT,CONFIDENCE,EFFORT --reach-from-evidence)")
        values["rice"] = {**rice, "reach": reach}
        message += f"; RICE reach {reach} from the customer evidence"
    wb.edit_item(args.key, reason=reason(args), **values)
    emit(args, message, lambda: item_dict(wb.now, wb.item(args.key)))


def move(args: argparse.Namespace, wb: Workbench) -> None:
    column = " ".join(args.column)
    if column in ("left", "right", "next", "prev"):
        warning = wb.step_item(args.key, 1 if column in ("right", "next") else -1, reason(args))
    else:
        warning = wb.move_item(args.key, column, reason(args))
    item = wb.item(args.key)
    if warning:
        warn(f"pmtui: {warning}")
    emit(args, f"{item.key} -> {item.status}", lambda: {**item_dict(wb.now, item), "warning": warning})


def rank(args: argparse.Namespace, wb: Workbench) -> None:
    wb.rank_item(args.key, args.where, args.other, reason(args))
    emit(args, f"{args.key.upper()} ranked {args.where}" + (f" {args.other.upper()}" if args.other else ""),
         lambda: item_dict(wb.now, wb.item(args.key)))


def archive(args: argparse.Namespace, wb: Workbench) -> None:
    wb.archive_item(args.key, reason=reason(args))
    emit(args, f"{args.key.upper()} archived", lambda: item_dict(wb.now, wb.item(args.key)))


def restore(args: argparse.Namespace, wb: Workbench) -> None:
    wb.restore_item(args.key, reason=reason(args))
    emit(args, f"{args.key.upper()} restored", lambda: item_dict(wb.now, wb.item(args.key)))


def comment(args: argparse.Namespace, wb: Workbench) -> None:
    wb.comment(args.key, " ".join(args.text), reason(args))
    emit(args, f"comment added to {args.key.upper()}", {"key": args.key.upper()})


def link(args: argparse.Namespace, wb: Workbench) -> None:
    wb.link(args.key, args.kind, args.other, remove=args.remove, reason=reason(args))
    emit(args, f"{args.key.upper()} {'unlinked from' if args.remove else args.kind} {args.other.upper()}",
         lambda: item_dict(wb.now, wb.item(args.key)))


def list_items(args: argparse.Namespace, wb: Workbench) -> None:
    from pmtui.cli.backlog import print_items
    print_items(args, wb)


def register(sub: argparse._SubParsersAction) -> None:
    items = group(sub, "item", "work items: add, show, edit, move, rank, archive, comment, link")
    p = command(items, "add", add, "add a work item (to the bottom of the backlog, or --top)", write=True)
    p.add_argument("title", nargs="+", help="the title")
    p.add_argument("--status", help="the board column (default: the first)")
    p.add_argument("--top", action="store_true", help="rank it at the top of the backlog")
    p.add_argument("--board", help="the board (default: the first)")
    _field_options(p, creating=True)
    p = command(items, "show", show, "show an item with its history", query=True)
    p.add_argument("key")
    p = command(items, "edit", edit, "change fields of an item", write=True)
    p.add_argument("key")
    _field_options(p, creating=False)
    p.add_argument("--reach-from-evidence", action="store_true",
                   help="set RICE reach to the number of distinct customers in the item's evidence")
    p = command(items, "move", move, "move a card to a column (or left/right)", write=True)
    p.add_argument("key")
    p.add_argument("column", nargs="+", help="a column name, or left / right")
    p = command(items, "rank", rank, "reorder: top, bottom, up, down, before KEY, after KEY", write=True)
    p.add_argument("key")
    p.add_argument("where", choices=["top", "bottom", "up", "down", "before", "after"])
    p.add_argument("other", nargs="?", help="with before/after: the other item's key")
    for name, handler, text in (("archive", archive, "archive an item (undo: restore)"),
                                ("restore", restore, "bring an archived item back")):
        p = command(items, name, handler, text, write=True)
        p.add_argument("key")
    p = command(items, "comment", comment, "add a comment", write=True)
    p.add_argument("key")
    p.add_argument("text", nargs="+")
    p = command(items, "link", link, "link two items: blocks or relates", write=True)
    p.add_argument("key")
    p.add_argument("kind", choices=["blocks", "relates"])
    p.add_argument("other")
    p.add_argument("--remove", action="store_true", help="remove the link instead")
    p = command(items, "list", list_items, "list items (same as `pmtui backlog`)", query=True)
    p.add_argument("query", nargs="*", help="a filter, e.g. kind:bug label:checkout points>3 assignee:me")
    p.add_argument("--sort", default="rank")
    p.add_argument("--all", action="store_true", help="include archived items")
