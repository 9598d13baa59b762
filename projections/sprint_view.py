"""Sprints: the active one with its goal, dates, days left, committed and done points."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import msgspec

from projections.state import ItemView, SprintView, Workspace


class SprintSummary(msgspec.Struct, frozen=True):
    sprint: SprintView
    items: list[ItemView]
    committed_points: float
    done_points: float
    total_points: float
    days_left: int | None
    done_ids: list[str]

    @property
    def unfinished(self) -> list[ItemView]:
        done = set(self.done_ids)
        return [i for i in self.items if i.id not in done]


def done_columns(ws: Workspace, board_id: str) -> set[str]:
    board = ws.boards.get(board_id)
    return {c["name"] for c in board.columns if c["category"] == "done"} if board else set()


def sprints_of(ws: Workspace, board_id: str | None = None) -> list[SprintView]:
    return sorted((s for s in ws.sprints.values() if board_id is None or s.board_id == board_id),
                  key=lambda s: s.number)


def active_sprint(ws: Workspace, board_id: str | None = None) -> SprintView | None:
    return next((s for s in sprints_of(ws, board_id) if s.state == "active"), None)


def next_planned(ws: Workspace, board_id: str | None = None, after: SprintView | None = None) -> SprintView | None:
    return next((s for s in sprints_of(ws, board_id)
                 if s.state == "planned" and (after is None or s.id != after.id)), None)


def find_sprint(ws: Workspace, name: str) -> SprintView | None:
    text = name.strip().lower()
    for sprint in ws.sprints.values():
        if sprint.name.lower() == text or sprint.id == name:
            return sprint
    return None


def _items_by_id(ws: Workspace, ids: Iterable[str]) -> dict[str, ItemView]:
    """The items of these ids that exist: a stored workspace reads them in a few queries
    (``many``), an in-memory one looks each up."""
    many = getattr(ws.items, "many", None)
    if many is not None:
        return many(ids)
    return {i: ws.items[i] for i in ids if i in ws.items}


def summarize_all(ws: Workspace, sprints: list[SprintView], today: date | None = None) -> list[SprintSummary]:
    """``summarize`` for many sprints: the items of every closed one are read together first."""
    _items_by_id(ws, [i for s in sprints if s.state == "closed" for i in (*s.done, *s.carried)])
    return [summarize(ws, s, today) for s in sprints]


def sprint_items(ws: Workspace, sprint: SprintView) -> list[ItemView]:
    """The sprint's items, in rank order. A closed sprint's have moved on: its own record says
    which they were (read by id: a list of a year of sprints must not read every item once per
    sprint). An open sprint holds cards of its own board (an epic never joins one; an item never
    changes board): read through the sprint's own index, not every item of the workspace."""
    if sprint.state == "closed":
        found = _items_by_id(ws, [*sprint.done, *sprint.carried]).values()
    else:
        found = ws.cards_in_sprint(sprint.board_id, sprint.id)
    return sorted(found, key=lambda i: i.rank)


def summarize(ws: Workspace, sprint: SprintView, today: date | None = None) -> SprintSummary:
    items = sprint_items(ws, sprint)
    found = {i.id: i for i in items}
    if sprint.state == "closed":
        done_ids = list(sprint.done)
    else:
        finished = done_columns(ws, sprint.board_id)
        done_ids = [i.id for i in items if i.status in finished]
    done_points = sum((found[i].points or 0) for i in done_ids if i in found)
    days_left = None
    if sprint.end and sprint.state != "closed":
        days_left = (date.fromisoformat(sprint.end) - (today or date.today())).days
    return SprintSummary(
        sprint=sprint, items=items, committed_points=sum(v or 0 for v in sprint.committed.values()),
        done_points=done_points, total_points=sum(i.points or 0 for i in items), days_left=days_left,
        done_ids=done_ids,
    )
