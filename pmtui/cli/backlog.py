"""``pmtui backlog``: the ranked backlog, filtered with the query language and sorted by any column.

By default the backlog proper, as the TUI's Backlog shows it (open, unplanned items; taskwarrior's
``task list`` shows pending tasks alike); ``--all`` lists every item, done, planned and archived
ones too. The question is ``projections.backlog_view.backlog_query``'s, answered from the store in
one pass over the items' lines (``pmtui.store.backlog_pages``): only the fields printed are decoded.
"""

from __future__ import annotations

import argparse

from pmtui.counts import counted
from pmtui.cli.common import as_of_banner, column_table, command, emit, fmt_points
from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import Line, PagedBacklog, epic_keys, sprint_names
from projections.backlog_view import SORTS, backlog_query
from projections.feedback_view import evidence_counts


def print_items(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    everything = bool(getattr(args, "all", False))
    query = backlog_query(" ".join(getattr(args, "query", []) or []), everything)
    items = PagedBacklog(ws, query, args.sort, wb.actor, False, archived=everything).lines()
    sprint_name = sprint_names(ws, {i.sprint for i in items} - {None})
    epic_key = epic_keys(ws) if any(i.parent for i in items) else {}
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
            [i.moscow or "" for i in items], [_score(i.rice_score, ".0f") if i.rice else "" for i in items],
            [_score(i.wsjf_score, ".1f") if i.wsjf else "" for i in items],
            [i.assignee or "" for i in items]]
        headers = ["key", "kind", "title", "pts", "status", "sprint", "epic", "moscow", "rice", "wsjf", "assignee"]
        if args.sort == "evidence":  # the figures the order comes from: distinct customers, quotes
            headers.insert(3, "customers")
            columns.insert(3, ["{} ({} quotes)".format(*counts[i.id]) if i.id in counts else "" for i in items])
        return as_of_banner(args, ws) + column_table(columns, headers) + f"\n{counted(len(items), 'item')}"
    emit(args, text, lambda: [_json(i, sprint_name, epic_key, counts if args.sort == "evidence" else None)
                              for i in items], plain=True)


def _score(value: float | None, spec: str) -> str:
    return format(value, spec) if value else ""


def _json(i: Line, sprint_name: dict[str, str], epic_key: dict[str, str],
          counts: dict[str, tuple[int, int]] | None) -> dict[str, object]:
    shown = {"key": i.key, "kind": i.kind, "title": i.title, "points": i.points, "status": i.status,
             "sprint": sprint_name.get(i.sprint or ""), "epic": epic_key.get(i.parent or ""), "moscow": i.moscow,
             "rice": i.rice_score, "wsjf": i.wsjf_score, "assignee": i.assignee, "labels": i.labels, "rank": i.rank,
             "archived": i.archived}
    if counts is None:
        return shown
    customers, quotes = counts.get(i.id, (0, 0))
    return {"customers": customers, "quotes": quotes, **shown}


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "backlog", print_items, "the ranked backlog (open, unplanned items; --all: every item); "
                "filter with kind:bug label:x points>3 assignee:me …", query=True)
    p.add_argument("query", nargs="*", help="a filter, e.g. kind:bug label:checkout points>3 assignee:me words")
    p.add_argument("--sort", default="rank", choices=sorted(SORTS), help="sort by (default rank)")
    p.add_argument("--all", action="store_true",
                   help="every item: done, planned (in a sprint) and archived ones too (as the TUI's a: All)")
