"""``pmtui backlog``: the ranked backlog, filtered with the query language and sorted by any column."""

from __future__ import annotations

import argparse

from pmtui.counts import counted
from pmtui.cli.common import as_of_banner, column_table, command, emit, fmt_points
from pmtui.service.workbench import Workbench
from projections.backlog_view import SORTS, backlog
from projections.feedback_view import evidence_counts


def print_items(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    query = " ".join(getattr(args, "query", []) or [])
    items = backlog(ws, query, args.sort, me=wb.actor, include_archived=getattr(args, "all", False))
    sprint_name = {s.id: s.name for s in ws.sprints.values()}
    epic_key = {i.id: i.key for i in ws.epics()}
    counts = evidence_counts(ws) if args.sort == "evidence" else {}

    def text() -> str:
        # Column by column (one comprehension each): a 50k-item backlog's rows as lists took
        # longer than reading the items.
        no_sprint = {**sprint_name, None: ""}
        no_epic = {**epic_key, None: ""}
        columns = [
            [i.key for i in items], [i.kind for i in items], [i.title[:48] for i in items],
            list(map(fmt_points, [i.points for i in items])), [i.status for i in items],
            [no_sprint.get(i.sprint, "") for i in items], [no_epic.get(i.parent, "") for i in items],
            [i.moscow or "" for i in items],
            ["" if not i.rice else f"{i.rice_score:.0f}" if i.rice_score else "" for i in items],
            ["" if not i.wsjf else f"{i.wsjf_score:.1f}" if i.wsjf_score else "" for i in items],
            [i.assignee or "" for i in items]]
        headers = ["key", "kind", "title", "pts", "status", "sprint", "epic", "moscow", "rice", "wsjf", "assignee"]
        if args.sort == "evidence":  # the figures the order comes from: distinct customers, quotes
            headers.insert(3, "customers")
            columns.insert(3, ["{} ({} quotes)".format(*counts[i.id]) if i.id in counts else "" for i in items])
        return as_of_banner(args, ws) + column_table(columns, headers) + f"\n{counted(len(items), 'item')}"
    emit(args, text,
         lambda: [{**({"customers": counts.get(i.id, (0, 0))[0], "quotes": counts.get(i.id, (0, 0))[1]}
              if args.sort == "evidence" else {}), "key": i.key, "kind": i.kind, "title": i.title, "points": i.points, "status": i.status,
           "sprint": sprint_name.get(i.sprint or ""), "epic": epic_key.get(i.parent or ""), "moscow": i.moscow,
           "rice": i.rice_score, "wsjf": i.wsjf_score, "assignee": i.assignee, "labels": i.labels, "rank": i.rank,
           "archived": i.archived} for i in items], plain=True)


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "backlog", print_items, "the ranked backlog; filter with kind:bug label:x points>3 assignee:me …",
                query=True)
    p.add_argument("query", nargs="*", help="a filter, e.g. kind:bug label:checkout points>3 assignee:me words")
    p.add_argument("--sort", default="rank", choices=sorted(SORTS), help="sort by (default rank)")
    p.add_argument("--all", action="store_true", help="include archived items")
