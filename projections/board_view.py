"""The Kanban board (and the sprint board): columns with their cards in rank order, WIP counts
against limits, and swimlanes."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from projections.state import BoardView, ItemView, Workspace


class ColumnView(msgspec.Struct, frozen=True):
    name: str
    category: str
    wip: int | None
    hard: bool
    cards: list[ItemView]

    @property
    def count(self) -> int:
        return len(self.cards)

    @property
    def over_limit(self) -> bool:
        return self.wip is not None and self.count > self.wip

    @property
    def at_limit(self) -> bool:
        return self.wip is not None and self.count >= self.wip

    @property
    def points(self) -> float:
        return sum(c.points or 0 for c in self.cards)


class BoardSnapshot(msgspec.Struct, frozen=True):
    board: BoardView
    columns: list[ColumnView]
    swimlanes: str
    epic_titles: dict[str, str] = {}

    def lanes(self) -> list[str]:
        seen: list[str] = []
        for col in self.columns:
            for card in col.cards:
                lane = self.lane_of(card)
                if lane not in seen:
                    seen.append(lane)
        return sorted(seen, key=lambda s: (s.startswith("("), s))

    def lane_of(self, item: ItemView) -> str:
        return lane_of(item, self.swimlanes, self.epic_titles)

    @property
    def breaches(self) -> list[ColumnView]:
        return [c for c in self.columns if c.over_limit]


def lane_of(item: ItemView, by: str, epic_titles: dict[str, str] | None = None) -> str:
    if by == "assignee":
        return item.assignee or "(unassigned)"
    if by == "epic":
        if not item.parent:
            return "(no epic)"
        return (epic_titles or {}).get(item.parent, item.parent)
    if by == "class":
        return {"must": "expedite", "should": "standard", "could": "standard", "wont": "intangible"}.get(
            item.moscow or "", "standard") if "expedite" not in item.labels else "expedite"
    return ""


def default_board(ws: Workspace) -> BoardView | None:
    return next(iter(ws.boards.values()), None)


def board_view(ws: Workspace, board_id: str | None = None, sprint_id: str | None = None,
               include_epics: bool = False) -> BoardSnapshot | None:
    """The board's columns with cards in rank order. With ``sprint_id``, only that sprint's items."""
    board = ws.boards.get(board_id) if board_id else default_board(ws)
    if board is None:
        return None
    if include_epics:
        candidates = [i for i in ws.items.values() if i.board_id == board.id and not i.archived]
    elif sprint_id is not None:
        candidates = ws.cards_in_sprint(board.id, sprint_id)  # the sprint's own rows, not the board's
    else:
        candidates = ws.cards_on_board(board.id)  # the board's own rows, not every item
    if sprint_id is not None:
        candidates = [i for i in candidates if i.sprint == sprint_id]
    return board_of(ws, board, candidates)


def board_of(ws: Workspace, board: BoardView, items: Iterable[ItemView]) -> BoardSnapshot:
    """The board's columns holding these items (each in its column, in rank order)."""
    by_column: dict[str, list[ItemView]] = {c["name"]: [] for c in board.columns}
    for item in items:
        by_column.setdefault(item.status, []).append(item)
    columns = [
        ColumnView(c["name"], c["category"], c["wip"], c["hard"], sorted(by_column[c["name"]], key=lambda i: i.rank))
        for c in board.columns
    ]
    epics = {i.id: f"{i.key} {i.title}" for i in ws.epics()}
    return BoardSnapshot(board, columns, board.swimlanes, epics)


def count_in_column(ws: Workspace, board_id: str, column: str) -> int:
    return sum(1 for i in ws.items.values()
               if i.board_id == board_id and i.status == column and not i.archived and i.kind != "epic")
