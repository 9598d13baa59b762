"""Hand-built event logs for projection tests: the records the store would give back, with the
data shapes the domain writes, so each test reads as "these events in, this state out"."""

from __future__ import annotations

from typing import Any

import pytest

from projections.records import EventRecord
from projections.state import Workspace, fold

T0 = 1_790_000_000.0  # 2026-09-21, an arbitrary fixed start of the log
DAY = 86_400.0

PRODUCT = "00000000-0000-0000-0000-00000000000a"
BOARD = "00000000-0000-0000-0000-00000000000b"

COLUMNS: list[dict[str, Any]] = [
    {"name": "Backlog", "category": "todo", "wip": None, "hard": False},
    {"name": "To do", "category": "todo", "wip": None, "hard": False},
    {"name": "In progress", "category": "doing", "wip": 2, "hard": False},
    {"name": "Review", "category": "doing", "wip": 1, "hard": True},
    {"name": "Done", "category": "done", "wip": None, "hard": False},
]

ITEM_FIELDS: dict[str, Any] = {
    "description": "", "acceptance": "", "points": None, "labels": [], "assignee": None, "parent": None,
    "sprint": None, "release": None, "rice": None, "wsjf": None, "moscow": None,
}


def uid(kind: str, n: int) -> str:
    """A readable, stable id: ``uid("i", 3)`` -> ``...0i0003``-like UUID text."""
    code = {"i": 1, "s": 2, "r": 3, "m": 4, "o": 5, "k": 6, "u": 7}[kind]
    return f"00000000-0000-0000-{code:04x}-{n:012x}"


class Log:
    """Appends records with consecutive numbers; each record is one second after the last unless
    ``at`` (recorded) or ``occurred`` (backdated) says otherwise."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.clock = T0
        self.versions: dict[str, int] = {}
        self.keys = 0

    def add(self, name: str, aggregate_id: str, data: dict[str, Any], actor: str = "ann", reason: str = "",
            occurred: float | None = None, at: float | None = None) -> EventRecord:
        self.clock = at if at is not None else self.clock + 1
        self.versions[aggregate_id] = self.versions.get(aggregate_id, 0) + 1
        record = EventRecord(
            seq=len(self.records) + 1, name=name, aggregate_id=aggregate_id, version=self.versions[aggregate_id],
            recorded=self.clock, occurred=self.clock if occurred is None else occurred, actor=actor, reason=reason,
            data=data,
        )
        self.records.append(record)
        return record

    def change(self, event_name: str, aggregate_id: str, /, **changes: Any) -> EventRecord:
        """A ``Changed`` event: keyword arguments are ``field=[old, new]``, except the attribution."""
        extra = {k: changes.pop(k) for k in ("actor", "reason", "occurred", "at") if k in changes}
        return self.add(event_name, aggregate_id, {"changes": changes}, **extra)

    # The usual first events -------------------------------------------------------------------
    def product(self, name: str = "Shop", prefix: str = "PM") -> None:
        self.add("Product.Created", PRODUCT, {"name": name, "key_prefix": prefix, "vision": "", "stage": "development"})
        self.add("Board.Created", BOARD, {"product_id": PRODUCT, "name": "Main", "mode": "scrum", "columns": COLUMNS})

    def item(self, n: int, title: str, status: str = "Backlog", rank: str | None = None, kind: str = "story",
             actor: str = "ann", **fields: Any) -> str:
        self.keys = max(self.keys, n)
        self.change("Product.KeyAllocated", PRODUCT, last_number=[n - 1, n])
        item_id = uid("i", n)
        self.add("WorkItem.Created", item_id, {
            "product_id": PRODUCT, "board_id": BOARD, "key": f"PM-{n}", "kind": kind, "title": title,
            "status": status, "rank": rank or f"m{n:03d}", "fields": {**ITEM_FIELDS, **fields},
        }, actor=actor)
        return item_id

    def sprint(self, n: int, name: str, start: str | None = None, end: str | None = None, goal: str = "") -> str:
        sprint_id = uid("s", n)
        self.add("Sprint.Planned", sprint_id, {"board_id": BOARD, "name": name, "goal": goal, "start": start, "end": end})
        return sprint_id

    def kpi(self, n: int, name: str, direction: str = "higher", target: float | None = None,
            warn: float | None = None, alarm: float | None = None) -> str:
        kpi_id = uid("k", n)
        self.add("Kpi.Defined", kpi_id, {"product_id": PRODUCT, "name": name, "unit": "", "direction": direction,
                                         "target": target, "warn": warn, "alarm": alarm, "description": ""})
        return kpi_id

    def fold(self) -> Workspace:
        return fold(self.records)


@pytest.fixture
def log() -> Log:
    built = Log()
    built.product()
    return built
