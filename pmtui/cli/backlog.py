"""``pmtui backlog``: the ranked backlog, filtered with the query language and sorted by any column.

By default the backlog proper, as the TUI's Backlog shows it (open, unplanned items; taskwarrior's
``task list`` shows pending tasks alike); ``--all`` lists every item, done, planned and archived
ones too. The question is ``projections.backlog_view.backlog_query``'s, answered from the store in
one pass over the items' lines (``pmtui.store.backlog_pages``): only the fields printed are decoded,
and the text keeps each row's cells, not its item.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from operator import attrgetter

import msgspec

from pmtui.cli import output
from pmtui.cli.common import (
    as_of_banner, column_table, command, emit, fmt_points, json_list, plain_blocks, wants_json, write_out,
    write_text)
from pmtui.counts import counted
from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import Line, PagedBacklog, epic_keys, sprint_names
from pmtui.store.readmodel import StoredWorkspace
from projections.backlog_view import SORTS, backlog_query
from projections.feedback_view import evidence_counts

HEADERS = ["key", "kind", "title", "pts", "status", "sprint", "epic", "moscow", "rice", "wsjf", "assignee"]


class Names:
    """Sprint names and epic keys as of the point, each read the first time a row needs one
    (the backlog proper is in no sprint: its sprints are never read)."""

    def __init__(self, ws: StoredWorkspace) -> None:
        self.ws = ws
        self._found: dict[str, dict[str | None, str]] = {}

    def sprints(self, items: list[Line]) -> dict[str | None, str]:
        return self._names("sprint", items, sprint_names)

    def epics(self, items: list[Line]) -> dict[str | None, str]:
        return self._names("parent", items, epic_keys)

    def _names(self, field: str, items: list[Line],
               read: Callable[[StoredWorkspace], dict[str, str]]) -> dict[str | None, str]:
        found = self._found.get(field)
        if found is None:
            if not any(map(attrgetter(field), items)):
                return {None: ""}
            found = self._found[field] = {**read(self.ws), None: ""}
        return found


def print_items(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    everything = bool(getattr(args, "all", False))
    query = backlog_query(" ".join(getattr(args, "query", []) or []), everything)
    paged = PagedBacklog(ws, query, args.sort, wb.actor, False, archived=everything)
    names = Names(ws)
    counts = evidence_counts(ws) if args.sort == "evidence" else None
    if wants_json(args):  # each row kept as its compact JSON, made as its chunk of lines is read
        encode = msgspec.json.Encoder().encode

        def rows(items: list[Line]) -> list[list[bytes]]:
            sprint, epic = names.sprints(items), names.epics(items)
            return [[encode(_json(i, sprint, epic, counts)) for i in items]]
        found, order = paged.cells(rows)  # type: ignore[arg-type]
        write_out(json_list(found[0] if found else [], order=order))  # type: ignore[arg-type]
        return

    share = {"": ""}.setdefault  # one string per kind, status, MoSCoW word, assignee: not one per row

    def cells(items: list[Line]) -> list[list[str]]:
        # Column by column (one comprehension each): a 50k-item backlog's rows as lists took
        # longer than reading the items.
        sprint, epic = names.sprints(items), names.epics(items)
        columns = [
            [i.key for i in items], _shared(share, [i.kind for i in items]), [i.title[:48] for i in items],
            list(map(fmt_points, [i.points for i in items])), _shared(share, [i.status for i in items]),
            [sprint.get(i.sprint, "") for i in items], [epic.get(i.parent, "") for i in items],
            _shared(share, [i.moscow or "" for i in items]),
            [_score(i.rice_score, ".0f") if i.rice else "" for i in items],
            [_score(i.wsjf_score, ".1f") if i.wsjf else "" for i in items],
            _shared(share, [i.assignee or "" for i in items])]
        if counts is not None:  # the figures the order comes from: distinct customers, quotes
            columns.insert(3, ["{} ({} quotes)".format(*counts[i.id]) if i.id in counts else "" for i in items])
        return columns

    columns, order = paged.cells(cells)
    headers = HEADERS if counts is None else [*HEADERS[:3], "customers", *HEADERS[3:]]
    columns = columns or [[] for _ in headers]
    total = f"{counted(len(order), 'item')}"
    if output.color():  # a person's terminal: fitted to its width and coloured
        ordered = [[column[n] for n in order] for column in columns]
        emit(args, lambda: as_of_banner(args, ws) + column_table(ordered, headers) + f"\n{total}")
        return

    def text() -> Iterator[str]:  # written a block of rows at a time, as they are made
        yield as_of_banner(args, ws)
        for block in plain_blocks(columns, headers, order):
            yield block + "\n"
        yield total
    write_text(text())


def _shared(share: Callable[[str, str], str], words: list[str]) -> list[str]:
    return list(map(share, words, words))


def _score(value: float | None, spec: str) -> str:
    return format(value, spec) if value else ""


def _json(i: Line, sprint_name: dict[str | None, str], epic_key: dict[str | None, str],
          counts: dict[str, tuple[int, int]] | None) -> dict[str, object]:
    shown = {"key": i.key, "kind": i.kind, "title": i.title, "points": i.points, "status": i.status,
             "sprint": sprint_name.get(i.sprint) or None, "epic": epic_key.get(i.parent) or None, "moscow": i.moscow,
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
