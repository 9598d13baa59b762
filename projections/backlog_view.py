"""The ranked backlog with scores, and its small query language:

    kind:bug label:checkout points>3 assignee:me status:"in progress" sprint:none epic:PM-4
    moscow:must release:1.2 is:archived -label:legacy free words match key and title

Terms are ANDed; a leading ``-`` negates a term; numbers compare with : = < <= > >=.
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable
from typing import Any

from domain.exceptions import ValidationError
from projections.feedback_view import evidence_counts
from projections.state import ItemView, Workspace

SORTS: dict[str, Callable[[ItemView], Any]] = {
    "rank": operator.attrgetter("rank"),  # C-level getters: a 50k-item backlog sorts by these
    "key": operator.attrgetter("number"),
    "kind": lambda i: (i.kind, i.rank),
    "title": lambda i: i.title.lower(),
    "points": lambda i: (i.points is None, -(i.points or 0), i.rank),
    "rice": lambda i: (i.rice_score is None, -(i.rice_score or 0), i.rank),
    "wsjf": lambda i: (i.wsjf_score is None, -(i.wsjf_score or 0), i.rank),
    "moscow": lambda i: (["must", "should", "could", "wont", None].index(i.moscow), i.rank),
    "status": lambda i: (i.status, i.rank),
    "assignee": lambda i: (i.assignee or "~", i.rank),
    "updated": lambda i: -i.updated,
    "created": lambda i: -i.created,
    "evidence": lambda i: i.rank,  # by customer evidence: needs the notes, see ``backlog``
}

_OPS = {":": operator.eq, "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_TERM = re.compile(r"^(-?)([a-z]+)(<=|>=|:|=|<|>)(.*)$")
FIELDS = ("kind", "label", "assignee", "status", "sprint", "epic", "parent", "release", "moscow", "points",
          "rice", "wsjf", "is", "key")

Predicate = Callable[[ItemView], bool]


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{name} needs a number, as in {name}>3 (got {text!r})") from None


def find_epic(ws: Workspace, text: str) -> ItemView | None:
    """An epic named as people name it: its key (AC-5), its title (any case), or both as a picker
    shows it (AC-5 Loyalty programme). A key of an item that is not an epic is returned too (the
    caller says why it cannot be a parent)."""
    text = " ".join(str(text).split())
    if not text:
        return None
    item = ws.item_by_key(text.split(" ", 1)[0])
    if item is not None:
        return item
    wanted = text.lower()
    return next((i for i in ws.items.values() if i.kind == "epic" and not i.archived and i.title.lower() == wanted),
                None)


def _lookup(ws: Workspace, table: str, text: str, what: str) -> str | None:
    if text.lower() in ("none", "-", ""):
        return None
    views: dict[str, Any] = getattr(ws, table)
    for view in views.values():
        if getattr(view, "name", "").lower() == text.lower():
            return view.id
    if table == "items":
        item = find_epic(ws, text)
        if item is not None:
            return item.id
    raise ValidationError(f"no {what} named {text!r}")


def in_backlog(ws: Workspace) -> Predicate:
    """The backlog proper: open, unplanned work — not archived, in no sprint, and not in a done
    column of its board (what is left to plan and rank)."""
    done: dict[str, set[str]] = {}
    for board in ws.boards.values():
        done[board.id] = {c["name"] for c in board.columns if c["category"] == "done"}
    return lambda i: not i.archived and i.sprint is None and i.status not in done.get(i.board_id, ())


def backlog_query(query: str = "", everything: bool = False) -> str:
    """The question a backlog list asks (the TUI's Backlog, ``pmtui backlog``): by default the
    backlog proper (``is:backlog``: open, unplanned work) narrowed by the user's filter; with
    ``everything`` (the TUI's ``a``, the CLI's ``--all``), or when the filter asks for archived
    items, the filter alone."""
    if everything or "is:archived" in query.lower():
        return query
    return f"{query} is:backlog".strip()


def parse_query(text: str, ws: Workspace, me: str = "") -> Predicate:
    """Compile a query to a predicate; a mistake raises ValidationError with a one-line message."""
    try:
        tokens = shlex.split(text)
    except ValueError as error:
        raise ValidationError(f"cannot read the query: {error}") from None
    predicates: list[Predicate] = []
    for token in tokens:
        match = _TERM.match(token.lower())
        if not match or match.group(2) not in FIELDS:
            if match and match.group(2) not in FIELDS and ":" in token:
                raise ValidationError(f"unknown field {match.group(2)!r} in {token!r} (fields: {', '.join(FIELDS)})")
            words = token.lower().lstrip("-")
            negate = token.startswith("-") and len(token) > 1
            pred: Predicate = (lambda i, w=words: w in i.title.lower() or w == i.key.lower())
            predicates.append((lambda i, p=pred: not p(i)) if negate else pred)
            continue
        negate, name, op, value = match.groups()
        pred = _term(ws, name, op, value.strip(), me)
        predicates.append((lambda i, p=pred: not p(i)) if negate else pred)
    if len(predicates) == 1:  # most filters are one term: no generator per item (50k items a list)
        return predicates[0]
    return lambda item: all(p(item) for p in predicates)


def _term(ws: Workspace, name: str, op: str, value: str, me: str) -> Predicate:
    compare = _OPS[op]
    if name in ("points", "rice", "wsjf"):
        number = _number(value, name)
        attr = {"points": "points", "rice": "rice_score", "wsjf": "wsjf_score"}[name]
        return lambda i: getattr(i, attr) is not None and compare(getattr(i, attr), number)
    if op not in (":", "="):
        raise ValidationError(f"{name} compares only with ':' (as in {name}:value)")
    if name == "kind":
        return lambda i: i.kind == value
    if name == "label":
        return lambda i: value in i.labels
    if name == "assignee":
        who = me.lower() if value == "me" else value
        return (lambda i: i.assignee is None) if who in ("none", "-") else (lambda i: (i.assignee or "").lower() == who)
    if name == "status":
        return lambda i: i.status.lower() == value
    if name == "moscow":
        return lambda i: (i.moscow or "none") == value
    if name == "key":
        return lambda i: i.key.lower() == value
    if name == "is":
        flags: dict[str, Predicate] = {
            "archived": lambda i: i.archived, "open": lambda i: not i.archived, "backlog": in_backlog(ws),
            "estimated": lambda i: i.points is not None, "unestimated": lambda i: i.points is None,
            "epic": lambda i: i.kind == "epic",
        }
        if value not in flags:
            raise ValidationError(f"is: takes one of {', '.join(flags)} (got {value!r})")
        return flags[value]
    table, what, attr = {
        "sprint": ("sprints", "sprint", "sprint"), "release": ("releases", "release", "release"),
        "epic": ("items", "epic", "parent"), "parent": ("items", "epic", "parent"),
    }[name]
    target = _lookup(ws, table, value, what)
    return lambda i: getattr(i, attr) == target


def backlog(ws: Workspace, query: str = "", sort: str = "rank", me: str = "", descending: bool = False,
            include_archived: bool = False) -> list[ItemView]:
    if sort not in SORTS:
        raise ValidationError(f"cannot sort by {sort!r} (sorts: {', '.join(SORTS)})")
    wanted = parse_query(query, ws, me) if query.strip() else None
    show_archived = include_archived or "is:archived" in query.lower()
    pool = ws.items.values() if show_archived else ws.unarchived_items()
    items = [i for i in pool if wanted is None or wanted(i)]
    if sort == "evidence":
        # Most distinct customers first, then most quotes, then the backlog's own order.
        counts = evidence_counts(ws)
        none = (0, 0)
        items.sort(key=lambda i: (-counts.get(i.id, none)[0], -counts.get(i.id, none)[1], i.rank), reverse=descending)
    else:
        items.sort(key=SORTS[sort], reverse=descending)
    return items


def children(ws: Workspace, epic_id: str) -> list[ItemView]:
    return sorted((i for i in ws.items.values() if i.parent == epic_id and not i.archived), key=lambda i: i.rank)


def neighbours_rank(ws: Workspace, board_id: str | None = None) -> tuple[str | None, str | None]:
    """The lowest and highest ranks in use (to put a new item at the top or the bottom)."""
    ranks = [i.rank for i in ws.items.values() if board_id is None or i.board_id == board_id]
    return (min(ranks), max(ranks)) if ranks else (None, None)
