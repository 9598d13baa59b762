"""A board: the workflow's columns with WIP limits (soft warns, hard refuses) and the swimlane
setting. Kanban boards have no timebox; Scrum boards run sprints."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain import board_rules
from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import ColumnCategory, non_empty, whole_name

SWIMLANES = ("none", "assignee", "epic", "class")
DEFAULT_COLUMNS: list[dict[str, Any]] = [
    {"name": "Backlog", "category": "todo", "wip": None, "hard": False},
    {"name": "To do", "category": "todo", "wip": None, "hard": False},
    {"name": "In progress", "category": "doing", "wip": 4, "hard": False},
    {"name": "Review", "category": "doing", "wip": 3, "hard": True},
    {"name": "Done", "category": "done", "wip": None, "hard": False},
]


def column(name: str, category: str = "doing", wip: int | None = None, hard: bool = False,
           source: str | None = None) -> dict[str, Any]:
    """A column as boards store it. ``source`` (only when given) names what it was imported from
    (``trello:<list id>``): a later import finds it by that whatever it is called by then."""
    if wip is not None and (int(wip) != wip or wip < 1):
        raise ValidationError(f"a WIP limit must be a whole number of 1 or more (got {wip!r})")
    col: dict[str, Any] = {
        "name": whole_name(name, "column name"),
        "category": ColumnCategory.parse(category),
        "wip": None if wip is None else int(wip),
        "hard": bool(hard) and wip is not None,
    }
    if source:
        col["source"] = str(source)
    return col


class Board(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class ColumnArchived(PmAggregate.Changed):
        """A column left the board (Trello's "archive list"): it and the items whose column it is
        are no longer shown; its name stays taken, so restoring it brings them all back."""

    class ColumnRestored(PmAggregate.Changed):
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
        return cls(product_id=str(product_id), name=whole_name(name, "board name"), mode=mode, columns=cols)

    @event("Created")
    def __init__(self, product_id: str, name: str, mode: str, columns: list[dict[str, Any]]) -> None:
        self.product_id = product_id
        self.name = name
        self.mode = mode
        self.columns = columns
        self.swimlanes = "none"
        self.archived_columns: list[dict[str, Any]] = []

    @staticmethod
    def _check_columns(columns: list[dict[str, Any]], archived: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
        # Items name their column, so an archived column's name stays taken until it is removed.
        names = [c["name"].lower() for c in [*columns, *archived]]
        if not columns:
            raise ValidationError("a board needs at least one column")
        if len(set(names)) != len(names):
            raise ValidationError("column names must be different from each other")

    def column_named(self, name: str) -> dict[str, Any]:
        return board_rules.column_named(self.name, self.columns, name)

    def _set_columns(self, columns: list[dict[str, Any]]) -> None:
        self._check_columns(columns, self.archived_columns)
        self.trigger_event(self.Edited, changes=self._diff({"columns": columns}))

    def add_column(self, name: str, category: str = "doing", wip: int | None = None,
                   hard: bool = False, position: int | None = None, source: str | None = None) -> None:
        new = [dict(c) for c in self.columns]
        at = len(new) if position is None else max(0, min(position, len(new)))
        new.insert(at, column(name, category, wip, hard, source))
        self._set_columns(new)

    def rename_column(self, old: str, new_name: str) -> None:
        """Rename a column, live or archived (an archived one keeps the items whose column it is)."""
        wanted = str(old).strip().lower()
        archived = next((c for c in self.archived_columns if c["name"].lower() == wanted), None)
        target = archived["name"] if archived else self.column_named(old)["name"]
        name = whole_name(new_name, "column name")
        renamed = lambda cols: [{**c, "name": name} if c["name"] == target else dict(c) for c in cols]  # noqa: E731
        if archived is None:
            self._set_columns(renamed(self.columns))
            return
        self._check_columns(self.columns, renamed(self.archived_columns))
        self.trigger_event(self.Edited, changes=self._diff({"archived_columns": renamed(self.archived_columns)}))

    def move_column(self, name: str, position: int) -> None:
        """Put a column at ``position`` (0 is the first; clamped to the board): the workflow's order.
        An ``Edited`` event of the columns, like an added or renamed column."""
        target = self.column_named(name)
        rest = [dict(c) for c in self.columns if c is not target]
        at = max(0, min(int(position), len(rest)))
        rest.insert(at, dict(target))
        self._set_columns(rest)

    def archive_column(self, name: str) -> None:
        """Take a column off the board, remembering its place; its items stay in it, unseen."""
        target = self.column_named(name)
        position = self.columns.index(target)
        live = [dict(c) for c in self.columns if c is not target]
        if not live:
            raise ValidationError(f"column {target['name']!r} is the board's last: a board needs at least one column")
        archived = [*[dict(c) for c in self.archived_columns], {**target, "position": position}]
        self.trigger_event(self.ColumnArchived, changes={"columns": [self.columns, live],
                                                         "archived_columns": [self.archived_columns, archived]})

    def restore_column(self, name: str) -> None:
        """Put an archived column back where it was (or at the end if the board has fewer columns now)."""
        wanted = str(name).strip().lower()
        target = next((c for c in self.archived_columns if c["name"].lower() == wanted), None)
        if target is None:
            names = ", ".join(c["name"] for c in self.archived_columns) or "none"
            raise ValidationError(f"board {self.name!r} has no archived column {name!r} (archived: {names})")
        restored = {k: v for k, v in target.items() if k != "position"}
        live = [dict(c) for c in self.columns]
        live.insert(min(int(target.get("position", len(live))), len(live)), restored)
        archived = [dict(c) for c in self.archived_columns if c is not target]
        self.trigger_event(self.ColumnRestored, changes={"columns": [self.columns, live],
                                                         "archived_columns": [self.archived_columns, archived]})

    def remove_column(self, name: str, occupied: int) -> None:
        target = self.column_named(name)["name"]
        if occupied:
            raise ValidationError(f"column {target!r} still holds {occupied} item(s): move them first")
        self._set_columns([dict(c) for c in self.columns if c["name"] != target])

    def set_wip_limit(self, name: str, wip: int | None, hard: bool = False) -> None:
        target = self.column_named(name)
        updated = column(target["name"], target["category"], wip, hard, target.get("source"))
        self._set_columns([updated if c["name"] == target["name"] else dict(c) for c in self.columns])

    def set_swimlanes(self, by: str) -> None:
        if by not in SWIMLANES:
            raise ValidationError(f"swimlanes must be one of: {', '.join(SWIMLANES)} (got {by!r})")
        self.trigger_event(self.Edited, changes=self._diff({"swimlanes": by}))

    def check_wip(self, target: str, count_after_move: int) -> str | None:
        """Refuse a move past a hard limit; return a warning past a soft one."""
        return board_rules.check_wip(self.name, self.columns, target, count_after_move)

    def first_column(self) -> str:
        return self.columns[0]["name"]

    def done_column(self) -> str:
        done = [c["name"] for c in self.columns if c["category"] == "done"]
        return done[-1] if done else self.columns[-1]["name"]
