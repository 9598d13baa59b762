"""A board: the workflow's columns with WIP limits (soft warns, hard refuses) and the swimlane
setting. Kanban boards have no timebox; Scrum boards run sprints."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError, WipLimitExceededError
from domain.values import ColumnCategory, non_empty

SWIMLANES = ("none", "assignee", "epic", "class")
DEFAULT_COLUMNS: list[dict[str, Any]] = [
    {"name": "Backlog", "category": "todo", "wip": None, "hard": False},
    {"name": "To do", "category": "todo", "wip": None, "hard": False},
    {"name": "In progress", "category": "doing", "wip": 4, "hard": False},
    {"name": "Review", "category": "doing", "wip": 3, "hard": True},
    {"name": "Done", "category": "done", "wip": None, "hard": False},
]


def column(name: str, category: str = "doing", wip: int | None = None, hard: bool = False) -> dict[str, Any]:
    if wip is not None and (int(wip) != wip or wip < 1):
        raise ValidationError(f"a WIP limit must be a whole number of 1 or more (got {wip!r})")
    return {
        "name": non_empty(name, "column name", 40),
        "category": ColumnCategory.parse(category),
        "wip": None if wip is None else int(wip),
        "hard": bool(hard) and wip is not None,
    }


class Board(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(product_id: UUID, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:board:{product_id}:{name.strip().lower()}")

    @classmethod
    def create(
        cls, product_id: UUID, name: str, mode: str = "scrum", columns: list[dict[str, Any]] | None = None
    ) -> Board:
        if mode not in ("scrum", "kanban"):
            raise ValidationError(f"board mode must be scrum or kanban (got {mode!r})")
        cols = [column(**c) for c in (columns or DEFAULT_COLUMNS)]
        cls._check_columns(cols)
        return cls(product_id=str(product_id), name=non_empty(name, "board name", 60), mode=mode, columns=cols)

    @event("Created")
    def __init__(self, product_id: str, name: str, mode: str, columns: list[dict[str, Any]]) -> None:
        self.product_id = product_id
        self.name = name
        self.mode = mode
        self.columns = columns
        self.swimlanes = "none"

    @staticmethod
    def _check_columns(columns: list[dict[str, Any]]) -> None:
        names = [c["name"].lower() for c in columns]
        if not columns:
            raise ValidationError("a board needs at least one column")
        if len(set(names)) != len(names):
            raise ValidationError("column names must be different from each other")

    def column_named(self, name: str) -> dict[str, Any]:
        for col in self.columns:
            if col["name"].lower() == str(name).strip().lower():
                return col
        names = ", ".join(c["name"] for c in self.columns)
        raise ValidationError(f"board {self.name!r} has no column {name!r} (columns: {names})")

    def _set_columns(self, columns: list[dict[str, Any]]) -> None:
        self._check_columns(columns)
        self.trigger_event(self.Edited, changes=self._diff({"columns": columns}))

    def add_column(self, name: str, category: str = "doing", wip: int | None = None,
                   hard: bool = False, position: int | None = None) -> None:
        new = [dict(c) for c in self.columns]
        at = len(new) if position is None else max(0, min(position, len(new)))
        new.insert(at, column(name, category, wip, hard))
        self._set_columns(new)

    def rename_column(self, old: str, new_name: str) -> None:
        target = self.column_named(old)["name"]
        self._set_columns([
            {**c, "name": non_empty(new_name, "column name", 40)} if c["name"] == target else dict(c)
            for c in self.columns
        ])

    def remove_column(self, name: str, occupied: int) -> None:
        target = self.column_named(name)["name"]
        if occupied:
            raise ValidationError(f"column {target!r} still holds {occupied} item(s): move them first")
        self._set_columns([dict(c) for c in self.columns if c["name"] != target])

    def set_wip_limit(self, name: str, wip: int | None, hard: bool = False) -> None:
        target = self.column_named(name)
        updated = column(target["name"], target["category"], wip, hard)
        self._set_columns([updated if c["name"] == target["name"] else dict(c) for c in self.columns])

    def set_swimlanes(self, by: str) -> None:
        if by not in SWIMLANES:
            raise ValidationError(f"swimlanes must be one of: {', '.join(SWIMLANES)} (got {by!r})")
        self.trigger_event(self.Edited, changes=self._diff({"swimlanes": by}))

    def check_wip(self, target: str, count_after_move: int) -> str | None:
        """Refuse a move past a hard limit; return a warning past a soft one."""
        col = self.column_named(target)
        if col["wip"] is None or count_after_move <= col["wip"]:
            return None
        message = f"{col['name']} would hold {count_after_move} items, over its WIP limit of {col['wip']}"
        if col["hard"]:
            raise WipLimitExceededError(f"refused: {message} (hard limit)")
        return f"warning: {message}"

    def first_column(self) -> str:
        return self.columns[0]["name"]

    def done_column(self) -> str:
        done = [c["name"] for c in self.columns if c["category"] == "done"]
        return done[-1] if done else self.columns[-1]["name"]
